// Per-instance activity end to end on the mock: a load set per GPU instance through the control
// channel comes back in Monitor snapshots (sampled on the monitor's own schedule: a snapshot never
// waits for a GPM window) and in the exporter's DCGM_FI_PROF_* series with dcgm-exporter's labels.
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor, startExporter, watch, type MigExporter, type Snapshot } from '../../dist/monitor/index.js';
import { get, parseExposition, useMock } from './helpers';

const mock = useMock('h100-80gb:2');
let exporter: MigExporter | null = null;
let monitor: Monitor | null = null;
afterEach(async () => {
  await exporter?.close();
  await monitor?.close();
  exporter = null;
  monitor = null;
});

/** GPU 0: MIG on, a 2g GI at 0 (30% load) and a 1g GI at 4 (80%); GPU 1: MIG off, 45%. */
async function loaded() {
  const nvml = mock.nvml;
  const gpu = await nvml.device(0);
  await gpu.setMigMode(true);
  const g2 = await gpu.createGpuInstance(14, { start: 0, size: 2 });
  await g2.createComputeInstance(1);
  const g1 = await gpu.createGpuInstance(19, { start: 4, size: 1 });
  await g1.createComputeInstance(0);
  await nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: g2.id, load: 0.3 });
  await nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: g1.id, load: 0.8, tensor: 0.5 });
  await nvml.mockControl({ cmd: 'setLoad', gpu: 1, load: 0.45 });
  // The counters tick every 100 ms: windows that start from now on see the loads in full.
  await new Promise((r) => setTimeout(r, 110));
  return { g2: g2.id, g1: g1.id };
}

