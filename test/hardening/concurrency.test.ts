// Concurrency: thousands of mixed calls in flight, shutdown() while they run, init()/shutdown()
// races, and the addon loaded in worker threads (several at once, one terminated mid-flight).
// Every promise settles, with a value or an NvmlError, and nothing crashes.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, isNvmlError, type Nvml } from '../../dist/index.js';
import { loadBinding } from '../../dist/binding.js';
import { MOCK, ROOT, SLOW, limit } from './helpers';

const b = loadBinding();
const N = SLOW ? 1000 : 5000;

async function settleAll(ps: Array<Promise<unknown>>): Promise<{ ok: number; nvml: Record<string, number>; other: string[] }> {
  const r = await Promise.allSettled(ps);
  const out = { ok: 0, nvml: {} as Record<string, number>, other: [] as string[] };
  for (const x of r) {
    if (x.status === 'fulfilled') out.ok++;
    else if (isNvmlError(x.reason)) out.nvml[x.reason.code] = (out.nvml[x.reason.code] ?? 0) + 1;
    else out.other.push(String((x.reason as Error)?.stack ?? x.reason));
  }
  return out;
}

/** A mixed batch on a 2-GPU machine: reads of both GPUs, GI create/destroy on GPU 1. */
function mixed(nvml: Nvml, n: number): Array<Promise<unknown>> {
  const ps: Array<Promise<unknown>> = [];
  const d0 = nvml.device(0);
  const d1 = nvml.device(1);
  for (let i = 0; i < n; i++) {
    switch (i % 10) {
      case 0: ps.push(d0.then((d) => d.name())); break;
      case 1: ps.push(d0.then((d) => d.migMode())); break;
      case 2: ps.push(d0.then((d) => d.memoryInfo())); break;
      case 3: ps.push(d1.then((d) => d.gpuInstances())); break;
      case 4: ps.push(d1.then((d) => d.createGpuInstance(19))); break;
      case 5: ps.push(d1.then(async (d) => { const gis = await d.gpuInstances(); const r = await Promise.allSettled(gis.map((g) => g.destroy())); const bad = r.find((x) => x.status === "rejected"); if (bad) throw (bad as PromiseRejectedResult).reason; })); break;
      case 6: ps.push(nvml.deviceCount()); break;
      case 7: ps.push(d0.then((d) => d.computeProcesses())); break;
      case 8: ps.push(d1.then((d) => d.gpuInstanceRemainingCapacity(19))); break;
      default: ps.push(nvml.driverVersion()); break;
    }
  }
  return ps;
}

let base: Nvml;
beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  // Read at every first nvmlInit: the machine survives the shutdowns below.
  process.env.NVML_MOCK_MACHINE = 'h100-80gb:2';
  base = await init({ libraryPath: MOCK });
  await base.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
  await (await base.device(1)).setMigMode(true);
  await (await base.device(0)).setMigMode(true);
});
afterAll(async () => {
  await base?.shutdown().catch(() => undefined);
});

