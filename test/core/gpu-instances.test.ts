// GPU instances on an H100 with MIG on: create (driver-placed and placed), list, get, info,
// destroy, the documented refusals, stale objects, argument checks and the caller's stack.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type Device, type Nvml } from '../../dist/index.js';
import { MOCK, expectCode, rejection } from './helpers';

let nvml: Nvml;
let dev: Device;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
beforeEach(async () => {
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  dev = await nvml.device(0);
  const r = await dev.setMigMode(true);
  expect(r).toEqual({ activationStatus: 'NVML_SUCCESS', activationStatusReturn: 0, mode: { current: true, pending: true, changePending: false } });
});
afterAll(() => nvml.shutdown());

async function nvmlCalls(): Promise<string[]> {
  const { calls } = await nvml.mockControl({ cmd: 'callLog' });
  return calls.map((c: { fn: string }) => c.fn);
}

describe('GPU instances', () => {
  it('MIG on: 7 MIG devices possible, no device-wide utilization', async () => {
    expect(await dev.maxMigDeviceCount()).toBe(7);
    await expectCode(dev.utilizationRates(), 'NVML_ERROR_NOT_SUPPORTED');
    expect(await dev.gpuInstances()).toEqual([]);
  });

  it('driver placement fills 1g slots 6, 4, 5, 0, 1, 2, 3 (as the real H100 did), then INSUFFICIENT_RESOURCES', async () => {
    // Issued together: mutations on one GPU complete in the order they were issued.
    const gis = await Promise.all(Array.from({ length: 7 }, () => dev.createGpuInstance(19)));
    expect(gis.map((g) => g.placement.start)).toEqual([6, 4, 5, 0, 1, 2, 3]);
    for (const g of gis) {
      expect(g.profileId).toBe(19);
      expect(g.placement.size).toBe(1);
      expect(g.id).toBeGreaterThanOrEqual(7); // 1-slot pool: GI ids 7..14
      expect(g.id).toBeLessThanOrEqual(14);
    }
    expect(new Set(gis.map((g) => g.id)).size).toBe(7);
    expect(await dev.gpuInstanceRemainingCapacity(19)).toBe(0);
    const e = await expectCode(dev.createGpuInstance(19), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(e.nvmlReturn).toBe(23);
    expect(e.fn).toBe('nvmlDeviceCreateGpuInstance');
  });

  it('explicit placement, overlap and bad placement', async () => {
    const g3 = await dev.createGpuInstance(9, { start: 4, size: 4 });
    expect(g3.placement).toEqual({ start: 4, size: 4 });
    expect([1, 2]).toContain(g3.id); // 4-slot pool
    expect(await dev.gpuInstanceRemainingCapacity(9)).toBe(1);
    expect(await dev.gpuInstanceRemainingCapacity(0)).toBe(0);
    // 4g beside 3g is allowed since R510.
    const g4 = await dev.createGpuInstance(5, { start: 0, size: 4 });
    expect(g4.placement).toEqual({ start: 0, size: 4 });
    await g4.destroy();
    const overlap = await expectCode(dev.createGpuInstance(14, { start: 4, size: 2 }), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(overlap.fn).toBe('nvmlDeviceCreateGpuInstanceWithPlacement');
    await expectCode(dev.createGpuInstance(9, { start: 2, size: 4 }), 'NVML_ERROR_INVALID_ARGUMENT');
  });

  it('lists (all profiles sorted by id, or one profile), gets by id, info, profile', async () => {
    const a = await dev.createGpuInstance(19);
    const b = await dev.createGpuInstance(9, { start: 0, size: 4 });
    const c = await dev.createGpuInstance(14);
    const all = await dev.gpuInstances();
    expect(all.map((g) => g.id)).toEqual([a.id, b.id, c.id].sort((x, y) => x - y));
    expect((await dev.gpuInstances(19)).map((g) => g.id)).toEqual([a.id]);
    expect(await dev.gpuInstances(0)).toEqual([]);
    const got = await dev.gpuInstance(b.id);
    expect([got.id, got.profileId, got.placement]).toEqual([b.id, 9, { start: 0, size: 4 }]);
    expect(got.device).toBe(dev);
    expect(await c.info()).toEqual({ id: c.id, profileId: 14, placement: c.placement });
    const prof = await b.profile();
    expect([prof.name, prof.id, prof.index]).toEqual(['MIG 3g.40gb', 9, 2]);
    const unused = [3, 4, 5, 6].find((id) => id !== c.id)!;
    await expectCode(dev.gpuInstance(unused), 'NVML_ERROR_NOT_FOUND');
  });

  it('destroy; the destroyed object and other objects of it are stale, even when the id is reused', async () => {
    const gi = await dev.createGpuInstance(9, { start: 0, size: 4 });
    const other = await dev.gpuInstance(gi.id);
    await gi.destroy();
    await expectCode(gi.info(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(gi.destroy(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(other.info(), 'ERR_NVML_STALE_HANDLE');
    const again = await dev.createGpuInstance(9, { start: 0, size: 4 });
    expect(again.id).toBe(gi.id);
    await expectCode(other.info(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(other.createComputeInstance(2), 'ERR_NVML_STALE_HANDLE');
    expect(await dev.gpuInstances()).toHaveLength(1);
    expect(await dev.gpuInstanceRemainingCapacity(9)).toBe(1);
  });

  it('destroy is IN_USE while the GI has compute instances (and their processes)', async () => {
    const gi = await dev.createGpuInstance(14);
    const ci = await gi.createComputeInstance(1);
    const e = await expectCode(gi.destroy(), 'NVML_ERROR_IN_USE');
    expect([e.nvmlReturn, e.fn]).toEqual([19, 'nvmlGpuInstanceDestroy']);
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 777, name: 'train', usedMemoryMiB: 100, gi: gi.id, ci: ci.id });
    await expectCode(ci.destroy(), 'NVML_ERROR_IN_USE');
    await expectCode(gi.destroy(), 'NVML_ERROR_IN_USE');
    await nvml.mockControl({ cmd: 'removeProcess', pid: 777 });
    await ci.destroy();
    await gi.destroy();
    expect(await dev.gpuInstances()).toEqual([]);
  });

  it('argument checks: TypeError / RangeError before any NVML call', async () => {
    await nvml.mockControl({ cmd: 'clearCallLog' });
    const bad: Array<[() => Promise<unknown>, ErrorConstructor]> = [
      [() => dev.createGpuInstance('19' as never), TypeError],
      [() => dev.createGpuInstance(-1), RangeError],
      [() => dev.createGpuInstance(2 ** 32), RangeError],
      [() => dev.createGpuInstance(19.5), RangeError],
      [() => dev.createGpuInstance(NaN), RangeError],
      [() => dev.createGpuInstance(19, null as never), TypeError],
      [() => dev.createGpuInstance(19, { start: 0 } as never), TypeError],
      [() => dev.createGpuInstance(19, { start: 1.5, size: 1 }), RangeError],
      [() => dev.createGpuInstance(19, { start: 0, size: -1 }), RangeError],
      [() => dev.createGpuInstance(19, [0, 1] as never), TypeError],
      [() => dev.gpuInstance(-3), RangeError],
      [() => dev.gpuInstances('all' as never), TypeError],
      [() => dev.gpuInstanceProfile(1.25), RangeError],
      [() => dev.gpuInstanceProfileById(undefined as never), TypeError],
      [() => dev.gpuInstancePlacements(-1), RangeError],
      [() => dev.gpuInstanceRemainingCapacity({} as never), TypeError],
      [() => dev.setMigMode(1 as never), TypeError],
      [() => dev.setMigMode('true' as never), TypeError],
      [() => dev.migDevice('0' as never), TypeError],
      [() => nvml.device(-1), RangeError],
      [() => nvml.deviceByUuid(5 as never), TypeError],
      [() => nvml.deviceByUuid(''), RangeError],
      [() => nvml.deviceByPciBusId(null as never), TypeError],
      [() => nvml.mockControl('reset' as never), TypeError],
    ];
    for (const [call, type] of bad) {
      const e = await rejection(call());
      expect(e, String(call)).toBeInstanceOf(type);
    }
    expect((await nvmlCalls()).filter((f) => f !== 'nvmlMockControl')).toEqual([]);
  });

  it("a failure carries the caller's stack", async () => {
    async function createFourSevenSlices(): Promise<unknown> {
      await dev.createGpuInstance(0);
      return dev.createGpuInstance(0);
    }
    const e = await expectCode(createFourSevenSlices(), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    const lines = String(e.stack).split('\n');
    expect(lines[0]).toBe(`NvmlError: ${e.message}`);
    expect(e.message).toContain('nvmlDeviceCreateGpuInstance');
    expect(e.stack).toContain('createFourSevenSlices');
    expect(e.stack).toContain('gpu-instances.test.ts');
  });
});
