// The layout commands through the real CLI binary on the mock, with a state file shared between commands.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(__dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'layout-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(state: string, machine: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--mock', machine, '--mock-state', join(dir, state), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nvml-mig apply | assert | export', () => {
  it('dry run, apply with progress, assert, export round trip on an H100 node', () => {
    const m = 'h100-80gb:2';
    expect(cli('a.json', m, 'assert', '-f', 'examples/mig-config.yaml', '-c', 'all-balanced').code).toBe(1);
    const dry = cli('a.json', m, 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-balanced', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('GPU 0: NVIDIA H100 80GB HBM3');
    expect(dry.out).toMatch(/create GI 3g\.40gb at 4:4 \[new\d\]\s+# target 3g\.40gb: 1/);
    expect(dry.out).toContain('set MIG mode enabled');
    const applied = cli('a.json', m, 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-balanced');
    expect(applied.code, applied.err).toBe(0);
    expect(applied.err).toMatch(/\[1\/18\] GPU 0: set MIG mode enabled \.\.\. done/);
    expect(applied.out).toContain('Applied: 18 step(s) done.');
    const ok = cli('a.json', m, 'assert', 'examples/mig-config.yaml', '-c', 'all-balanced');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('is currently applied');
    const exported = cli('a.json', m, 'export');
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^version: v1\nmig-configs:\n  current:\n    - device-filter: "0x233010DE"\n      devices: all\n      mig-enabled: true\n      mig-devices:\n/);
    writeFileSync(join(dir, 'exported.yaml'), exported.out);
    const again = cli('a.json', m, 'apply', '-f', join(dir, 'exported.yaml'));
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing to do');
    const json = JSON.parse(cli('a.json', m, 'export', '--json', '-l', 'snap').out);
    expect(json['mig-configs'].snap[0]['mig-devices']).toEqual({ '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 });
    const one = cli('a.json', m, '-i', '1', 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-1g', '--json');
    expect(one.code).toBe(0);
    const result = JSON.parse(one.out);
    expect(result.plan.gpus.map((g: { gpu: number }) => g.gpu)).toEqual([1]);
  });

  it('Ampere: the mode change stays pending without a reset hook (exit 1), and the state is reported', () => {
    const r = cli('b.json', 'a100-40gb:1', 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-1g');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/pending until the GPU is reset/);
    expect(cli('b.json', 'a100-40gb:1', 'assert', '-f', 'examples/mig-config.yaml', '-c', 'all-1g').err).toMatch(/MIG mode is disabled, wanted enabled \(the change is pending a GPU reset\)/);
  });

  it('bad files and options exit 2 with positions; a target that cannot fit exits 3 and says why; read-only exits 7', () => {
    const m = 'h100-80gb:1';
    expect(cli('c.json', m, 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-1g').code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 8}\n      extra: 1\n');
    const r = cli('c.json', m, 'apply', '-f', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:7:7: mig-configs.x[0]: unknown field "extra"`);
    const none = cli('c.json', m, 'apply', '-f', 'examples/mig-config.yaml');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/holds 5 configs/);
    expect(cli('c.json', m, 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-1g', '--bogus').code).toBe(2);
    const tooMany = join(dir, 'too-many.yaml');
    writeFileSync(tooMany, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 8}\n');
    const infeasible = cli('c.json', m, 'apply', '-f', tooMany, '--dry-run');
    expect(infeasible.code).toBe(3);
    expect(infeasible.out).toContain(`ERROR ${tooMany}:4:7: the target (1g.10gb: 8) does not fit NVIDIA H100 80GB HBM3: it needs 8 GPU instances of 1g.10gb, which offers at most 7`);
    const ro = cli('d.json', m, '--read-only', 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-balanced');
    expect(ro.code).toBe(7);
    expect(ro.err).toMatch(/0 step\(s\) done, 1 failed, \d+ not run/);
    expect(cli('d.json', m, '--read-only', 'apply', '-f', 'examples/mig-config.yaml', '-c', 'all-balanced', '--dry-run').code).toBe(0);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "1g.5gb": 1\n');
    expect(cli('c.json', m, 'apply', '-f', unknown, '--dry-run').out).toContain(`${unknown}:7:9: profile 1g.5gb is not offered by NVIDIA H100 80GB HBM3`);
  });
});
