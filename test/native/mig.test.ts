// MIG mode, GPU instance profiles and instances, compute instances and MIG devices through the
// raw surface, against the mock's H100-80GB (values as a real H100 answered: docs/native.md, On a real H100).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b, control, enableMig, openMock, rejects } from './helpers';

let dev: number;
beforeAll(() => openMock());
beforeEach(async () => {
  await control({ cmd: 'reset', machine: 'h100-80gb' });
  await control({ cmd: 'setPrivileged', value: true });
  dev = await b.deviceGetHandleByIndex(0);
});
afterAll(() => b.close());

describe('MIG mode', () => {
  it('get, set with the activation status; Hopper switches at once', async () => {
    expect(await b.deviceGetMigMode(dev)).toEqual({ current: 0, pending: 0 });
    expect(b.deviceGetMigModeSync(dev)).toEqual({ current: 0, pending: 0 });
    expect(await b.deviceSetMigMode(dev, 1)).toEqual({ activationStatus: 0 });
    expect(await b.deviceGetMigMode(dev)).toEqual({ current: 1, pending: 1 });
    expect(await b.deviceSetMigMode(dev, 0)).toEqual({ activationStatus: 0 });
    expect(await b.deviceGetMigMode(dev)).toEqual({ current: 0, pending: 0 });
  });

  it('without privileges: NO_PERMISSION from NVML', async () => {
    await control({ cmd: 'setPrivileged', value: false });
    const e = await rejects(b.deviceSetMigMode(dev, 1), 'NVML_ERROR_NO_PERMISSION', 4);
    expect(e.fn).toBe('nvmlDeviceSetMigMode');
    expect(e.message).toMatch(/^nvmlDeviceSetMigMode: /);
  });

  it('mode must be 0 or 1', () => {
    expect(() => b.deviceSetMigMode(dev, 2 as 0)).toThrow(RangeError);
  });
});

