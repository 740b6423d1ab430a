// An H100 80GB HBM3 with MIG disabled must answer exactly as the real one did
// (docs/native.md, 'On a real H100'), through the addon and the mock library.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type Device, type Nvml } from '../../dist/index.js';
import {
  H100_DRIVER, H100_NAME, H100_NVML, H100_PROFILES, H100_REMAINING, H100_UNSUPPORTED_INDICES,
  MOCK, expectCode, profileNumbers, withoutPlacements,
} from './helpers';

let nvml: Nvml;
let dev: Device;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
beforeEach(async () => {
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  dev = await nvml.device(0);
});
afterAll(() => nvml.shutdown());

describe('system', () => {
  it('versions and device count', async () => {
    expect(await nvml.driverVersion()).toBe(H100_DRIVER);
    expect(await nvml.nvmlVersion()).toBe(H100_NVML);
    const cuda = await nvml.cudaDriverVersion();
    expect(Number.isInteger(cuda) && cuda >= 13000).toBe(true);
    expect(await nvml.deviceCount()).toBe(1);
    expect((await nvml.devices()).map((d) => d.index)).toEqual([0]);
  });

  it('identity: name, uuid, pci, minor number, memory', async () => {
    expect(await dev.name()).toBe(H100_NAME);
    const uuid = await dev.uuid();
    expect(uuid).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const pci = await dev.pciInfo();
    expect(pci.busId).toMatch(/^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\.0$/i);
    expect(pci.pciDeviceId >>> 0).toBe(0x233010de); // H100 SXM5 80GB (mig-parted device-filter)
    expect(pci.domain).toBe(parseInt(pci.busId.slice(0, 8), 16));
    expect(pci.bus).toBe(parseInt(pci.busId.slice(9, 11), 16));
    const minor = await dev.minorNumber();
    expect(Number.isInteger(minor) && minor >= 0).toBe(true);
    const mem = await dev.memoryInfo();
    expect(mem.total).toBeGreaterThan(80 * 1e9);
    expect(mem.used + mem.free).toBeLessThanOrEqual(mem.total);
    const util = await dev.utilizationRates();
    expect(util.gpu).toBeGreaterThanOrEqual(0);
    expect(util.gpu).toBeLessThanOrEqual(100);
    expect(await dev.computeProcesses()).toEqual([]);
    expect(await dev.isMigDeviceHandle()).toBe(false);
  });

  it('finds the device by UUID and by PCI bus id (same object)', async () => {
    expect(await nvml.deviceByUuid(await dev.uuid())).toBe(dev);
    expect(await nvml.deviceByPciBusId((await dev.pciInfo()).busId)).toBe(dev);
    await expectCode(nvml.deviceByUuid('GPU-00000000-0000-0000-0000-000000000000'), 'NVML_ERROR_NOT_FOUND');
    await expectCode(nvml.deviceByPciBusId('0000:99:00.0'), 'NVML_ERROR_NOT_FOUND');
    await expectCode(nvml.device(1), 'NVML_ERROR_INVALID_ARGUMENT');
  });

  it('processes on the GPU carry no GI/CI with MIG off', async () => {
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024 });
    expect(await dev.computeProcesses()).toEqual([{ pid: 4242, usedGpuMemory: 1024 * 1024 * 1024, gpuInstanceId: null, computeInstanceId: null }]);
  });
});

describe('MIG disabled answers (the real H100)', () => {
  it('mode off, no MIG devices', async () => {
    expect(await dev.migMode()).toEqual({ current: false, pending: false, changePending: false });
    expect(await dev.maxMigDeviceCount()).toBe(0);
    expect(await dev.migDevices()).toEqual([]);
    // GPU instances need MIG on: the driver's refusal is passed on (not an empty list).
    const e = await expectCode(dev.gpuInstances(), 'NVML_ERROR_NOT_SUPPORTED');
    expect(e.fn).toBe('nvmlDeviceGetGpuInstances');
    await expectCode(dev.createGpuInstance(19), 'NVML_ERROR_NOT_SUPPORTED');
  });

  it('Hopper: MIG changes need no reset, and profiles answer with MIG off', async () => {
    expect(await dev.isResetlessMigSupported()).toBe(true);
    expect(await dev.isMigQueryCapableWhenDisabled()).toBe(true);
  });

  it('every GI profile index: id, driver name and numbers', async () => {
    const profiles = await dev.gpuInstanceProfiles();
    expect(profiles.map(profileNumbers)).toEqual(H100_PROFILES.map(withoutPlacements));
    for (const p of profiles) {
      expect(p.shortName).toBe(p.name.slice(4));
      expect(p.isP2pSupported).toBe(false);
      expect(p.capabilities & 1).toBe(0);
      expect(p.structVersion).toBeGreaterThanOrEqual(2); // the driver's own name
      expect(Object.isFrozen(p)).toBe(true);
    }
  });

  it('single profiles by index and by id', async () => {
    for (const f of H100_PROFILES) {
      expect(profileNumbers(await dev.gpuInstanceProfile(f.index))).toEqual(withoutPlacements(f));
      expect(profileNumbers(await dev.gpuInstanceProfileById(f.id))).toEqual(withoutPlacements(f));
    }
    for (const i of H100_UNSUPPORTED_INDICES) {
      const e = await expectCode(dev.gpuInstanceProfile(i), 'NVML_ERROR_NOT_SUPPORTED');
      expect(e.nvmlReturn).toBe(3);
      expect(e.fn).toMatch(/^nvmlDeviceGetGpuInstanceProfileInfo/);
    }
    // Seen on the real H100 (driver 580.159.04) by scripts/device/real-readonly.js: 16 is
    // NOT_SUPPORTED and 17 is the first INVALID_ARGUMENT index.
    await expectCode(dev.gpuInstanceProfile(16), 'NVML_ERROR_NOT_SUPPORTED');
    await expectCode(dev.gpuInstanceProfile(17), 'NVML_ERROR_INVALID_ARGUMENT');
    await expectCode(dev.gpuInstanceProfile(1000), 'NVML_ERROR_INVALID_ARGUMENT');
    // 1 is an index (2g) but no profile id.
    await expect(dev.gpuInstanceProfileById(1)).rejects.toMatchObject({ name: 'NvmlError' });
  });

  it('placements of every profile', async () => {
    for (const f of H100_PROFILES) {
      expect(await dev.gpuInstancePlacements(f.id), `profile ${f.id}`).toEqual(f.placements);
    }
    // A copy each time: sorting or editing it does not touch the cache.
    const p = await dev.gpuInstancePlacements(19);
    p.reverse();
    expect((await dev.gpuInstancePlacements(19))[0]).toEqual({ start: 0, size: 1 });
  });

  it('remaining capacity of every profile', async () => {
    for (const [id, n] of Object.entries(H100_REMAINING)) {
      expect(await dev.gpuInstanceRemainingCapacity(Number(id)), `profile ${id}`).toBe(n);
    }
  });

  it('caches profiles and placements: a second read makes no NVML call', async () => {
    await dev.gpuInstanceProfiles();
    await dev.gpuInstancePlacements(9);
    await nvml.mockControl({ cmd: 'clearCallLog' });
    await dev.gpuInstanceProfiles();
    await dev.gpuInstanceProfile(2);
    await dev.gpuInstancePlacements(9);
    const { calls } = await nvml.mockControl({ cmd: 'callLog' });
    expect(calls.filter((c: { fn: string }) => c.fn !== 'nvmlMockControl')).toEqual([]);
  });
});
