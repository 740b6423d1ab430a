// The caller's stack in facade errors, and what a facade read costs for it: nothing captured when a
// read is made; on failure the callers awaiting it, a stale object's stack from the public method
// down, a mutation's synchronous caller captured when called.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type Device, type Nvml } from '../../dist/index.js';
import { MOCK, expectCode } from './helpers';

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

const frames = (e: { stack?: string }) => String(e.stack).split('\n').slice(1);

/** Counts Error.captureStackTrace calls made while `body` runs. */
async function captures(body: () => Promise<unknown>): Promise<number> {
  const real = Error.captureStackTrace;
  let n = 0;
  Error.captureStackTrace = function counted(...args: Parameters<typeof real>) {
    n++;
    real.call(Error, args[0], args[1] ?? counted);
  };
  try {
    await body();
  } finally {
    Error.captureStackTrace = real;
  }
  return n;
}

describe("the caller's stack in errors", () => {
  it('a failing read names every async function awaiting it, directly or through Promise.all', async () => {
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 3, always: true });
    async function readName(): Promise<string> {
      return await dev.name();
    }
    async function readBoth(): Promise<unknown> {
      return await Promise.all([dev.uuid(), readName()]);
    }
    const e = await expectCode(readBoth(), 'NVML_ERROR_NOT_SUPPORTED');
    expect(String(e.stack).split('\n')[0]).toBe(`NvmlError: ${e.message}`);
    expect(e.message).toContain('nvmlDeviceGetName');
    const lines = frames(e);
    expect(lines.findIndex((l) => l.includes('readName'))).toBeGreaterThanOrEqual(0);
    expect(lines.findIndex((l) => l.includes('readName'))).toBeLessThan(lines.findIndex((l) => l.includes('readBoth')));
    expect(e.stack).toContain('caller-stack.test');
    // The same error class and fields as ever.
    expect([e.code, e.nvmlReturn, e.fn]).toEqual(['NVML_ERROR_NOT_SUPPORTED', 3, 'nvmlDeviceGetName']);
  });

  it('a failing read awaited through a .then chain names the awaiting function', async () => {
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetMemoryInfo_v2', code: 999, always: true });
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetMemoryInfo', code: 999, always: true });
    async function memoryOrError(): Promise<unknown> {
      return await dev.memoryInfo().then(
        () => null,
        (x: unknown) => x,
      );
    }
    const e: any = await memoryOrError();
    expect(e?.code).toBe('NVML_ERROR_UNKNOWN');
    expect(frames(e).some((l) => l.includes('memoryOrError'))).toBe(true);
  });

  it("a stale object's error (thrown before any call) starts at the public method and names its synchronous caller", async () => {
    await dev.setMigMode(true);
    const gi = await dev.createGpuInstance(19);
    await gi.destroy();
    function askInfo(): Promise<unknown> {
      return gi.info();
    }
    const e = await expectCode(askInfo(), 'ERR_NVML_STALE_HANDLE');
    const lines = frames(e);
    expect(lines[0]).toMatch(/\binfo\b/);
    expect(lines[1]).toContain('askInfo');
  });

  it('a failing mutation names a caller that returns its promise without awaiting it', async () => {
    await dev.setMigMode(true);
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceCreateGpuInstance', code: 23, always: true });
    function createOne(): Promise<unknown> {
      return dev.createGpuInstance(19);
    }
    const e = await expectCode(createOne(), 'NVML_ERROR_INSUFFICIENT_RESOURCES');
    expect(frames(e).some((l) => l.includes('createOne'))).toBe(true);
  });
});

describe('what a facade read costs for the stack', () => {
  it('no stack is captured while reads succeed; one on a failure', async () => {
    const reads = () => Promise.all([dev.name(), dev.uuid(), dev.memoryInfo(), dev.migMode(), nvml.deviceCount()]);
    await reads();
    expect(await captures(async () => {
      for (let i = 0; i < 200; i++) await reads();
    })).toBe(0);
    // The counter sees the capture made on a failure (so the 0 above is not a blind spot).
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 3, always: true });
    expect(await captures(() => dev.name().catch(() => null))).toBeGreaterThan(0);
  });
});
