import { beforeAll, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { Monitor } from '../../dist/monitor/index.js';
import { MOCK_LIB, useMock } from './helpers';

let nvml: Nvml;
const mock = useMock('h100-80gb:2');
beforeAll(() => {
  nvml = mock.nvml;
});

/** GPU 0: MIG on with a 3g GI (two 1c CIs) and two 1g GIs; a process on the 3g GI. GPU 1: MIG off, one process. */
async function buildLayout() {
  const d0 = await nvml.device(0);
  await d0.setMigMode(true);
  const p3 = await d0.gpuInstanceProfile(2);
  const p1 = await d0.gpuInstanceProfile(0);
  const g3 = await d0.createGpuInstance(p3.id);
  const c1 = await g3.computeInstanceProfile(0);
  const ciA = await g3.createComputeInstance(c1.id);
  const ciB = await g3.createComputeInstance(c1.id);
  const g1a = await d0.createGpuInstance(p1.id);
  const g1b = await d0.createGpuInstance(p1.id);
  for (const gi of [g1a, g1b]) await gi.createComputeInstance((await gi.computeInstanceProfile(0)).id);
  await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: g3.id, ci: ciA.id });
  await nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid: 5151, name: 'train', usedMemoryMiB: 2048 });
  return { d0, g3, g1a, g1b, ciA, ciB };
}

