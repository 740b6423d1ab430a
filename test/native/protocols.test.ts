// The driver-facing protocols: struct-version fallback, buffers that grow on INSUFFICIENT_SIZE,
// error codes NVML does not define, mutations queued behind close().
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b, control, enableMig, openMock, rejects } from './helpers';

let dev: number;
beforeAll(() => openMock());
beforeEach(async () => {
  await control({ cmd: 'reset', machine: 'h100-80gb' });
  await control({ cmd: 'clearFaults' });
  dev = await b.deviceGetHandleByIndex(0);
});
afterAll(() => b.close());

describe('versioned profile structs', () => {
  it('v3 refused for its version: retried with v2 (and read by the v2 layout)', async () => {
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoV', code: 25, nth: 1 });
    const p = await b.deviceGetGpuInstanceProfileInfo(dev, 2, 0);
    expect(p).toMatchObject({ structVersion: 2, id: 9, name: 'MIG 3g.40gb', multiprocessorCount: 60, memorySizeMB: 40448 });
  });

  it('v3 and v2 refused: the v1 call', async () => {
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoV', code: 25, always: true });
    const p = await b.deviceGetGpuInstanceProfileInfo(dev, 2, 0);
    expect(p).toMatchObject({ structVersion: 1, id: 9, name: null, memorySizeMB: 40448 });
    // An explicit version is not retried.
    const e = await rejects(b.deviceGetGpuInstanceProfileInfo(dev, 2, 3), 'NVML_ERROR_ARGUMENT_VERSION_MISMATCH', 25);
    expect(e.fn).toBe('nvmlDeviceGetGpuInstanceProfileInfoV');
    // By id there is no v1 call to fall back to.
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstanceProfileInfoByIdV', code: 25, always: true });
    await rejects(b.deviceGetGpuInstanceProfileInfoById(dev, 9, 0), 'NVML_ERROR_ARGUMENT_VERSION_MISMATCH', 25);
  });

  it('CI profiles fall back the same way', async () => {
    await enableMig(dev);
    const gi = await b.deviceCreateGpuInstance(dev, 9);
    await control({ cmd: 'setFault', fn: 'nvmlGpuInstanceGetComputeInstanceProfileInfoV', code: 25, nth: 1 });
    expect((await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 0, 0, 0)).structVersion).toBe(2);
    await control({ cmd: 'setFault', fn: 'nvmlGpuInstanceGetComputeInstanceProfileInfoV', code: 25, always: true });
    expect(await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 0, 0, 0)).toMatchObject({ structVersion: 1, id: 0, sliceCount: 1, name: null });
  });
});

describe('buffers', () => {
  it('instance lists grow when the driver answers INSUFFICIENT_SIZE', async () => {
    await enableMig(dev);
    const gis = await Promise.all(Array.from({ length: 7 }, () => b.deviceCreateGpuInstance(dev, 19)));
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetGpuInstances', code: 7, nth: 1 });
    expect((await b.deviceGetGpuInstances(dev, 19)).sort()).toEqual([...gis].sort());
  });

  it('process lists: count first, then a buffer with headroom', async () => {
    for (let pid = 1000; pid < 1040; pid++) await control({ cmd: 'addProcess', gpu: 0, pid, name: 'p', usedMemoryMiB: 1 });
    const procs = await b.deviceGetComputeRunningProcesses(dev);
    expect(procs.map((p) => p.pid)).toEqual(Array.from({ length: 40 }, (_, i) => 1000 + i));
  });
});

describe('error codes', () => {
  it('a return code NVML does not define gets NVML_ERROR_UNKNOWN_<n>', async () => {
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 77, always: true });
    const e = await rejects(b.deviceGetName(dev), 'NVML_ERROR_UNKNOWN_77', 77);
    expect(e.fn).toBe('nvmlDeviceGetName');
    await control({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 999, always: true });
    await rejects(b.deviceGetName(dev), 'NVML_ERROR_UNKNOWN', 999);
  });

  it('the error class is built with (code, nvmlReturn, fn, message); a throwing class falls back to Error', async () => {
    class Throwing extends Error {
      constructor() {
        super('x');
        throw new Error('constructor failed');
      }
    }
    b.setErrorClass(Throwing as never);
    try {
      await control({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 19, always: true });
      const err = (await b.deviceGetName(dev).catch((e) => e)) as Error & { code: string; nvmlReturn: number; fn: string };
      expect(err).toBeInstanceOf(Error);
      expect([err.code, err.nvmlReturn, err.fn]).toEqual(['NVML_ERROR_IN_USE', 19, 'nvmlDeviceGetName']);
      expect(err.message).toMatch(/^nvmlDeviceGetName: /);
    } finally {
      const { TestNvmlError } = await import('./helpers');
      b.setErrorClass(TestNvmlError);
    }
  });
});

describe('close() with mutations still queued', () => {
  it('every queued mutation runs and settles before the shutdown', async () => {
    await enableMig(dev);
    await control({ cmd: 'setLatency', fn: '*', us: 1000 });
    const creates = Array.from({ length: 5 }, () => b.deviceCreateGpuInstance(dev, 19));
    expect(b.pendingCalls()).toBe(5);
    const closed = b.close();
    const settled = await Promise.allSettled(creates);
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill('fulfilled'));
    const ids = settled.map((s) => (s as PromiseFulfilledResult<number>).value);
    expect(new Set(ids).size).toBe(5);
    await closed;
    expect(b.pendingCalls()).toBe(0);
    expect(b.isOpen()).toBe(false);
    await openMock();
  });
});
