// snapshot(): one worker trip over every GPU, its GIs/CIs and MIG devices; per-item failures
// are collected instead of failing the whole read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawSnapshot } from '../../dist/native.js';
import { b, control, enableMig, openMock } from './helpers';

let h100: number, a30: number;
beforeAll(async () => {
  await openMock('h100-80gb:1,a30:1');
  h100 = await b.deviceGetHandleByIndex(0);
  a30 = await b.deviceGetHandleByIndex(1);
  await enableMig(h100, 0);
  // H100: a 3g GI with two 1c CIs, a 1g GI with its full CI. The A30 stays MIG-off.
  const g3 = await b.deviceCreateGpuInstance(h100, 9, { start: 4, size: 4 });
  await b.gpuInstanceCreateComputeInstance(g3, 0);
  await b.gpuInstanceCreateComputeInstance(g3, 0);
  const g1 = await b.deviceCreateGpuInstance(h100, 19, { start: 0, size: 1 });
  await b.gpuInstanceCreateComputeInstance(g1, 0);
  await control({ cmd: 'addProcess', gpu: 1, pid: 99, name: 'x', usedMemoryMiB: 100 });
});
afterAll(() => b.close());

function check(s: RawSnapshot) {
  expect(typeof s.startedNs).toBe('bigint');
  expect(s.finishedNs >= s.startedNs).toBe(true);
  expect(s.devices.map((d) => d.index)).toEqual([0, 1]);
  const [h, a] = s.devices;
  expect(h.handle).toBe(h100);
  expect(a.handle).toBe(a30);
  expect(h.name).toBe('NVIDIA H100 80GB HBM3');
  expect(a.name).toMatch(/A30/);
  expect(h.uuid).toMatch(/^GPU-/);
  expect(h.pciBusId).toMatch(/:00\.0$/);
  expect(h.migMode).toEqual({ current: 1, pending: 1 });
  expect(a.migMode).toEqual({ current: 0, pending: 0 });
  expect(h.memory!.total).toBeGreaterThan(80e9);
  expect(a.processes).toEqual([{ pid: 99, usedGpuMemory: 100 * 1024 * 1024, gpuInstanceId: null, computeInstanceId: null }]);
  expect(a.gpuInstances).toEqual([]);
  expect(a.migDevices).toEqual([]);
  expect(a.utilization).not.toBeNull();
  // GIs sorted by id, with their CIs.
  expect(h.gpuInstances.map((g) => [g.profileId, g.placement, g.computeInstances.length])).toEqual(
    [...h.gpuInstances].sort((x, y) => x.id - y.id).map((g) => [g.profileId, g.placement, g.computeInstances.length]),
  );
  const byProfile = Object.fromEntries(h.gpuInstances.map((g) => [g.profileId, g]));
  expect(byProfile[9].placement).toEqual({ start: 4, size: 4 });
  expect(byProfile[9].computeInstances.map((c) => c.profileId)).toEqual([0, 0]);
  expect(byProfile[19].computeInstances).toEqual([{ id: 0, profileId: 0, placement: { start: 0, size: 1 } }]);
  // One MIG device per CI, with GI/CI ids that match.
  expect(h.migDevices).toHaveLength(3);
  for (const m of h.migDevices) {
    expect(m.uuid).toMatch(/^MIG-/);
    expect(m.name).toMatch(/MIG/);
    const gi = h.gpuInstances.find((g) => g.id === m.gpuInstanceId)!;
    expect(gi.computeInstances.map((c) => c.id)).toContain(m.computeInstanceId);
    expect(m.attributes!.gpuInstanceSliceCount).toBe(gi.profileId === 9 ? 3 : 1);
    expect(m.memory!.total).toBeGreaterThan(0);
    expect(m.processes).toEqual([]);
  }
  expect(h.errors).toEqual([]);
  expect(a.errors).toEqual([]);
}