describe('calls in flight', () => {
  it(`${N} mixed calls at once all settle; the layout is what the settled mutations say`, async () => {
    const r = await settleAll(mixed(base, N));
    expect(r.other).toEqual([]);
    expect(r.ok).toBeGreaterThan(N / 2);
    // Only the driver's own refusals (capacity full, a GI already destroyed by a racing destroy, a
    // GI handle invalidated by a destroy that ran first).
    for (const code of Object.keys(r.nvml)) expect(['NVML_ERROR_INSUFFICIENT_RESOURCES', 'NVML_ERROR_NOT_FOUND', 'ERR_NVML_STALE_HANDLE', 'NVML_ERROR_INVALID_ARGUMENT']).toContain(code);
    expect(b.pendingCalls()).toBe(0);
    const state = (await base.mockControl({ cmd: 'state' })).state;
    const d1 = await base.device(1);
    expect((await d1.gpuInstances()).map((g) => g.id).sort()).toEqual(state.gpus[1].gpuInstances.map((g: any) => g.id).sort());
    console.log(`concurrency: ${N} calls, ${r.ok} ok, refusals ${JSON.stringify(r.nvml)}`);
  }, limit(60_000));

  it('shutdown() while thousands of calls are in flight: they all settle, then the library is closed', async () => {
    const nvml = await init({ libraryPath: MOCK });
    // The base reference is dropped too, so this shutdown() brings the count to 0.
    await base.shutdown();
    const ps = mixed(nvml, N);
    const closed = nvml.shutdown();
    const late = nvml.deviceCount().then(() => null, (e) => e);
    const r = await settleAll([...ps, closed.then(() => 'closed')]);
    expect(r.other).toEqual([]);
    const lateErr = await late;
    expect(isNvmlError(lateErr, 'ERR_NVML_NOT_INITIALIZED')).toBe(true);
    expect(b.isOpen()).toBe(false);
    expect(b.pendingCalls()).toBe(0);
    base = await init({ libraryPath: MOCK });
    expect(await base.deviceCount()).toBe(2);
  }, limit(60_000));

  it('init()/shutdown() races: random interleavings settle and the count balances', async () => {
    for (let round = 0; round < (SLOW ? 5 : 20); round++) {
      const ops: Array<Promise<unknown>> = [];
      const opened: Array<Promise<Nvml>> = [];
      for (let i = 0; i < 30; i++) {
        const r = (i * 7 + round * 13) % 5;
        if (r < 2) {
          const p = init({ libraryPath: MOCK });
          opened.push(p);
          ops.push(p);
        } else if (r === 2 && opened.length) {
          ops.push(opened[opened.length - 1].then((n) => n.deviceCount()));
        } else if (r === 3 && opened.length) {
          ops.push(opened.shift()!.then((n) => n.shutdown()));
        } else {
          ops.push(base.deviceCount());
        }
      }
      for (const p of opened) ops.push(p.then((n) => n.shutdown()));
      const r = await settleAll(ops);
      expect(r.other).toEqual([]);
      expect(Object.keys(r.nvml)).toEqual([]);
      // Every extra reference went back: only `base` holds the library.
      expect(await base.deviceCount()).toBe(2);
    }
    expect(b.pendingCalls()).toBe(0);
  }, limit(60_000));
});

describe('worker threads', () => {
  const worker = (data: object) =>
    new Worker(path.join(__dirname, 'workers', 'calls.js'), {
      workerData: { dist: path.join(ROOT, 'dist', 'index.js'), mock: MOCK, calls: SLOW ? 200 : 1000, ...data },
    });
  const result = (w: Worker) =>
    new Promise<any>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => resolve({ exited: code }));
    });

  it('the addon loads in several worker threads at once (context-aware), each with its own state', async () => {
    const workers = Array.from({ length: 4 }, () => worker({}));
    // The main thread keeps calling while the workers run.
    const mainCalls = settleAll(mixed(base, 500));
    const results = await Promise.all(workers.map(result));
    for (const r of results) {
      expect(r.fatal).toBeUndefined();
      expect(r.other).toBe(0);
      expect(r.ok + r.nvmlError).toBe(SLOW ? 200 : 1000);
    }
    expect((await mainCalls).other).toEqual([]);
    await Promise.all(workers.map((w) => w.terminate()));
    // The main thread's library is still open and answers.
    expect(await base.deviceCount()).toBe(2);
  }, limit(60_000));

  it('a worker terminated with calls in flight does not take the process down', async () => {
    for (let i = 0; i < (SLOW ? 2 : 5); i++) {
      const w = worker({ hold: true });
      const m = await result(w);
      expect(m.inFlight).toBeGreaterThan(0);
      await w.terminate();
    }
    expect(await base.deviceCount()).toBe(2);
    expect(b.pendingCalls()).toBe(0);
  }, limit(60_000));
});
