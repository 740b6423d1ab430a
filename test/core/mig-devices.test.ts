// MIG devices of an H100: enumeration (sparse indices), identity, memory and attributes of the
// GI (docs/mock.md, Behaviour; the real H100's numbers), processes, lookup by MIG UUID.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, MigDevice, type Device, type Nvml } from '../../dist/index.js';
import { MOCK, expectCode } from './helpers';

let nvml: Nvml;
let dev: Device;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
beforeEach(async () => {
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  dev = await nvml.device(0);
  await dev.setMigMode(true);
});
afterAll(() => nvml.shutdown());

const MIB = 1024 * 1024;

describe('MIG devices', () => {
  it('one per CI, in (GI id, CI id) order, with the GI memory and attributes', async () => {
    const g1 = await dev.createGpuInstance(19);
    const c1 = await g1.createComputeInstance(0);
    const g3 = await dev.createGpuInstance(9, { start: 0, size: 4 });
    const c3 = await g3.createComputeInstance(2); // the GI-wide CI of a 3g
    const migs = await dev.migDevices();
    expect(migs).toHaveLength(2);
    const ids = await Promise.all(migs.map(async (m) => [await m.gpuInstanceId(), await m.computeInstanceId()]));
    expect(ids).toEqual([[g3.id, c3.id], [g1.id, c1.id]]); // 3g has the lower GI id (pool 1..2)
    const m3 = migs[0];
    expect(m3).toBeInstanceOf(MigDevice);
    expect(m3.parent).toBe(dev);
    expect(m3.index).toBeGreaterThanOrEqual(0);
    expect(await m3.uuid()).toMatch(/^MIG-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await m3.name()).toContain('3g.40gb');
    expect((await m3.memoryInfo()).total).toBe(40448 * MIB);
    // INFERRED: MIG device attributes (CI SMs = GI SMs for the full-GI CI) were never captured on a Hopper GPU.
    expect(await m3.attributes(), 'INFERRED values (Hopper MIG device attributes never captured)').toEqual({
      multiprocessorCount: 60,
      sharedCopyEngineCount: 3,
      sharedDecoderCount: 3,
      sharedEncoderCount: 0,
      sharedJpegCount: 3,
      sharedOfaCount: 0,
      gpuInstanceSliceCount: 3,
      computeInstanceSliceCount: 3,
      memorySizeMB: 40448,
    });
    expect((await migs[1].attributes()).multiprocessorCount, 'INFERRED: 1g CI SMs = 1g GI SMs').toBe(16);
    expect((await migs[1].memoryInfo()).total).toBe(9984 * MIB);
    expect(await m3.isMigDeviceHandle()).toBe(true);
    expect(await m3.parentDevice()).toBe(dev);
    // The same MIG device through its CI.
    expect(await (await c3.migDevice()).uuid()).toBe(await m3.uuid());
    expect(await dev.migDevice(m3.index).then((m) => m?.uuid())).toBe(await m3.uuid());
  });

  it('sparse indices: an emptied index is null and skipped', async () => {
    const gis = await Promise.all([dev.createGpuInstance(19), dev.createGpuInstance(19), dev.createGpuInstance(19)]);
    const cis = await Promise.all(gis.map((g) => g.createComputeInstance(0)));
    const before = await dev.migDevices();
    expect(before).toHaveLength(3);
    const victim = before[0];
    const victimGi = await victim.gpuInstanceId();
    const ci = cis[gis.findIndex((g) => g.id === victimGi)];
    await ci.destroy();
    const after = await dev.migDevices();
    expect(after).toHaveLength(2);
    const slots = await Promise.all(Array.from({ length: 7 }, (_, i) => dev.migDevice(i)));
    expect(slots.filter((m) => m !== null)).toHaveLength(2);
    expect(after.map((m) => m.index)).toEqual(slots.flatMap((m, i) => (m ? [i] : [])));
    await expectCode(dev.migDevice(7), 'NVML_ERROR_INVALID_ARGUMENT');
  });

  it('a MIG device of a destroyed CI is stale, also once the same CI is created again', async () => {
    const gi = await dev.createGpuInstance(19);
    const ci = await gi.createComputeInstance(0);
    const viaCi = await ci.migDevice();
    const [viaIndex] = await dev.migDevices();
    const uuid = await viaCi.uuid();
    expect(await viaIndex.uuid()).toBe(uuid);
    await ci.destroy();
    await expectCode(viaCi.uuid(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(viaIndex.memoryInfo(), 'ERR_NVML_STALE_HANDLE');
    const again = await gi.createComputeInstance(0);
    expect(again.id).toBe(ci.id);
    await expectCode(viaCi.computeInstanceId(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(viaIndex.uuid(), 'ERR_NVML_STALE_HANDLE');
    expect(await (await again.migDevice()).gpuInstanceId()).toBe(gi.id);
  });

  it('deviceByUuid: MIG- gives the MigDevice under its parent, GPU- the Device', async () => {
    const gi = await dev.createGpuInstance(14);
    const ci = await gi.createComputeInstance(1);
    const uuid = await (await ci.migDevice()).uuid();
    const found = await nvml.deviceByUuid(uuid);
    expect(found).toBeInstanceOf(MigDevice);
    const mig = found as MigDevice;
    expect(mig.parent).toBe(dev);
    expect(mig.index).toBe(-1);
    expect(await mig.uuid()).toBe(uuid);
    expect([await mig.gpuInstanceId(), await mig.computeInstanceId()]).toEqual([gi.id, ci.id]);
    expect(await nvml.deviceByUuid(await dev.uuid())).toBe(dev);
  });

  it('processes on a MIG device carry its GI and CI ids', async () => {
    const gi = await dev.createGpuInstance(19);
    const ci = await gi.createComputeInstance(0);
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 5150, name: 'python', usedMemoryMiB: 2048, gi: gi.id, ci: ci.id });
    const mig = await ci.migDevice();
    expect(await mig.computeProcesses()).toEqual([{ pid: 5150, usedGpuMemory: 2048 * MIB, gpuInstanceId: gi.id, computeInstanceId: ci.id }]);
    const onGpu = await dev.computeProcesses();
    expect(onGpu.map((p) => [p.pid, p.gpuInstanceId, p.computeInstanceId])).toEqual([[5150, gi.id, ci.id]]);
  });
});
