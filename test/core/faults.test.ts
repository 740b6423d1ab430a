// Driver refusals on demand: permissions (env and control channel), injected return codes,
// struct version mismatch, unknown codes, field values the driver can't answer.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { H100_PROFILES, MOCK, expectCode, profileNumbers, withoutPlacements } from './helpers';

let nvml: Nvml | undefined;
async function open(): Promise<Nvml> {
  nvml ??= await init({ libraryPath: MOCK });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  return nvml;
}
afterAll(async () => {
  await nvml?.shutdown();
});
beforeEach(async () => {
  if (nvml) await nvml.mockControl({ cmd: 'clearFaults' });
});

describe('NO_PERMISSION', () => {
  it('NVML_MOCK_UNPRIVILEGED=1 (a non-root user): mutating calls refused, reads work', async () => {
    process.env.NVML_MOCK_UNPRIVILEGED = '1';
    try {
      const n = await init({ libraryPath: MOCK });
      const dev = await n.device(0);
      const e = await expectCode(dev.setMigMode(true), 'NVML_ERROR_NO_PERMISSION');
      expect([e.nvmlReturn, e.fn]).toEqual([4, 'nvmlDeviceSetMigMode']);
      expect((await dev.migMode()).current).toBe(false);
      await n.shutdown();
    } finally {
      delete process.env.NVML_MOCK_UNPRIVILEGED;
    }
  });

  it('setPrivileged false through the control channel', async () => {
    const n = await open();
    const dev = await n.device(0);
    await dev.setMigMode(true);
    const gi = await dev.createGpuInstance(19);
    await n.mockControl({ cmd: 'setPrivileged', value: false });
    await expectCode(dev.createGpuInstance(19), 'NVML_ERROR_NO_PERMISSION');
    await expectCode(gi.createComputeInstance(0), 'NVML_ERROR_NO_PERMISSION');
    await expectCode(gi.destroy(), 'NVML_ERROR_NO_PERMISSION');
    await n.mockControl({ cmd: 'setPrivileged', value: true });
    await gi.destroy();
  });
});

describe('injected faults', () => {
  it('the nth call fails with the injected code, the others succeed', async () => {
    const n = await open();
    const dev = await n.device(0);
    await dev.setMigMode(true);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceCreateGpuInstance', code: 23, nth: 2 });
    await dev.createGpuInstance(19);
    const e = await expectCode(dev.createGpuInstance(19), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(e.nvmlReturn).toBe(23);
    await dev.createGpuInstance(19);
    expect(await dev.gpuInstanceRemainingCapacity(19)).toBe(5);
  });

  it('struct version mismatch on the V call: falls back to the v1 struct (names derived)', async () => {
    const n = await open();
    const dev = await n.device(0);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoV', code: 25, always: true });
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoByIdV', code: 25, always: true });
    const profiles = await dev.gpuInstanceProfiles();
    expect(profiles.map(profileNumbers)).toEqual(H100_PROFILES.map(withoutPlacements));
    expect(profiles.every((p) => p.structVersion === 1)).toBe(true);
    const p = await dev.gpuInstanceProfileById(15);
    expect([p.index, p.name, p.structVersion]).toEqual([9, 'MIG 1g.20gb', 1]);
  });

  it('an unexpected failure while enumerating rejects, and is not cached', async () => {
    const n = await open();
    const dev = await n.device(0);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoV', code: 15, always: true });
    const e = await expectCode(dev.gpuInstanceProfiles(), 'NVML_ERROR_GPU_IS_LOST');
    expect(e.nvmlReturn).toBe(15);
    await n.mockControl({ cmd: 'clearFaults' });
    expect(await dev.gpuInstanceProfiles()).toHaveLength(H100_PROFILES.length);
  });

  it('an unknown return code keeps its number', async () => {
    const n = await open();
    const dev = await n.device(0);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetMigMode', code: 999, always: true });
    const e = await expectCode(dev.migMode(), 'NVML_ERROR_UNKNOWN');
    expect([e.nvmlReturn, e.fn]).toEqual([999, 'nvmlDeviceGetMigMode']);
  });

  it("field values the driver can't answer give null", async () => {
    const n = await open();
    const dev = await n.device(0);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetFieldValues', code: 3, always: true });
    expect(await dev.isResetlessMigSupported()).toBeNull();
    expect(await dev.isMigQueryCapableWhenDisabled()).toBeNull();
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetFieldValues', code: 15, always: true });
    await expectCode(dev.isResetlessMigSupported(), 'NVML_ERROR_GPU_IS_LOST');
  });

  it('SetMigMode NOT_SUPPORTED (a GPU without MIG) is an error, not an activation status', async () => {
    const n = await open();
    const dev = await n.device(0);
    await n.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceSetMigMode', code: 3, always: true });
    const e = await expectCode(dev.setMigMode(true), 'NVML_ERROR_NOT_SUPPORTED');
    expect(e.fn).toBe('nvmlDeviceSetMigMode');
  });
});
