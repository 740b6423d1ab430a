// An old driver (build/Release/mock-legacy): no versioned MIG symbols, no
// CreateGpuInstanceWithPlacement, no GetAttributes_v2. Fallbacks where NVML has an older call,
// NVML_ERROR_FUNCTION_NOT_FOUND (only for that call) where it has none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Device, type Nvml } from '../../dist/index.js';
import { H100_PROFILES, MOCK_LEGACY, expectCode, profileNumbers, withoutPlacements } from './helpers';

let nvml: Nvml;
let dev: Device;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK_LEGACY });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  dev = await nvml.device(0);
});
afterAll(() => nvml.shutdown());

describe('legacy driver', () => {
  it('functions() shows what is missing', () => {
    const t = nvml.functions();
    expect(t.nvmlDeviceCreateGpuInstanceWithPlacement).toBeNull();
    expect(t.nvmlDeviceGetGpuInstanceProfileInfoV).toBeNull();
    expect(t.nvmlDeviceGetAttributes_v2).toBeNull();
    expect(nvml.hasFunction('nvmlDeviceCreateGpuInstance')).toBe(true);
    expect(nvml.hasFunction('nvmlDeviceGetGpuInstanceProfileInfo')).toBe(true);
  });

  it('profiles from the v1 struct: derived names equal the driver names of a real H100, marked structVersion 1', async () => {
    const profiles = await dev.gpuInstanceProfiles();
    expect(profiles.map(profileNumbers)).toEqual(H100_PROFILES.map(withoutPlacements));
    expect(profiles.every((p) => p.structVersion === 1)).toBe(true);
    const byId = await dev.gpuInstanceProfileById(20);
    expect([byId.index, byId.name, byId.structVersion]).toEqual([7, 'MIG 1g.10gb+me', 1]);
    await expectCode(dev.gpuInstanceProfileById(1), 'NVML_ERROR_NOT_FOUND');
    for (const f of H100_PROFILES) expect(await dev.gpuInstancePlacements(f.id)).toEqual(f.placements);
  });

  it('create with a placement: FUNCTION_NOT_FOUND; everything else still works', async () => {
    await dev.setMigMode(true);
    const e = await expectCode(dev.createGpuInstance(9, { start: 0, size: 4 }), 'NVML_ERROR_FUNCTION_NOT_FOUND');
    expect([e.nvmlReturn, e.fn]).toEqual([13, 'nvmlDeviceCreateGpuInstanceWithPlacement']);
    const gi = await dev.createGpuInstance(9);
    const cis = await gi.computeInstanceProfiles();
    expect(cis.map((p) => [p.id, p.name, p.isDefault, p.structVersion])).toEqual([
      [0, 'MIG 1c.3g.40gb', false, 1],
      [1, 'MIG 2c.3g.40gb', false, 1],
      [2, 'MIG 3g.40gb', true, 1],
    ]);
    const ci = await gi.createComputeInstance(2);
    expect(await ci.info()).toEqual({ id: ci.id, gpuInstanceId: gi.id, profileId: 2, placement: ci.placement });
    const mig = await ci.migDevice();
    expect(await mig.uuid()).toMatch(/^MIG-/);
    const a = await expectCode(mig.attributes(), 'NVML_ERROR_FUNCTION_NOT_FOUND');
    expect(a.fn).toMatch(/^nvmlDeviceGetAttributes/);
    expect((await mig.memoryInfo()).total).toBe(40448 * 1024 * 1024);
    await ci.destroy();
    await gi.destroy();
  });
});
