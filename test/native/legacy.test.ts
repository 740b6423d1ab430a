// An old driver without the versioned symbols (the legacy mock build): fallbacks are used and a
// function it lacks fails only its own call.
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { b, LEGACY_MOCK, rejects } from './helpers';

afterAll(() => b.close());

describe('legacy library', () => {
  it('is built (npm run build builds it with the mock; a missing build fails here, never skips)', () => {
    expect(fs.existsSync(LEGACY_MOCK), `${LEGACY_MOCK} is missing: run npm run build`).toBe(true);
  });

  it('resolves older symbols and reports the missing ones as null', async () => {
    process.env.NVML_MOCK_MACHINE = 'h100-80gb';
    const { functions } = await b.open(LEGACY_MOCK, 0, false);
    expect(functions.nvmlComputeInstanceGetInfo_v2).toBeNull();
    expect(functions.nvmlComputeInstanceGetInfo).toBe('nvmlComputeInstanceGetInfo');
    expect(functions.nvmlDeviceGetGpuInstancePossiblePlacements_v2).toBeNull();
    expect(functions.nvmlDeviceGetGpuInstancePossiblePlacements).toBe('nvmlDeviceGetGpuInstancePossiblePlacements');
    expect(functions.nvmlDeviceCreateGpuInstanceWithPlacement).toBeNull();
    expect(functions.nvmlDeviceGetGpuInstanceProfileInfoV).toBeNull();
    expect(b.functions()).toEqual(functions);
  });

  it('a driver without GPM fails only the GPM calls, with FUNCTION_NOT_FOUND', async () => {
    const f = b.functions();
    for (const fn of ['nvmlGpmQueryDeviceSupport', 'nvmlGpmSampleAlloc', 'nvmlGpmSampleFree', 'nvmlGpmSampleGet', 'nvmlGpmMigSampleGet', 'nvmlGpmMetricsGet']) {
      expect(f[fn]).toBeNull();
    }
    const dev = await b.deviceGetHandleByIndex(0);
    const e = await rejects(b.gpmQueryDeviceSupport(dev), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(e.fn).toBe('nvmlGpmQueryDeviceSupport');
    await rejects(b.gpmSampleAlloc(), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(await b.deviceGetName(dev)).toMatch(/H100/);
  });

  it('profile info falls back to the v1 call; placements to the v1 symbol', async () => {
    const dev = await b.deviceGetHandleByIndex(0);
    const p = await b.deviceGetGpuInstanceProfileInfo(dev, 0, 0);
    expect(p).toMatchObject({ structVersion: 1, id: 19, name: null, memorySizeMB: 9984 });
    await rejects(b.deviceGetGpuInstanceProfileInfo(dev, 0, 2), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(await b.deviceGetGpuInstancePossiblePlacements(dev, 9)).toEqual([{ start: 0, size: 4 }, { start: 4, size: 4 }]);
  });

  it('a missing function fails only its own call with FUNCTION_NOT_FOUND', async () => {
    const dev = await b.deviceGetHandleByIndex(0);
    await b.deviceSetMigMode(dev, 1);
    const e = await rejects(b.deviceCreateGpuInstance(dev, 9, { start: 0, size: 4 }), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(e.fn).toBe('nvmlDeviceCreateGpuInstanceWithPlacement');
    // The driver-placed create still works, and CI info uses the v1 symbol.
    const gi = await b.deviceCreateGpuInstance(dev, 9);
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
    const info = await b.computeInstanceGetInfo(ci);
    expect(info).toMatchObject({ gpuInstance: gi, profileId: 0 });
    expect(await b.deviceGetName(info.device)).toBe(await b.deviceGetName(dev)); // the parent GPU
  });
});
