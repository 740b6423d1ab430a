// The pieces of the bench's MIG node snapshot under a real driver's latencies: the latency profile
// (bench/latency/), the mock's delays (taken on time, overlapping across threads or not) and the
// snapshot's parallelGpus option reading GPUs at once. Only lower bounds and wide margins are
// asserted: the figures themselves come from the bench.
import { createRequire } from 'node:module';
import koffi from 'koffi';
import { afterEach, describe, expect, it } from 'vitest';
import { MOCK, b, control, openMock } from './helpers';

const require = createRequire(import.meta.url);
const { loadProfile, latencyEnv } = require('../../bench/latency/index.js');

afterEach(async () => {
  delete process.env.NVML_MOCK_LATENCY_OVERLAP;
  await b.close();
});

describe('latency profile hopper-580', () => {
  const profile = loadProfile('hopper-580');

  it('covers every read of the snapshot, each figure with its evidence, every name a function of the library', () => {
    const lib = koffi.load(MOCK);
    for (const fn of Object.keys(profile.functions)) expect(() => lib.func(fn, 'int', []), fn).not.toThrow();
    const snapshotReads = [
      'nvmlDeviceGetCount_v2', 'nvmlDeviceGetHandleByIndex_v2', 'nvmlDeviceGetName', 'nvmlDeviceGetUUID',
      'nvmlDeviceGetPciInfo_v3', 'nvmlDeviceGetMigMode', 'nvmlDeviceGetMemoryInfo_v2', 'nvmlDeviceGetUtilizationRates',
      'nvmlDeviceGetComputeRunningProcesses_v3', 'nvmlDeviceGetGpuInstanceProfileInfo', 'nvmlDeviceGetGpuInstances',
      'nvmlGpuInstanceGetInfo', 'nvmlGpuInstanceGetComputeInstanceProfileInfo', 'nvmlGpuInstanceGetComputeInstances',
      'nvmlComputeInstanceGetInfo_v2', 'nvmlDeviceGetMaxMigDeviceCount', 'nvmlDeviceGetMigDeviceHandleByIndex',
      'nvmlDeviceGetGpuInstanceId', 'nvmlDeviceGetComputeInstanceId', 'nvmlDeviceGetAttributes_v2',
    ];
    for (const fn of snapshotReads) expect(profile.functions[fn]?.us, fn).toBeGreaterThan(0);
    // The MIG reads measured on the real driver are the slow ones.
    expect(profile.functions.nvmlDeviceGetMigMode).toMatchObject({ source: 'measured' });
    expect(profile.functions.nvmlDeviceGetMigMode.us).toBeGreaterThan(300);
    // Calls only a MIG-enabled GPU answers were never measured: they say so.
    expect(profile.functions.nvmlGpuInstanceGetComputeInstances.source).toBe('inferred');
    expect(latencyEnv(profile)).toMatch(/(^|,)nvmlDeviceGetMigMode=\d+(,|$)/);
  });

  it('refuses a profile that is not a file name', () => {
    expect(() => loadProfile('../package')).toThrow(RangeError);
  });
});

describe('mock delays and parallelGpus', () => {
  const DELAY_US = 100_000;
  /** ms one snapshot of two MIG-off GPUs takes with every nvmlDeviceGetMigMode delayed. */
  async function snapshotMs(parallelGpus: number): Promise<number> {
    await openMock('h100-80gb:2');
    await control({ cmd: 'setLatency', fn: 'nvmlDeviceGetMigMode', us: DELAY_US });
    const t0 = process.hrtime.bigint();
    const s = await b.snapshot(parallelGpus);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await control({ cmd: 'setLatency', fn: 'nvmlDeviceGetMigMode', us: 0 });
    expect(s.devices.map((d) => d.errors)).toEqual([[], []]);
    return ms;
  }

  it('a delay lasts at least what it is set to', async () => {
    expect(await snapshotMs(1)).toBeGreaterThanOrEqual((2 * DELAY_US) / 1000);
  });

  it('two GPUs read at once overlap their delays, unless the mock takes one delay at a time', async () => {
    const overlapped = await snapshotMs(2);
    expect(overlapped).toBeGreaterThanOrEqual(DELAY_US / 1000);
    expect(overlapped).toBeLessThan((1.8 * DELAY_US) / 1000);
    await b.close();
    process.env.NVML_MOCK_LATENCY_OVERLAP = '0';
    expect(await snapshotMs(2)).toBeGreaterThanOrEqual((2 * DELAY_US) / 1000);
  });
});