/** Snapshots until `done` holds (bounded). */
async function until(m: Monitor, done: (s: Snapshot) => boolean, ms = 5000): Promise<Snapshot> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await m.snapshot();
    if (done(s)) return s;
    if (Date.now() > end) throw new Error(`activity did not arrive within ${ms} ms: ${JSON.stringify(s.gpus.map((g) => g.activity))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('activity in snapshots and in the exporter', () => {
  it('the snapshot carries per-GPU and per-instance activity, without waiting for a window', async () => {
    const ids = await loaded();
    monitor = new Monitor(mock.nvml, { activityIntervalMs: 100 });
    const first = await monitor.snapshot();
    // The first snapshot starts the sampler and does not wait for it.
    expect(first.gpus.map((g) => g.activity)).toEqual([null, null]);
    const start = Date.now();
    const s = await until(monitor, (x) => x.gpus.every((g) => (g.activity?.timestamp ?? 0) > start + 150) && x.gpus[0].gpuInstances.every((gi) => (gi.activity?.timestamp ?? 0) > start + 150));
    const [g0, g1] = s.gpus;
    const gi = (id: number) => g0.gpuInstances.find((x) => x.id === id)!;
    expect(gi(ids.g2).activity!.metrics.smActivity!.value).toBeCloseTo(30, 6);
    expect(gi(ids.g1).activity!.metrics.smActivity!.value).toBeCloseTo(80, 6);
    expect(gi(ids.g1).activity!.metrics.tensorActivity!.value).toBeCloseTo(50, 6);
    expect(g0.activity!.metrics.smActivity!.value).toBeCloseTo(30 * (2 / 7) + 80 * (1 / 7), 6);
    expect(g1.activity!.metrics.graphicsActivity!.value).toBeCloseTo(45, 6);
    expect(g1.gpuInstances).toEqual([]);
  });

  it('a load change shows up in a later snapshot; activity off gives null', async () => {
    const ids = await loaded();
    monitor = new Monitor(mock.nvml, { activityIntervalMs: 100 });
    await until(monitor, (x) => x.gpus[0].gpuInstances.find((gi) => gi.id === ids.g2)?.activity?.metrics.smActivity?.value === 30);
    await mock.nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: ids.g2, load: 0.6 });
    await until(monitor, (x) => Math.abs((x.gpus[0].gpuInstances.find((gi) => gi.id === ids.g2)?.activity?.metrics.smActivity?.value ?? 0) - 60) < 1e-6);
    const off = new Monitor(mock.nvml, { activity: false });
    await off.snapshot();
    await new Promise((r) => setTimeout(r, 250));
    const s = await off.snapshot();
    expect(s.gpus.map((g) => g.activity)).toEqual([null, null]);
    expect(() => new Monitor(mock.nvml, { activityIntervalMs: 50 })).toThrow(RangeError);
  });

  it('the exporter emits DCGM_FI_PROF_* per GPU and per MIG instance, as 0-1 ratios with GPU_I_ID and GPU_I_PROFILE', async () => {
    const ids = await loaded();
    monitor = new Monitor(mock.nvml, { activityIntervalMs: 100 });
    exporter = await startExporter(mock.nvml, { port: 0, intervalMs: 100, monitor });
    const end = Date.now() + 5000;
    let s = parseExposition((await get(exporter.url)).text);
    const sm = () => s.filter((x) => x.name === 'DCGM_FI_PROF_SM_ACTIVE');
    while (sm().length < 4 && Date.now() < end) {
      await exporter.nextRefresh();
      s = parseExposition((await get(exporter.url)).text);
    }
    const of = (name: string, gpu: string, gi?: number) =>
      s.find((x) => x.name === name && x.labels.gpu === gpu && x.labels.GPU_I_ID === (gi === undefined ? undefined : String(gi)))?.value;
    expect(of('DCGM_FI_PROF_SM_ACTIVE', '0', ids.g2)).toBeCloseTo(0.3, 6);
    expect(of('DCGM_FI_PROF_SM_ACTIVE', '0', ids.g1)).toBeCloseTo(0.8, 6);
    expect(of('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', '0', ids.g1)).toBeCloseTo(0.5, 6);
    expect(of('DCGM_FI_PROF_GR_ENGINE_ACTIVE', '0')).toBeCloseTo((0.3 * 2 + 0.8) / 7, 6);
    expect(of('DCGM_FI_PROF_DRAM_ACTIVE', '1')).toBeCloseTo(0.45, 6);
    expect(of('DCGM_FI_PROF_SM_OCCUPANCY', '1')).toBeCloseTo(0.45, 6);
    const labels = s.find((x) => x.name === 'DCGM_FI_PROF_SM_ACTIVE' && x.labels.GPU_I_ID === String(ids.g1))!.labels;
    expect(labels).toMatchObject({ gpu: '0', device: 'nvidia0', GPU_I_PROFILE: '1g.10gb', GPU_I_ID: String(ids.g1) });
    for (const x of s.filter((y) => y.name.startsWith('DCGM_FI_PROF_'))) {
      expect(x.value).toBeGreaterThanOrEqual(0);
      expect(x.value).toBeLessThanOrEqual(1);
    }
  });

  it('watch() snapshots carry the activity too, and close() stops the sampler it made', async () => {
    const ids = await loaded();
    const w = watch(mock.nvml, { intervalMs: 50 });
    await w.ready;
    // The watcher's own monitor samples 1000 ms windows: wait for one.
    const snap = await new Promise<Snapshot>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no activity in 5 s')), 5000);
      w.on('snapshot', (x: Snapshot) => {
        if (x.gpus[0].gpuInstances.find((gi) => gi.id === ids.g1)?.activity) {
          clearTimeout(t);
          resolve(x);
        }
      });
    });
    expect(snap.gpus[0].gpuInstances.find((gi) => gi.id === ids.g1)!.activity!.metrics.smActivity!.value).toBeCloseTo(80, 6);
    await w.close();
    // The window in progress ends and frees its samples; no new window starts.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await mock.nvml.mockControl({ cmd: 'gpmSamples' })).count).toBe(0);
    await mock.nvml.mockControl({ cmd: 'clearCallLog' });
    await new Promise((r) => setTimeout(r, 300));
    const calls = (await mock.nvml.mockControl({ cmd: 'callLog' })).calls as Array<{ fn: string }>;
    expect(calls.filter((c) => c.fn.startsWith('nvmlGpm'))).toEqual([]);
  }, 15_000);
});
