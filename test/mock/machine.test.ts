// Machine files (NVML_MOCK_MACHINE=<path>), and calls from many threads at once (koffi's async
// calls run on worker threads, as the addon's do).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NVML, ok, openLibrary } from './abi';

const m = openLibrary();
expect(m.init()).toBe(0);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mock-machine-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('machine files', () => {
  it('models, counts, overrides and MIG enabled from the start', () => {
    const file = path.join(dir, 'lab.json');
    fs.writeFileSync(file, JSON.stringify({
      gpus: [
        { model: 'h100-80gb', count: 2, migEnabled: true },
        { model: 'a30', name: 'NVIDIA A30 (lab)', uuid: 'GPU-11111111-2222-3333-4444-555555555555', busId: '00000000:C1:00.0' },
      ],
    }));
    expect(m.control({ cmd: 'reset', machine: file }).ok).toBe(true);
    expect(ok(m.count())).toBe(3);
    const [h0, h1, a30] = [0, 1, 2].map((i) => ok(m.device(i)));
    expect(m.migMode(h0)).toMatchObject({ current: 1, pending: 1 });
    expect(m.migMode(a30)).toMatchObject({ current: 0, pending: 0 });
    expect(ok(m.name(a30))).toBe('NVIDIA A30 (lab)');
    expect(ok(m.uuid(a30))).toBe('GPU-11111111-2222-3333-4444-555555555555');
    expect(ok(m.byPci('00000000:c1:00.0'))).toBe(a30);
    expect(ok(m.uuid(h0))).not.toBe(ok(m.uuid(h1)));
    expect(m.control({ cmd: 'state' }).state.machine).toBe(file);
  });

  it('bad files are refused with a reason', () => {
    const cases: [string, unknown, RegExp][] = [
      ['empty.json', { gpus: [] }, /non-empty/],
      ['model.json', { gpus: [{ model: 'k80' }] }, /unknown GPU model 'k80'/],
      ['count.json', { gpus: [{ model: 'a30', count: 0 }] }, /count/],
    ];
    for (const [name, doc, why] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(doc));
      expect(m.control({ cmd: 'reset', machine: file })).toMatchObject({ ok: false, error: expect.stringMatching(why) });
    }
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"gpus": [');
    expect(m.control({ cmd: 'reset', machine: path.join(dir, 'broken.json') }).ok).toBe(false);
    expect(m.control({ cmd: 'reset', machine: path.join(dir, 'missing.json') })).toMatchObject({ ok: false, error: expect.stringMatching(/cannot read/) });
    expect(m.control({ cmd: 'reset', machine: 'a30:0' }).ok).toBe(false);
  });
});

describe('threads', () => {
  const callAsync = (fn: any, ...args: unknown[]) =>
    new Promise<number>((resolve, reject) => fn.async(...args, (err: unknown, ret: number) => (err ? reject(err) : resolve(ret))));

  it('64 concurrent creates from worker threads: exactly 7 fit, ids unique', async () => {
    m.control({ cmd: 'reset', machine: 'h100-80gb' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    const outs = Array.from({ length: 64 }, () => [null] as [bigint | null]);
    const rets = await Promise.all(outs.map((o) => callAsync(m.fn.createGi, dev, 19, o)));
    expect(rets.filter((r) => r === 0).length).toBe(7);
    expect(rets.filter((r) => r === NVML.INSUFFICIENT_RESOURCES).length).toBe(57);
    const ids = outs.filter((_, i) => rets[i] === 0).map((o) => ok(m.giInfo(o[0] as bigint))!.id).sort((a, b) => a - b);
    expect(ids).toEqual([7, 8, 9, 10, 11, 12, 13]);
  });

  it('readers and writers at once: every answer is a whole one', async () => {
    m.control({ cmd: 'reset', machine: 'h100-80gb' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    const work: Promise<number>[] = [];
    const caps: [number | null][] = [];
    for (let i = 0; i < 40; i++) {
      const gi: [bigint | null] = [null];
      work.push(callAsync(m.fn.createGi, dev, 19, gi).then((r) => (r === 0 ? callAsync(m.fn.destroyGi, gi[0]) : r)));
      const cap: [number | null] = [null];
      caps.push(cap);
      work.push(callAsync(m.fn.giCapacity, dev, 19, cap));
    }
    const rets = await Promise.all(work);
    expect(rets.every((r) => r === 0 || r === NVML.INSUFFICIENT_RESOURCES)).toBe(true);
    for (const [c] of caps) {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(7);
    }
    expect(ok(m.gis(dev, 19))).toEqual([]);
  });
});