describe('GPU instance profiles (MIG off answers too, as on the real H100)', () => {
  it('index 0 is profile id 19 "MIG 1g.10gb"; version 0 completes the nameless v3 answer with v2', async () => {
    const p = await b.deviceGetGpuInstanceProfileInfo(dev, 0, 0);
    expect(p).toMatchObject({
      id: 19, name: 'MIG 1g.10gb', isP2pSupported: false, sliceCount: 1, instanceCount: 7,
      multiprocessorCount: 16, copyEngineCount: 1, decoderCount: 1, encoderCount: 0, jpegCount: 1, ofaCount: 0,
      memorySizeMB: 9984,
    });
    // Driver 580 (and the mock, like it) leaves the v3 name empty: the name comes from v2.
    expect(p.structVersion).toBe(2);
  });

  it('each struct version reads its own layout', async () => {
    const v1 = await b.deviceGetGpuInstanceProfileInfo(dev, 4, 1);
    const v2 = await b.deviceGetGpuInstanceProfileInfo(dev, 4, 2);
    const v3 = await b.deviceGetGpuInstanceProfileInfo(dev, 4, 3);
    expect([v1.structVersion, v2.structVersion, v3.structVersion]).toEqual([1, 2, 3]);
    expect(v1.name).toBeNull();
    for (const p of [v1, v2, v3]) {
      expect(p).toMatchObject({ id: 0, sliceCount: 7, instanceCount: 1, multiprocessorCount: 132, copyEngineCount: 8, memorySizeMB: 81152, ofaCount: 1 });
    }
    expect(v2.name).toBe('MIG 7g.80gb');
    expect(v3.name).toBe(''); // what the driver put there, asked for v3 explicitly
  });

  it('every H100 index: supported ones, NOT_SUPPORTED gaps, INVALID_ARGUMENT past the end', async () => {
    const want: Record<number, [number, string, number]> = {
      0: [19, 'MIG 1g.10gb', 9984], 1: [14, 'MIG 2g.20gb', 20096], 2: [9, 'MIG 3g.40gb', 40448],
      3: [5, 'MIG 4g.40gb', 40448], 4: [0, 'MIG 7g.80gb', 81152], 7: [20, 'MIG 1g.10gb+me', 9984], 9: [15, 'MIG 1g.20gb', 20096],
    };
    // Real H100, driver 580.159.04: 0x10 is the last NOT_SUPPORTED index, 0x11 the first invalid one.
    for (let index = 0; index < 0x11; index++) {
      if (want[index]) {
        const p = await b.deviceGetGpuInstanceProfileInfo(dev, index, 0);
        expect([p.id, p.name, p.memorySizeMB]).toEqual(want[index]);
      } else {
        const e = await rejects(b.deviceGetGpuInstanceProfileInfo(dev, index, 0), 'NVML_ERROR_NOT_SUPPORTED', 3);
        expect(e.fn).toBe('nvmlDeviceGetGpuInstanceProfileInfoV');
      }
    }
    await rejects(b.deviceGetGpuInstanceProfileInfo(dev, 0x11, 0), 'NVML_ERROR_INVALID_ARGUMENT', 2);
    await rejects(b.deviceGetGpuInstanceProfileInfo(dev, 1000, 0), 'NVML_ERROR_INVALID_ARGUMENT', 2);
  });

  it('by profile id; placements; remaining capacity', async () => {
    const p = await b.deviceGetGpuInstanceProfileInfoById(dev, 15, 0);
    expect([p.id, p.name, p.instanceCount]).toEqual([15, 'MIG 1g.20gb', 4]);
    expect(() => b.deviceGetGpuInstanceProfileInfoById(dev, 15, 1 as 0)).toThrow(RangeError);
    expect(await b.deviceGetGpuInstancePossiblePlacements(dev, 19)).toEqual([0, 1, 2, 3, 4, 5, 6].map((start) => ({ start, size: 1 })));
    expect(await b.deviceGetGpuInstancePossiblePlacements(dev, 15)).toEqual([0, 2, 4, 6].map((start) => ({ start, size: 2 })));
    expect(await b.deviceGetGpuInstancePossiblePlacements(dev, 9)).toEqual([{ start: 0, size: 4 }, { start: 4, size: 4 }]);
    expect(await b.deviceGetGpuInstancePossiblePlacements(dev, 0)).toEqual([{ start: 0, size: 8 }]);
    const caps = await Promise.all([19, 14, 9, 5, 0, 20, 15].map((id) => b.deviceGetGpuInstanceRemainingCapacity(dev, id)));
    expect(caps).toEqual([7, 3, 2, 1, 1, 1, 4]);
  });
});

