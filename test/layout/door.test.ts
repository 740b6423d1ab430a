// A layout is checked at the door of applyLayout, planLayout and assertLayout: huge counts, typos,
// wrong types, GPUs that do not exist and empty layouts are errors naming the place (never
// ok:true with nothing checked), before anything is read or allocated.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { Monitor } from '../../dist/monitor/index.js';
import { applyLayout, assertLayout, compareLayout, planLayout, readNode } from '../../dist/layout/index.js';
import { openMock } from './mock.js';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await openMock('h100-80gb');
});
afterAll(async () => {
  await nvml.shutdown();
});

describe('layout input at the door', () => {
  it('refuses counts no GPU can hold before any allocation, in the library (no stack or heap blow-up)', async () => {
    for (const n of [100_000, 1e9, 2 ** 31]) {
      const layout = { migEnabled: true, migDevices: { '1g.10gb': n } };
      const t0 = Date.now();
      await expect(planLayout(nvml, layout)).rejects.toThrow(RangeError);
      await expect(applyLayout(nvml, layout)).rejects.toThrow(/asks for \d+ MIG devices on one GPU: at most 64/);
      await expect(assertLayout(nvml, layout)).rejects.toThrow(RangeError);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    // Many profiles of a few each: the total counts too.
    await expect(planLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 40, '2g.20gb': 40 } })).rejects.toThrow(/asks for 80 MIG devices/);
  });

  it('typos, wrong types, empty layouts and GPUs that do not exist are errors, never ok:true', async () => {
    const bad: [unknown, RegExp][] = [
      [{ migEnable: true }, /layout: unknown key "migEnable" \(did you mean "migEnabled"\?\)/],
      [{ migEnabled: true, migDevice: { '1g.10gb': 1 } }, /unknown key "migDevice" \(did you mean "migDevices"\?\)/],
      [{ migEnabled: 'yes' }, /layout\.migEnabled must be true or false, got "yes"/],
      [{ migEnabled: true, migDevices: { '1g.10gb': '2' } }, /layout\.migDevices\["1g\.10gb"\] must be an integer >= 0, got "2"/],
      [{ migEnabled: true, migDevices: { '1g.10gb': 1.5 } }, /must be an integer >= 0/],
      [{ migEnabled: true, migDevices: [1] }, /migDevices must be an object/],
      [{}, /layout is empty/],
      [[], /layout has no entries/],
      [null, /layout must be/],
      ['1g.10gb', /layout must be/],
      [{ 0: { migEnabled: true }, x: 1 }, /unknown key "0"/],
      [{ 0: { migEnable: true } }, /layout\[0\]: unknown key "migEnable"/],
      [{ 7: { migEnabled: false } }, /layout names GPU 7, which this node does not have \(it has 1 GPU\)/],
      [[{ devices: 'all', migEnabled: true, migDevices: {}, extra: 1 }], /layout\[0\]: unknown key "extra"/],
    ];
    for (const [layout, re] of bad) {
      const what = JSON.stringify(layout);
      await expect(applyLayout(nvml, layout as never), what).rejects.toThrow(re);
      await expect(planLayout(nvml, layout as never), what).rejects.toThrow(re);
      await expect(assertLayout(nvml, layout as never), what).rejects.toThrow(re);
      // The pure check on a state already read: the same shape errors (GPU existence needs the driver).
      if (!String(re).includes('does not have')) expect(() => compareLayout([], layout as never), what).toThrow(re);
    }
    // Nothing was changed by any of them.
    expect((await readNode(nvml))[0]!.state.mig?.current).toBe(false);
  });

  it('a handle that is not the library, and a Monitor without one: clear TypeErrors', async () => {
    await expect(planLayout(null as never, { migEnabled: false })).rejects.toThrow(/^nvml must be the Nvml that init\(\) resolved with, got null$/);
    await expect(assertLayout({} as never, { migEnabled: false })).rejects.toThrow(TypeError);
    expect(() => new Monitor(null as never)).toThrow(/^nvml must be the Nvml that init\(\) resolved with, got null$/);
    expect(() => new Monitor(undefined as never)).toThrow(TypeError);
  });

  it('the CLI: a file with a count of 1e9 is a usage error naming the place, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-door-'));
    try {
      const file = join(dir, 'huge.yaml');
      writeFileSync(file, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: { "1g.10gb": 1000000000 }\n');
      const cli = resolve(__dirname, '../../dist/cli/main.js');
      const r = spawnSync(process.execPath, [cli, '--mock', 'h100-80gb', '--mock-state', join(dir, 's.json'), 'apply', '--dry-run', '-f', file], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${file}:6:33: mig-configs.x[0]: mig-devices: count of 1g.10gb is 1000000000: at most 64`);
      const dirAsFile = spawnSync(process.execPath, [cli, '--mock', 'h100-80gb', '--mock-state', join(dir, 's.json'), 'apply', '-f', dir], { encoding: 'utf8', timeout: 20_000 });
      expect(dirAsFile.status).toBe(2);
      expect(dirAsFile.stderr).toBe(`nvml-mig: cannot read the config file ${dir}: it is a directory\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
