// snapshot(): what cannot change while a GPU's MIG mode stays the same (the GI profile table, the
// CI profile table of each GI profile, the MIG device count) is read once; the MIG mode, the GPU
// and compute instances and the MIG devices are read on every snapshot, since other processes
// change them. Counted with the mock's call log (timings belong to the bench). The other process
// here is the mock's C ABI called directly (koffi): it shares the loaded library, and so the GPUs,
// with the addon but not its caches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawSnapshot } from '../../dist/native.js';
import { ok, openLibrary } from '../mock/abi';
import { MOCK, b, control, enableMig, openMock } from './helpers';

// The reads of static tables the snapshot caches.
const STATIC = [
  'nvmlDeviceGetGpuInstanceProfileInfo',
  'nvmlDeviceGetGpuInstanceProfileInfoV',
  'nvmlDeviceGetGpuInstanceProfileInfoByIdV',
  'nvmlGpuInstanceGetComputeInstanceProfileInfo',
  'nvmlGpuInstanceGetComputeInstanceProfileInfoV',
  'nvmlDeviceGetMaxMigDeviceCount',
];
const GI_1G = 19; // H100 1g.10gb
const GI_3G = 9; // H100 3g.40gb

const other = openLibrary(MOCK);
let devs: number[] = [];

interface Logged {
  fn: string;
  ret: number;
}
/** The NVML calls `read` makes (the control channel's own left out). */
async function logOf<T>(read: () => Promise<T> | T): Promise<{ result: T; log: Logged[] }> {
  await control({ cmd: 'clearCallLog' });
  const result = await read();
  const log = ((await control({ cmd: 'callLog' })).calls as Logged[]).filter((c) => c.fn !== 'nvmlMockControl');
  return { result, log };
}
const count = (log: Logged[], fn: string, ret?: number) => log.filter((c) => c.fn === fn && (ret === undefined || c.ret === ret)).length;
const staticReads = (log: Logged[]) => STATIC.reduce((n, fn) => n + count(log, fn), 0);
const withoutTimes = (s: RawSnapshot) => ({ ...s, startedNs: 0n, finishedNs: 0n });

beforeAll(async () => {
  await openMock('h100-80gb:2');
  devs = [await b.deviceGetHandleByIndex(0), await b.deviceGetHandleByIndex(1)];
  for (const [gpu, dev] of devs.entries()) {
    await enableMig(dev, gpu);
    for (let i = 0; i < 3; i++) await b.gpuInstanceCreateComputeInstance(await b.deviceCreateGpuInstance(dev, GI_1G), 0);
  }
  expect(other.init()).toBe(0);
});
afterAll(async () => {
  other.shutdown();
  await b.close();
});

