// System and device reads, their Sync twins, field values and events.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b, control, enableMig, openMock, rejects } from './helpers';

beforeAll(() => openMock('h100-80gb:2'));
beforeEach(() => control({ cmd: 'reset', machine: 'h100-80gb:2' }));
afterAll(() => b.close());

describe('system', () => {
  it('versions and device count', async () => {
    expect(await b.systemGetDriverVersion()).toMatch(/^\d+\.\d+(\.\d+)?$/);
    expect(await b.systemGetNvmlVersion()).toMatch(/^\d+\.\d+/);
    expect(await b.systemGetCudaDriverVersion()).toBeGreaterThanOrEqual(12000);
    expect(await b.deviceGetCount()).toBe(2);
    expect(b.deviceGetCountSync()).toBe(2);
  });

  it('handles by index, UUID and PCI bus id are the same ids', async () => {
    const d0 = await b.deviceGetHandleByIndex(0);
    const d1 = await b.deviceGetHandleByIndex(1);
    expect(d0).not.toBe(d1);
    expect(b.deviceGetHandleByIndexSync(1)).toBe(d1);
    expect(Number.isSafeInteger(d0)).toBe(true);
    const uuid = await b.deviceGetUuid(d1);
    expect(uuid).toMatch(/^GPU-[0-9a-f-]{36}$/);
    expect(b.deviceGetUuidSync(d1)).toBe(uuid);
    expect(await b.deviceGetHandleByUuid(uuid)).toBe(d1);
    const pci = await b.deviceGetPciInfo(d1);
    expect(pci.busId).toMatch(/^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\.0$/i);
    expect(pci.pciDeviceId & 0xffff).toBe(0x10de);
    expect(await b.deviceGetHandleByPciBusId(pci.busId)).toBe(d1);
    await rejects(b.deviceGetHandleByIndex(2), 'NVML_ERROR_INVALID_ARGUMENT', 2);
    await rejects(b.deviceGetHandleByUuid('GPU-00000000-0000-0000-0000-000000000000'), 'NVML_ERROR_NOT_FOUND', 6);
    expect(() => b.deviceGetHandleByIndexSync(7)).toThrow(/INVALID|Invalid/);
  });

  it('name, index, minor number, memory, utilisation, processes', async () => {
    const d = await b.deviceGetHandleByIndex(1);
    expect(await b.deviceGetName(d)).toBe('NVIDIA H100 80GB HBM3');
    expect(b.deviceGetNameSync(d)).toBe('NVIDIA H100 80GB HBM3');
    expect(await b.deviceGetIndex(d)).toBe(1);
    expect(typeof (await b.deviceGetMinorNumber(d))).toBe('number');
    const mem = await b.deviceGetMemoryInfo(d);
    expect(mem.total).toBeGreaterThan(80e9);
    expect(mem.free + mem.used + (mem.reserved ?? 0)).toBe(mem.total);
    expect(b.deviceGetMemoryInfoSync(d)).toEqual(mem);
    const u = await b.deviceGetUtilizationRates(d);
    expect(u.gpu).toBeGreaterThanOrEqual(0);
    expect(await b.deviceGetComputeRunningProcesses(d)).toEqual([]);
    await control({ cmd: 'addProcess', gpu: 1, pid: 777, name: 'train', usedMemoryMiB: 2048 });
    const procs = [{ pid: 777, usedGpuMemory: 2048 * 1024 * 1024, gpuInstanceId: null, computeInstanceId: null }];
    expect(await b.deviceGetComputeRunningProcesses(d)).toEqual(procs);
    expect(b.deviceGetComputeRunningProcessesSync(d)).toEqual(procs);
  });

  it('field values 184 and 199 (MIG reset / query capability): both 1 on Hopper, as the real H100 and H200 answered', async () => {
    const d = await b.deviceGetHandleByIndex(0);
    const values = await b.deviceGetFieldValues(d, [184, 199]);
    expect(values.map((v) => [v.fieldId, v.nvmlReturn, Number(v.value)])).toEqual([[184, 0, 1], [199, 0, 1]]);
    expect(await b.deviceGetFieldValues(d, [])).toEqual([]);
  });

  it('field 184 is 0 on Ampere, 199 still 1 (inferred: Ampere needs a GPU reset to switch MIG; never captured on an A100)', async () => {
    await control({ cmd: 'reset', machine: 'a100-40gb' });
    const d = await b.deviceGetHandleByIndex(0);
    const values = await b.deviceGetFieldValues(d, [184, 199]);
    expect(values.map((v) => [v.fieldId, v.nvmlReturn, Number(v.value)])).toEqual([[184, 0, 0], [199, 0, 1]]);
  });
});

describe('events', () => {
  it('a MIG config change event arrives after a GI create; a wait times out with null', async () => {
    const d = await b.deviceGetHandleByIndex(0);
    await enableMig(d);
    const types = await b.deviceGetSupportedEventTypes(d);
    expect(typeof types).toBe('bigint');
    expect(types & 0x100n).toBe(0x100n);
    const set = await b.eventSetCreate();
    await b.deviceRegisterEvents(d, 0x100n, set);
    expect(await b.eventSetWait(set, 0)).toBeNull();
    const waiting = b.eventSetWait(set, 5000);
    const gi = await b.deviceCreateGpuInstance(d, 19);
    const ev = await waiting;
    expect(ev).not.toBeNull();
    expect(ev!.device).toBe(d);
    expect(ev!.eventType).toBe(0x100n);
    expect(ev!.gpuInstanceId).toBe((await b.gpuInstanceGetInfo(gi)).id);
    await b.eventSetFree(set);
    await rejects(b.eventSetWait(set, 0), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.eventSetFree(set), 'ERR_NVML_STALE_HANDLE');
  });
});

describe('mockControl', () => {
  it('round-trips JSON, also as the Sync twin, and grows its buffer for large answers', async () => {
    const state = JSON.parse(await b.mockControl(JSON.stringify({ cmd: 'state' })));
    expect(state.ok).toBe(true);
    const sync = JSON.parse(b.mockControlSync(JSON.stringify({ cmd: 'state' })));
    expect(sync).toEqual(state);
    // An answer larger than the first 4 KiB buffer: a long call log.
    await control({ cmd: 'clearCallLog' });
    const d = await b.deviceGetHandleByIndex(0);
    await Promise.all(Array.from({ length: 300 }, () => b.deviceGetMigMode(d)));
    const big = await b.mockControl(JSON.stringify({ cmd: 'callLog' }));
    expect(big.length).toBeGreaterThan(4096);
    expect(JSON.parse(big).ok).toBe(true);
  });
});