describe('GPU instances', () => {
  beforeEach(() => enableMig(dev));

  it('create (driver-placed, then placed), list, get by id, info, destroy', async () => {
    const g1 = await b.deviceCreateGpuInstance(dev, 19);
    const info1 = await b.gpuInstanceGetInfo(g1);
    expect(info1).toMatchObject({ device: dev, profileId: 19, placement: { start: 6, size: 1 } });
    const g3 = await b.deviceCreateGpuInstance(dev, 9, { start: 0, size: 4 });
    const info3 = await b.gpuInstanceGetInfo(g3);
    expect(info3).toMatchObject({ profileId: 9, placement: { start: 0, size: 4 } });
    expect(await b.deviceGetGpuInstanceRemainingCapacity(dev, 9)).toBe(0);

    // Dedupe: the same GI is the same id.
    expect(await b.deviceGetGpuInstances(dev, 19)).toEqual([g1]);
    expect(await b.deviceGetGpuInstances(dev, 9)).toEqual([g3]);
    expect(await b.deviceGetGpuInstances(dev, 14)).toEqual([]);
    expect(await b.deviceGetGpuInstanceById(dev, info3.id)).toBe(g3);
    await rejects(b.deviceGetGpuInstanceById(dev, 14), 'NVML_ERROR_NOT_FOUND', 6);

    await b.gpuInstanceDestroy(g1);
    await rejects(b.gpuInstanceGetInfo(g1), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.gpuInstanceDestroy(g1), 'ERR_NVML_STALE_HANDLE');
    expect(await b.deviceGetGpuInstances(dev, 19)).toEqual([]);
    // g3 is untouched.
    expect((await b.gpuInstanceGetInfo(g3)).id).toBe(info3.id);
  });

  it('the driver refusals: INSUFFICIENT_RESOURCES, INVALID_ARGUMENT placement, IN_USE', async () => {
    await b.deviceCreateGpuInstance(dev, 0);
    const e = await rejects(b.deviceCreateGpuInstance(dev, 19), 'NVML_ERROR_INSUFFICIENT_RESOURCES', 23);
    expect(e.fn).toBe('nvmlDeviceCreateGpuInstance');
    await control({ cmd: 'reset', machine: 'h100-80gb' });
    await enableMig(dev);
    await rejects(b.deviceCreateGpuInstance(dev, 9, { start: 2, size: 4 }), 'NVML_ERROR_INVALID_ARGUMENT', 2);
    const gi = await b.deviceCreateGpuInstance(dev, 9, { start: 4, size: 4 });
    await b.gpuInstanceCreateComputeInstance(gi, 0);
    await rejects(b.gpuInstanceDestroy(gi), 'NVML_ERROR_IN_USE', 19);
    // A failed destroy leaves the handle valid.
    expect((await b.gpuInstanceGetInfo(gi)).placement).toEqual({ start: 4, size: 4 });
  });

  it('setMigMode invalidates every GI/CI/MIG handle of the GPU', async () => {
    const gi = await b.deviceCreateGpuInstance(dev, 14);
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 1);
    const mig = await b.deviceGetMigDeviceHandleByIndex(dev, 0);
    await b.deviceSetMigMode(dev, 1);
    await rejects(b.gpuInstanceGetInfo(gi), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.computeInstanceGetInfo(ci), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.deviceGetUuid(mig), 'ERR_NVML_STALE_HANDLE');
    // The device itself stays valid.
    expect(await b.deviceGetName(dev)).toMatch(/H100/);
  });
});