describe('snapshot caches', () => {
  it('reads the static tables on the first snapshot only; the rest on every one', async () => {
    const first = await logOf(() => b.snapshot());
    // Both GPUs' GI profile tables, the 1g profile's CI table, both MIG device counts.
    const giProfiles = count(first.log, 'nvmlDeviceGetGpuInstanceProfileInfo', 0);
    expect(giProfiles).toBeGreaterThanOrEqual(2 * 5);
    expect(count(first.log, 'nvmlGpuInstanceGetComputeInstanceProfileInfo')).toBeGreaterThan(0);
    expect(count(first.log, 'nvmlDeviceGetMaxMigDeviceCount')).toBe(2);

    const steady = await logOf(() => b.snapshot());
    expect(staticReads(steady.log)).toBe(0);
    expect(withoutTimes(steady.result)).toEqual(withoutTimes(first.result));
    // What can change is still read: the mode, one listing per supported GI profile, each GI's
    // info and CIs, every MIG device index.
    expect(count(steady.log, 'nvmlDeviceGetMigMode')).toBe(2);
    expect(count(steady.log, 'nvmlDeviceGetGpuInstances')).toBe(giProfiles);
    expect(count(steady.log, 'nvmlGpuInstanceGetInfo')).toBe(6);
    expect(count(steady.log, 'nvmlGpuInstanceGetComputeInstances')).toBeGreaterThanOrEqual(6);
    expect(count(steady.log, 'nvmlComputeInstanceGetInfo_v2')).toBe(6);
    expect(count(steady.log, 'nvmlDeviceGetMigDeviceHandleByIndex')).toBe(2 * 7);
    expect(steady.result.devices.map((d) => d.migDevices.length)).toEqual([3, 3]);
    // The same number of calls every time: nothing is read again by accident.
    const again = await logOf(() => b.snapshotSync());
    expect(again.log.map((c) => c.fn)).toEqual(steady.log.map((c) => c.fn));
  });

  it('instances created and destroyed by another process show at once, without reading the tables again', async () => {
    await b.snapshot();
    const d1 = ok(other.device(1));
    // A 3g GI: its CI profile table is read the first time a GI of that profile is seen.
    const gi = ok(other.createGi(d1, GI_3G));
    const ci = ok(other.createCi(gi, 0));
    let s = await logOf(() => b.snapshot());
    const gpu1 = s.result.devices[1];
    expect(gpu1.gpuInstances.map((g) => g.profileId).sort()).toEqual([GI_1G, GI_1G, GI_1G, GI_3G]);
    expect(gpu1.gpuInstances.find((g) => g.profileId === GI_3G)!.computeInstances).toHaveLength(1);
    expect(gpu1.migDevices).toHaveLength(4);
    expect(count(s.log, 'nvmlDeviceGetGpuInstanceProfileInfo')).toBe(0);
    expect(count(s.log, 'nvmlDeviceGetMaxMigDeviceCount')).toBe(0);
    expect(count(s.log, 'nvmlGpuInstanceGetComputeInstanceProfileInfo')).toBeGreaterThan(0);
    s = await logOf(() => b.snapshot());
    expect(staticReads(s.log)).toBe(0);

    // A second CI in it, then everything of it destroyed.
    const ci2 = ok(other.createCi(gi, 0));
    s = await logOf(() => b.snapshot());
    expect(s.result.devices[1].gpuInstances.find((g) => g.profileId === GI_3G)!.computeInstances).toHaveLength(2);
    expect(s.result.devices[1].migDevices).toHaveLength(5);
    expect(other.destroyCi(ci2)).toBe(0);
    expect(other.destroyCi(ci)).toBe(0);
    expect(other.destroyGi(gi)).toBe(0);
    s = await logOf(() => b.snapshot());
    expect(s.result.devices[1].gpuInstances.map((g) => g.profileId)).toEqual([GI_1G, GI_1G, GI_1G]);
    expect(s.result.devices[1].migDevices).toHaveLength(3);
    expect(staticReads(s.log)).toBe(0);
  });

  it('a MIG mode change made by another process drops that GPU’s tables; they are read again', async () => {
    const steady = await logOf(() => b.snapshot());
    const perGpu = count(steady.log, 'nvmlDeviceGetGpuInstances') / 2;
    const d1 = ok(other.device(1));
    for (const g of ok(other.gis(d1, GI_1G))) {
      for (const c of ok(other.cis(g, 0))) expect(other.destroyCi(c)).toBe(0);
      expect(other.destroyGi(g)).toBe(0);
    }
    expect(other.setMigMode(d1, 0).ret).toBe(0);
    let s = await logOf(() => b.snapshot());
    expect(s.result.devices[1].migMode).toEqual({ current: 0, pending: 0 });
    expect(s.result.devices[1].gpuInstances).toEqual([]);
    expect(s.result.devices[1].migDevices).toEqual([]);
    expect(s.result.devices[1].errors).toEqual([]);
    expect(count(s.log, 'nvmlDeviceGetGpuInstances')).toBe(perGpu); // GPU 0's only
    expect(staticReads(s.log)).toBe(0);

    expect(other.setMigMode(d1, 1).ret).toBe(0);
    expect(other.migMode(d1)).toMatchObject({ current: 1, pending: 1 });
    ok(other.createCi(ok(other.createGi(d1, GI_1G)), 0));
    s = await logOf(() => b.snapshot());
    // GPU 1's GI profile table, its 1g CI table and its MIG device count again; none of GPU 0's.
    expect(count(s.log, 'nvmlDeviceGetGpuInstanceProfileInfo', 0)).toBe(perGpu);
    expect(count(s.log, 'nvmlDeviceGetMaxMigDeviceCount')).toBe(1);
    expect(count(s.log, 'nvmlGpuInstanceGetComputeInstanceProfileInfo')).toBeGreaterThan(0);
    expect(s.result.devices[1].migDevices).toHaveLength(1);
    expect(s.result.devices[0].migDevices).toHaveLength(3);
    s = await logOf(() => b.snapshot());
    expect(staticReads(s.log)).toBe(0);
  });

  it('a MIG mode change made here drops the tables too', async () => {
    await b.snapshot();
    await b.deviceSetMigMode(devs[0], 1); // the same mode: still a change request
    const s = await logOf(() => b.snapshot());
    expect(count(s.log, 'nvmlDeviceGetMaxMigDeviceCount')).toBe(1);
    expect(count(s.log, 'nvmlDeviceGetGpuInstanceProfileInfo')).toBeGreaterThan(0);
  });
});

describe('snapshot parallelGpus', () => {
  it('gives the same answer with the same calls, GPUs read at once', async () => {
    const seq = await logOf(() => b.snapshotSync());
    for (const n of [2, 8, 64]) {
      const par = await logOf(() => b.snapshot(n));
      expect(withoutTimes(par.result)).toEqual(withoutTimes(seq.result));
      expect(par.log.map((c) => c.fn).sort()).toEqual(seq.log.map((c) => c.fn).sort());
      expect(withoutTimes(b.snapshotSync(n))).toEqual(withoutTimes(seq.result));
    }
  });

  it('rejects a thread count outside 1-64 or not a number', async () => {
    for (const bad of [0, 65, 1.5, -1]) {
      expect(() => b.snapshotSync(bad)).toThrow(RangeError);
      expect(() => b.snapshot(bad)).toThrow(RangeError); // argument errors throw at the call, as for every op
    }
    expect(() => b.snapshotSync('2' as unknown as number)).toThrow(TypeError);
    expect(b.snapshotSync(undefined).devices).toHaveLength(2);
  });
});