describe('Monitor.snapshot', () => {
  it('reads every GPU, GPU instance, compute instance, MIG device and process', async () => {
    const { d0, g3, ciA, ciB } = await buildLayout();
    const snap = await new Monitor(nvml).snapshot();
    expect(snap.gpus).toHaveLength(2);
    const [s0, s1] = snap.gpus;

    expect(s0.index).toBe(0);
    expect(s0.uuid).toBe(await d0.uuid());
    expect(s0.name).toBe(await d0.name());
    expect(s0.pciBusId).toBe((await d0.pciInfo()).busId);
    expect(s0.migMode).toEqual({ current: true, pending: true, changePending: false });
    expect(s0.utilization).toBeNull(); // NVML does not report it under MIG
    expect(s0.errors).toEqual([]);

    const gis = await d0.gpuInstances();
    expect(s0.gpuInstances.map((g) => [g.id, g.profileId, g.placement])).toEqual(gis.map((g) => [g.id, g.profileId, g.placement]));
    const s3 = s0.gpuInstances.find((g) => g.id === g3.id)!;
    expect(s3.profileName).toBe('3g.40gb');
    expect(s0.gpuInstances.filter((g) => g.id !== g3.id).map((g) => g.profileName)).toEqual(['1g.10gb', '1g.10gb']);
    expect(s3.computeInstances.map((c) => c.id).sort()).toEqual([ciA.id, ciB.id].sort());

    const migs = await d0.migDevices();
    expect(s0.migDevices.map((m) => m.uuid)).toEqual(await Promise.all(migs.map((m) => m.uuid())));
    for (const ci of s3.computeInstances) {
      expect(ci.migDevice).not.toBeNull();
      expect(ci.migDevice!.uuid).toMatch(/^MIG-/);
      expect(ci.migDevice!.gpuInstanceId).toBe(g3.id);
      expect(ci.migDevice!.computeInstanceId).toBe(ci.id);
    }
    const ciMig = await ciA.migDevice();
    expect(s3.memory).toEqual(await ciMig.memoryInfo());
    expect(s3.processes).toEqual([
      expect.objectContaining({ pid: 4242, gpuInstanceId: g3.id, computeInstanceId: ciA.id, usedGpuMemory: 1024 * 1024 * 1024 }),
    ]);

    expect(s1.migMode).toEqual({ current: false, pending: false, changePending: false });
    expect(s1.gpuInstances).toEqual([]);
    expect(s1.migDevices).toEqual([]);
    expect(s1.utilization).not.toBeNull();
    expect(s1.memory!.total).toBeGreaterThan(80e9);
    expect(s1.processes).toEqual([expect.objectContaining({ pid: 5151, gpuInstanceId: null, computeInstanceId: null })]);
    expect(s0.layoutKey).not.toBe(s1.layoutKey);
    expect(snap.readNs).toBeGreaterThan(0);
  });

  it('snapshotSync returns the same content as snapshot', async () => {
    await buildLayout();
    const monitor = new Monitor(nvml);
    const a = await monitor.snapshot();
    const b = monitor.snapshotSync();
    expect({ ...b, timestamp: 0, readNs: 0 }).toEqual({ ...a, timestamp: 0, readNs: 0 });
  });

  it('parallelGpus reads GPUs at once with the same content; bad values refused', async () => {
    await buildLayout();
    const seq = await new Monitor(nvml, { activity: false }).snapshot();
    const par = new Monitor(nvml, { activity: false, parallelGpus: 2 });
    for (const s of [await par.snapshot(), par.snapshotSync()]) {
      expect({ ...s, timestamp: 0, readNs: 0 }).toEqual({ ...seq, timestamp: 0, readNs: 0 });
    }
    for (const bad of [0, 65, 2.5]) expect(() => new Monitor(nvml, { parallelGpus: bad })).toThrow(RangeError);
    expect(() => new Monitor(nvml, { parallelGpus: '2' as unknown as number })).toThrow(TypeError);
  });

  it('reports an Ampere mode change as pending', async () => {
    await nvml.mockControl({ cmd: 'reset', machine: 'a100-40gb:1' });
    await (await nvml.device(0)).setMigMode(true);
    const [g] = (await new Monitor(nvml).snapshot()).gpus;
    expect(g.migMode).toEqual({ current: false, pending: true, changePending: true });
  });

  it('adds no NVML calls of its own once profile names are cached', async () => {
    await buildLayout();
    const monitor = new Monitor(nvml);
    await monitor.snapshot();
    const binding = nvml._session.binding;
    const calls = async (f: () => unknown) => {
      await nvml.mockControl({ cmd: 'clearCallLog' });
      await f();
      const log = (await nvml.mockControl({ cmd: 'callLog' })).calls as Array<{ fn: string }>;
      return log.map((c) => c.fn).filter((fn) => fn !== 'nvmlMockControl' && !fn.startsWith('nvmlGpm')); // GPM: the activity sampler's own schedule
    };
    const raw = await calls(() => binding.snapshotSync());
    expect(raw.length).toBeGreaterThan(0);
    expect(await calls(() => monitor.snapshot())).toEqual(raw);
    expect(await calls(() => monitor.snapshotSync())).toEqual(raw);
  });

  it('refreshes profile names when a GPU layout changes', async () => {
    const monitor = new Monitor(nvml);
    const before = await monitor.snapshot(); // GPU 1 has MIG off and no instances
    expect(before.gpus[1].gpuInstances).toEqual([]);
    const d1 = await nvml.device(1);
    await d1.setMigMode(true);
    const p2 = await d1.gpuInstanceProfile(1);
    const gi = await d1.createGpuInstance(p2.id);
    const after = await monitor.snapshot();
    expect(after.gpus[1].gpuInstances.map((g) => [g.id, g.profileName])).toEqual([[gi.id, '2g.20gb']]);
    expect(after.gpus[1].layoutKey).not.toBe(before.gpus[1].layoutKey);
    expect(after.gpus[0].layoutKey).toBe(before.gpus[0].layoutKey);
  });

  it('keeps the snapshot when one GPU read fails, and names the failed read', async () => {
    const memFn = nvml.hasFunction('nvmlDeviceGetMemoryInfo_v2') ? 'nvmlDeviceGetMemoryInfo_v2' : 'nvmlDeviceGetMemoryInfo';
    const monitor = new Monitor(nvml);
    // MIG is off on both GPUs: one memory read per GPU, in index order, so the 2nd is GPU 1's.
    await nvml.mockControl({ cmd: 'setFault', fn: memFn, code: 15, nth: 2 });
    const snap = await monitor.snapshot();
    expect(snap.gpus[0].memory).not.toBeNull();
    expect(snap.gpus[0].errors).toEqual([]);
    expect(snap.gpus[1].memory).toBeNull();
    expect(snap.gpus[1].errors).toEqual([{ fn: memFn, code: 'NVML_ERROR_GPU_IS_LOST', nvmlReturn: 15 }]);
    expect(snap.gpus[1].uuid).toMatch(/^GPU-/);
    await nvml.mockControl({ cmd: 'clearFaults' });
  });
});

describe('after shutdown', () => {
  it('snapshot and snapshotSync refuse with ERR_NVML_NOT_INITIALIZED', async () => {
    const extra = await init({ libraryPath: MOCK_LIB });
    const monitor = new Monitor(extra);
    await extra.shutdown(); // the count goes back to the suite's own init: still open
    await expect(monitor.snapshot()).resolves.toBeDefined();
    await nvml.shutdown();
    await expect(monitor.snapshot()).rejects.toMatchObject({ code: 'ERR_NVML_NOT_INITIALIZED' });
    expect(() => monitor.snapshotSync()).toThrow(expect.objectContaining({ code: 'ERR_NVML_NOT_INITIALIZED' }));
  });
});