describe('compute instances and MIG devices', () => {
  let gi: number;
  beforeEach(async () => {
    await enableMig(dev);
    gi = await b.deviceCreateGpuInstance(dev, 9, { start: 0, size: 4 }); // 3g.40gb
  });

  it('CI profiles of a 3g GI (index = id), placements, capacity', async () => {
    const c0 = await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 0, 0, 0);
    expect(c0).toMatchObject({ id: 0, sliceCount: 1, structVersion: 3 });
    expect(c0.name).toMatch(/^MIG 1c\.3g\.40gb$/);
    const c2 = await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 2, 0, 2);
    expect(c2).toMatchObject({ id: 2, sliceCount: 3, structVersion: 2, name: 'MIG 3g.40gb' });
    const c1v1 = await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 1, 0, 1);
    expect(c1v1).toMatchObject({ id: 1, sliceCount: 2, structVersion: 1, name: null });
    await rejects(b.gpuInstanceGetComputeInstanceProfileInfo(gi, 3, 0, 0), 'NVML_ERROR_NOT_SUPPORTED', 3);
    expect(await b.gpuInstanceGetComputeInstancePossiblePlacements(gi, 0)).toEqual([0, 1, 2].map((start) => ({ start, size: 1 })));
    expect(await b.gpuInstanceGetComputeInstanceRemainingCapacity(gi, 0)).toBe(3);
  });

  it('create, list, by id, info, MIG device reads, destroy', async () => {
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 0, { start: 1, size: 1 });
    const ci2 = await b.gpuInstanceCreateComputeInstance(gi, 0);
    const info = await b.computeInstanceGetInfo(ci);
    expect(info).toMatchObject({ gpuInstance: gi, profileId: 0, placement: { start: 1, size: 1 } });
    expect((await b.gpuInstanceGetComputeInstances(gi, 0)).sort()).toEqual([ci, ci2].sort());
    expect(await b.gpuInstanceGetComputeInstanceById(gi, info.id)).toBe(ci);
    await rejects(b.gpuInstanceGetComputeInstanceById(gi, 7), 'NVML_ERROR_NOT_FOUND', 6);
    expect(await b.gpuInstanceGetComputeInstanceRemainingCapacity(gi, 0)).toBe(1);

    // The CI info's device is the parent GPU (NVML's header: "Parent device"); the CI's MIG device
    // comes by index.
    expect(info.device).toBe(dev);
    const mig = await b.deviceGetMigDeviceHandleByIndex(dev, 0);
    expect(await b.deviceIsMigDeviceHandle(mig)).toBe(true);
    expect(await b.deviceIsMigDeviceHandle(dev)).toBe(false);
    expect(await b.deviceGetGpuInstanceId(mig)).toBe((await b.gpuInstanceGetInfo(gi)).id);
    expect(await b.deviceGetComputeInstanceId(mig)).toBe(info.id);
    expect(await b.deviceGetDeviceHandleFromMigDeviceHandle(mig)).toBe(dev);
    const uuid = await b.deviceGetUuid(mig);
    expect(uuid).toMatch(/^MIG-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await b.deviceGetHandleByUuid(uuid)).toBe(mig);
    expect(await b.deviceGetName(mig)).toMatch(/MIG/);
    expect((await b.deviceGetMemoryInfo(mig)).total).toBe(40448 * 1024 * 1024);
    const attrs = await b.deviceGetAttributes(mig);
    expect(attrs).toMatchObject({ gpuInstanceSliceCount: 3, computeInstanceSliceCount: 1, memorySizeMB: 40448 });
    await rejects(b.deviceGetGpuInstanceId(dev), 'NVML_ERROR_NOT_SUPPORTED', 3); // not a MIG device

    // MIG devices by index: dense here, same handles (dedupe).
    expect(await b.deviceGetMaxMigDeviceCount(dev)).toBe(7);
    const byIndex = [await b.deviceGetMigDeviceHandleByIndex(dev, 0), await b.deviceGetMigDeviceHandleByIndex(dev, 1)];
    expect(byIndex[0]).toBe(mig);
    expect(await b.deviceGetComputeInstanceId(byIndex[1])).toBe((await b.computeInstanceGetInfo(ci2)).id);
    await rejects(b.deviceGetMigDeviceHandleByIndex(dev, 2), 'NVML_ERROR_NOT_FOUND', 6);

    await b.computeInstanceDestroy(ci);
    await rejects(b.computeInstanceGetInfo(ci), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.deviceGetUuid(mig), 'ERR_NVML_STALE_HANDLE');
    expect((await b.computeInstanceGetInfo(ci2)).id).not.toBe(info.id);

    // A destroyed GI takes its CIs with it.
    await b.computeInstanceDestroy(ci2);
    const ci3 = await b.gpuInstanceCreateComputeInstance(gi, 2);
    await rejects(b.gpuInstanceDestroy(gi), 'NVML_ERROR_IN_USE', 19);
    await b.computeInstanceDestroy(ci3);
    await b.gpuInstanceDestroy(gi);
    await rejects(b.computeInstanceGetInfo(ci3), 'ERR_NVML_STALE_HANDLE');
  });

  it('a CI with processes: destroy IN_USE; processes carry GI/CI ids', async () => {
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 2);
    const info = await b.computeInstanceGetInfo(ci);
    const giId = (await b.gpuInstanceGetInfo(gi)).id;
    await control({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: giId, ci: info.id });
    const procs = await b.deviceGetComputeRunningProcesses(await b.deviceGetMigDeviceHandleByIndex(dev, 0));
    expect(procs).toEqual([{ pid: 4242, usedGpuMemory: 1024 * 1024 * 1024, gpuInstanceId: giId, computeInstanceId: info.id }]);
    await rejects(b.computeInstanceDestroy(ci), 'NVML_ERROR_IN_USE', 19);
    await control({ cmd: 'removeProcess', pid: 4242 });
    await b.computeInstanceDestroy(ci);
  });
});
