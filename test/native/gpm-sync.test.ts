// The GPM sample reads' blocking twins (gpmSampleGetSync, gpmMigSampleGetSync): the same admission,
// locks and errors as the Promise form, thrown instead of rejected; samples they fill feed
// gpmMetricsGet like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b, enableMig, openMock, rejects } from './helpers';

let dev: number;
beforeAll(async () => {
  await openMock('h100-80gb:1');
  dev = await b.deviceGetHandleByIndex(0);
});
afterAll(() => b.close());

/** A Sync call's synchronous throw as a rejection, for the shared checks of class, code and NVML number. */
function settled(fn: () => unknown): Promise<unknown> {
  try {
    fn();
  } catch (e) {
    return Promise.reject(e);
  }
  return Promise.reject(new Error('expected a synchronous throw'));
}

describe('GPM sample reads, blocking', () => {
  it('fill samples that the metrics call reads', async () => {
    const s1 = await b.gpmSampleAlloc();
    const s2 = await b.gpmSampleAlloc();
    expect(b.gpmSampleGetSync(dev, s1)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 110));
    b.gpmSampleGetSync(dev, s2);
    const metrics = await b.gpmMetricsGet(s1, s2, [1]);
    expect(metrics).toHaveLength(1);
    expect(metrics[0].nvmlReturn).toBe(0);
    await b.gpmSampleFree(s1);
    await b.gpmSampleFree(s2);
  });

  it('throw what the Promise form rejects with', async () => {
    const s = await b.gpmSampleAlloc();
    // MIG off: the driver refuses a GPU-instance sample.
    await rejects(settled(() => b.gpmMigSampleGetSync(dev, 1, s)), 'NVML_ERROR_INVALID_ARGUMENT');
    await enableMig(dev);
    const gi = await b.deviceCreateGpuInstance(dev, 19);
    const { id } = await b.gpuInstanceGetInfo(gi);
    expect(b.gpmMigSampleGetSync(dev, id, s)).toBeUndefined();
    await b.gpmSampleFree(s);
    await rejects(settled(() => b.gpmSampleGetSync(dev, s)), 'ERR_NVML_STALE_HANDLE');
    expect(() => (b as unknown as { gpmSampleGetSync(a: unknown, c: unknown): void }).gpmSampleGetSync(dev, 'x')).toThrow(TypeError);
  });
});
