// MIG mode: Ampere's pending mode until a GPU reset, activation status IN_USE with a busy GPU,
// Hopper's immediate switch, the reset/query capability fields, cache invalidation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { NVML, NVML_CODE_NAMES } from '../nvml-return-codes';
import { A100_40GB_PROFILES, MOCK, expectCode } from './helpers';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
afterAll(() => nvml.shutdown());

async function gpu(machine: string) {
  await nvml.mockControl({ cmd: 'reset', machine });
  return nvml.device(0);
}

describe('MIG mode', () => {
  it('A100: enabling stays pending until a GPU reset; MIG changes need a reset', async () => {
    const dev = await gpu('a100-40gb');
    expect(await dev.migMode()).toEqual({ current: false, pending: false, changePending: false });
    expect(await dev.isResetlessMigSupported()).toBe(false);
    const r = await dev.setMigMode(true);
    // The activation waits for a reset the library cannot do itself: NVML's RESET_REQUIRED.
    expect([r.activationStatus, r.activationStatusReturn]).toEqual([NVML_CODE_NAMES[NVML.RESET_REQUIRED], NVML.RESET_REQUIRED]);
    expect(r.mode).toEqual({ current: false, pending: true, changePending: true });
    expect(await dev.migMode()).toEqual(r.mode);
    expect(await dev.maxMigDeviceCount()).toBe(0);
    await nvml.mockControl({ cmd: 'gpuReset', gpu: 0 });
    expect(await dev.migMode()).toEqual({ current: true, pending: true, changePending: false });
    expect(await dev.maxMigDeviceCount()).toBe(7);
    // And back: disabling is pending too.
    const off = await dev.setMigMode(false);
    expect(off.mode).toEqual({ current: true, pending: false, changePending: true });
    await nvml.mockControl({ cmd: 'gpuReset', gpu: 0 });
    expect(await dev.migMode()).toEqual({ current: false, pending: false, changePending: false });
  });

  it('A100 with a process on the GPU: activation status IN_USE, the request stays pending', async () => {
    const dev = await gpu('a100-40gb');
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 999, name: 'nvidia-persistenced', usedMemoryMiB: 1 });
    const r = await dev.setMigMode(true);
    expect([r.activationStatus, r.activationStatusReturn]).toEqual([NVML_CODE_NAMES[NVML.IN_USE], NVML.IN_USE]);
    expect(r.mode).toEqual({ current: false, pending: true, changePending: true });
  });

  it('A100-40GB profiles once MIG is on (real -lgip)', async () => {
    const dev = await gpu('a100-40gb');
    await dev.setMigMode(true);
    await nvml.mockControl({ cmd: 'gpuReset', gpu: 0 });
    const profiles = await dev.gpuInstanceProfiles();
    const got = profiles.map((p) => ({ id: p.id, name: p.name, sliceCount: p.sliceCount, multiprocessorCount: p.multiprocessorCount, memorySizeMB: p.memorySizeMB, instanceCount: p.instanceCount }));
    expect(got.sort((a, b) => a.id - b.id)).toEqual([...A100_40GB_PROFILES].sort((a, b) => a.id - b.id));
    expect(profiles.find((p) => p.id === 19)?.index).toBe(0);
    expect(profiles.find((p) => p.id === 20)?.index).toBe(7);
    expect(profiles.find((p) => p.id === 15)?.index).toBe(9);
  });

  it('H100: the switch is immediate, both ways', async () => {
    const dev = await gpu('h100-80gb');
    expect(await dev.setMigMode(true)).toEqual({ activationStatus: 'NVML_SUCCESS', activationStatusReturn: 0, mode: { current: true, pending: true, changePending: false } });
    expect(await dev.setMigMode(false)).toEqual({ activationStatus: 'NVML_SUCCESS', activationStatusReturn: 0, mode: { current: false, pending: false, changePending: false } });
  });

  it('setMigMode drops the cached profiles of that GPU', async () => {
    const dev = await gpu('h100-80gb');
    await dev.gpuInstanceProfiles();
    await dev.gpuInstancePlacements(19);
    await dev.setMigMode(true);
    await nvml.mockControl({ cmd: 'clearCallLog' });
    await dev.gpuInstanceProfiles();
    await dev.gpuInstancePlacements(19);
    const { calls } = await nvml.mockControl({ cmd: 'callLog' });
    const fns = calls.map((c: { fn: string }) => c.fn);
    expect(fns.some((f: string) => f.startsWith('nvmlDeviceGetGpuInstanceProfileInfo'))).toBe(true);
    expect(fns.some((f: string) => f.startsWith('nvmlDeviceGetGpuInstancePossiblePlacements'))).toBe(true);
  });

  it('mockControl: a refused request rejects ERR_NVML_MOCK_CONTROL with the reason', async () => {
    const e = await expectCode(nvml.mockControl({ cmd: 'noSuchCommand' }), 'ERR_NVML_MOCK_CONTROL');
    expect(e.message).toContain('noSuchCommand');
    expect(e.fn).toBe('nvmlMockControl');
    const st = await nvml.mockControl({ cmd: 'state' });
    expect(st.ok).toBe(true);
    expect(typeof st.state).toBe('object');
  });
});
