// Compute instances, checked against the A100-40GB -lcip of NVIDIA's MIG user guide.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type Device, type GpuInstance, type Nvml } from '../../dist/index.js';
import { A100_40GB_CI_PROFILES, MOCK, expectCode, rejection } from './helpers';

let nvml: Nvml;
let dev: Device;
let gi: GpuInstance;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
beforeEach(async () => {
  await nvml.mockControl({ cmd: 'reset', machine: 'a100-40gb' });
  dev = await nvml.device(0);
  await dev.setMigMode(true);
  await nvml.mockControl({ cmd: 'gpuReset', gpu: 0 }); // Ampere: the mode takes effect at a reset
  gi = await dev.createGpuInstance(9, { start: 0, size: 4 }); // 3g.20gb
});
afterAll(() => nvml.shutdown());

const pick = (p: any) => ({ id: p.id, name: p.name, instanceCount: p.instanceCount, multiprocessorCount: p.multiprocessorCount, isDefault: p.isDefault });

describe('compute instance profiles', () => {
  it('of a 3g.20gb GI: 1c, 2c and the default 3g (index = id)', async () => {
    const profiles = await gi.computeInstanceProfiles();
    expect(profiles.map(pick)).toEqual(A100_40GB_CI_PROFILES['3g.20gb']);
    for (const p of profiles) {
      expect(p.index).toBe(p.id);
      expect(p.shortName).toBe(p.name.slice(4));
      expect(p.structVersion).toBeGreaterThanOrEqual(2);
    }
    const one = await gi.computeInstanceProfile(0);
    expect(pick(one)).toEqual(A100_40GB_CI_PROFILES['3g.20gb'][0]);
    expect(one.sliceCount).toBe(1);
    await expectCode(gi.computeInstanceProfile(3), 'NVML_ERROR_NOT_SUPPORTED'); // no 4c in a 3g GI
    await expectCode(gi.computeInstanceProfile(1000), 'NVML_ERROR_INVALID_ARGUMENT');
  });

  it('of a 4g.20gb GI: no 3c profile', async () => {
    await gi.destroy();
    const g4 = await dev.createGpuInstance(5);
    expect((await g4.computeInstanceProfiles()).map(pick)).toEqual(A100_40GB_CI_PROFILES['4g.20gb']);
  });

  it('placements lie within the GI (the 1c starts 0,1,2 are INFERRED: go-nvml mock values, never captured on hardware); remaining capacity', async () => {
    const one = await gi.computeInstancePlacements(0);
    expect(one, 'INFERRED value (CI placements were never captured on hardware)').toEqual([{ start: 0, size: 1 }, { start: 1, size: 1 }, { start: 2, size: 1 }]);
    for (const id of [1, 2]) {
      for (const p of await gi.computeInstancePlacements(id)) {
        expect(p.size).toBe(id + 1);
        expect(p.start + p.size).toBeLessThanOrEqual(3);
      }
    }
    expect(await gi.computeInstanceRemainingCapacity(0)).toBe(3);
    expect(await gi.computeInstanceRemainingCapacity(2)).toBe(1);
    // A CI profile this GI does not offer.
    const e = await rejection(gi.computeInstancePlacements(7));
    expect(['NVML_ERROR_NOT_SUPPORTED', 'NVML_ERROR_INVALID_ARGUMENT']).toContain(e.code);
  });
});

describe('compute instances', () => {
  it('create (driver-placed and placed), list, get, info, MIG device', async () => {
    const a = await gi.createComputeInstance(0);
    const b = await gi.createComputeInstance(0, { start: 2, size: 1 });
    expect(a.placement.size).toBe(1);
    expect(b.placement).toEqual({ start: 2, size: 1 });
    expect(a.gpuInstance).toBe(gi);
    expect(await gi.computeInstanceRemainingCapacity(0)).toBe(1);
    const list = await gi.computeInstances();
    expect(list.map((c) => c.id)).toEqual([a.id, b.id].sort((x, y) => x - y));
    expect((await gi.computeInstances(0)).length).toBe(2);
    expect(await gi.computeInstances(2)).toEqual([]);
    const got = await gi.computeInstance(b.id);
    expect([got.id, got.profileId, got.placement]).toEqual([b.id, 0, { start: 2, size: 1 }]);
    expect(await b.info()).toEqual({ id: b.id, gpuInstanceId: gi.id, profileId: 0, placement: { start: 2, size: 1 } });
    const mig = await b.migDevice();
    expect(await mig.uuid()).toMatch(/^MIG-/);
    expect(await mig.gpuInstanceId()).toBe(gi.id);
    expect(await mig.computeInstanceId()).toBe(b.id);
    expect(mig.parent).toBe(dev);
    await expectCode(gi.computeInstance(7), 'NVML_ERROR_NOT_FOUND');
  });

  it('refusals: no room (INSUFFICIENT_RESOURCES), occupied slice, destroy IN_USE with processes', async () => {
    const a = await gi.createComputeInstance(0, { start: 0, size: 1 });
    const full = await expectCode(gi.createComputeInstance(2), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(full.fn).toBe('nvmlGpuInstanceCreateComputeInstance');
    const taken = await expectCode(gi.createComputeInstance(0, { start: 0, size: 1 }), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(taken.fn).toBe('nvmlGpuInstanceCreateComputeInstanceWithPlacement');
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 31337, name: 'infer', usedMemoryMiB: 512, gi: gi.id, ci: a.id });
    const inUse = await expectCode(a.destroy(), 'NVML_ERROR_IN_USE');
    expect(inUse.fn).toBe('nvmlComputeInstanceDestroy');
    await expectCode(gi.destroy(), 'NVML_ERROR_IN_USE');
    await nvml.mockControl({ cmd: 'removeProcess', pid: 31337 });
    await a.destroy();
    await expectCode(a.info(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(a.destroy(), 'ERR_NVML_STALE_HANDLE');
    await gi.destroy();
  });

  it('a CI object of a destroyed GI is stale', async () => {
    const ci = await gi.createComputeInstance(2);
    const again = await gi.computeInstance(ci.id);
    await ci.destroy();
    await expectCode(again.info(), 'ERR_NVML_STALE_HANDLE'); // another object of the destroyed CI
    const ci2 = await gi.createComputeInstance(2);
    await ci2.destroy();
    await gi.destroy();
    await expectCode(ci2.migDevice(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(gi.computeInstances(), 'ERR_NVML_STALE_HANDLE');
  });
});
