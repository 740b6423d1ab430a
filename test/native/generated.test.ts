// native/functions.cjs is the one description of the bound functions, the raw calls and their
// result structs. The files generated from it are committed: they must be what it gives now, and
// the addon must export exactly the calls it describes, with the flags it gives them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_OPS } from '../../dist/native.gen.js';
import { ROOT, b, control, openMock, rejects } from './helpers';

const { ops, functions } = createRequire(__filename)(path.join(ROOT, 'native', 'functions.cjs')) as {
  ops: Record<string, { mutates?: boolean; sync?: boolean; getter?: string; fn?: string }>;
  functions: Array<{ name: string }>;
};

beforeAll(() => openMock('h100-80gb'));
afterAll(() => b.close());

describe('generated from native/functions.cjs', () => {
  it('the committed files are what the description gives (npm run gen)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-native.js'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the addon exports the described calls and their Sync twins, and nothing else but the lifecycle', () => {
    const lifecycle = ['setErrorClass', 'errorString', 'open', 'close', 'isOpen', 'setReadOnly', 'functions', 'pendingCalls'];
    // lib/binding.ts adds the decoded snapshot beside the addon's snapshotJson.
    const decoded = ['snapshot', 'snapshotSync'];
    expect(Object.keys(b).sort()).toEqual([...NATIVE_OPS, ...lifecycle, ...decoded].sort());
    for (const [js, o] of Object.entries(ops)) expect(typeof (b as any)[`${js}Sync`]).toBe(o.sync ? 'function' : 'undefined');
  });

  it('the symbol table is the description, in order; the mock exports every entry', async () => {
    expect(Object.keys(b.functions())).toEqual(functions.map((f) => f.name));
    expect(Object.values(b.functions()).every((s) => s !== null)).toBe(true);
    expect(b.functions().nvmlDeviceGetPowerUsage).toBe('nvmlDeviceGetPowerUsage');
  });

  it('read-only mode refuses exactly the calls described as mutations, before they reach NVML', async () => {
    await control({ cmd: 'reset', machine: 'h100-80gb' });
    b.setReadOnly(true);
    try {
      const refused: string[] = [];
      const dev = await b.deviceGetHandleByIndex(0);
      // Each call with (a live device handle, 0): calls that take other arguments throw a
      // TypeError, which is not what is measured here; only the ERR_NVML_READ_ONLY answer counts
      // (the interlock comes before the handle's kind is checked).
      for (const js of Object.keys(ops)) {
        const fn = (b as any)[js] as (...a: unknown[]) => Promise<unknown>;
        let code: string | undefined;
        try {
          await fn.call(b, dev, 0);
        } catch (e: any) {
          code = e?.code;
        }
        if (code === 'ERR_NVML_READ_ONLY') refused.push(js);
      }
      expect(refused.sort()).toEqual(Object.keys(ops).filter((js) => ops[js].mutates).sort());
      await rejects(b.deviceSetMigMode(dev, 1), 'ERR_NVML_READ_ONLY');
    } finally {
      b.setReadOnly(false);
    }
  });
});