describe('snapshot', () => {
  it('reads everything in one trip, with the shape of RawSnapshot', async () => {
    const s = await b.snapshot();
    check(s);
    // MIG device handles are the ids the single calls give.
    const mig0 = await b.deviceGetMigDeviceHandleByIndex(h100, s.devices[0].migDevices[0].index);
    expect(mig0).toBe(s.devices[0].migDevices[0].handle);
    expect(await b.deviceGetUuid(mig0)).toBe(s.devices[0].migDevices[0].uuid);
  });

  it('snapshotSync is the blocking twin with the same answer', async () => {
    const s = b.snapshotSync();
    check(s);
    const a = await b.snapshot();
    expect({ ...a, startedNs: 0, finishedNs: 0 }).toEqual({ ...s, startedNs: 0, finishedNs: 0 });
  });

  it('a failing read becomes an error entry, the rest is still read', async () => {
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetUUID', code: 15, always: true });
    const s = await b.snapshot();
    await control({ cmd: 'clearFaults' });
    const [h, a] = s.devices;
    expect(h.uuid).toBeNull();
    expect(h.name).toBe('NVIDIA H100 80GB HBM3');
    expect(h.errors).toContainEqual({ fn: 'nvmlDeviceGetUUID', nvmlReturn: 15, code: 'NVML_ERROR_GPU_IS_LOST' });
    expect(a.errors).toContainEqual({ fn: 'nvmlDeviceGetUUID', nvmlReturn: 15, code: 'NVML_ERROR_GPU_IS_LOST' });
    expect(h.migDevices.every((m) => m.uuid === null && m.gpuInstanceId !== null)).toBe(true);
    // A read made by a helper names the NVML function that failed.
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetMemoryInfo_v2', code: 15, always: true });
    const s2 = await b.snapshot();
    await control({ cmd: 'clearFaults' });
    expect(s2.devices[1].memory).toBeNull();
    expect(s2.devices[1].errors).toEqual([{ fn: 'nvmlDeviceGetMemoryInfo_v2', nvmlReturn: 15, code: 'NVML_ERROR_GPU_IS_LOST' }]);
  });

  it('empty MIG device indices (NOT_FOUND, INVALID_ARGUMENT) are skipped, other failures reported', async () => {
    await control({ cmd: 'clearFaults' });
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetMigDeviceHandleByIndex', code: 6, nth: 1 });
    let h = (await b.snapshot()).devices[0];
    expect(h.migDevices.map((m) => m.index)).toEqual([1, 2]);
    expect(h.errors).toEqual([]);
    await control({ cmd: 'clearFaults' });
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetMigDeviceHandleByIndex', code: 2, nth: 2 });
    h = (await b.snapshot()).devices[0];
    expect(h.migDevices.map((m) => m.index)).toEqual([0, 2]);
    expect(h.errors).toEqual([]);
    await control({ cmd: 'clearFaults' });
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetMigDeviceHandleByIndex', code: 15, nth: 1 });
    h = (await b.snapshot()).devices[0];
    expect(h.migDevices.map((m) => m.index)).toEqual([1, 2]);
    expect(h.errors).toEqual([{ fn: 'nvmlDeviceGetMigDeviceHandleByIndex', nvmlReturn: 15, code: 'NVML_ERROR_GPU_IS_LOST' }]);
    await control({ cmd: 'clearFaults' });
  });

  it('is fast: 20 snapshots of two GPUs with MIG devices well under a second', async () => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) await b.snapshot();
    expect(Number(process.hrtime.bigint() - t) / 1e6).toBeLessThan(1000);
  });
});

describe('snapshot text and codes', () => {
  it('driver text with quotes, backslashes, control and non-ASCII characters arrives as the single calls give it', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-snap-')), 'machine.json');
    const name = 'GPU "x" \\ tab\there é 漢 😀';
    fs.writeFileSync(file, JSON.stringify({ gpus: [{ model: 'h100-80gb', name }] }));
    await control({ cmd: 'reset', machine: file });
    const h = await b.deviceGetHandleByIndex(0);
    const single = await b.deviceGetName(h);
    expect(single).toBe(name);
    expect((await b.snapshot()).devices[0].name).toBe(single);
    expect(b.snapshotSync().devices[0].name).toBe(single);
  });

  it('a return code NVML does not define keeps its number and gets NVML_ERROR_UNKNOWN_<n>', async () => {
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetUUID', code: 1234, always: true });
    const s = await b.snapshot();
    await control({ cmd: 'clearFaults' });
    expect(s.devices[0].errors).toContainEqual({ fn: 'nvmlDeviceGetUUID', nvmlReturn: 1234, code: 'NVML_ERROR_UNKNOWN_1234' });
  });
});
