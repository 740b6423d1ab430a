// init()/shutdown(): reference counting, asyncDispose, closing with calls in flight, stale
// objects after a shutdown, library path and read-only from the environment.
import { afterEach, describe, expect, it } from 'vitest';
import { init, Nvml } from '../../dist/index.js';
import { MOCK, expectCode } from './helpers';

// Every test leaves the library closed; this closes what a failing test left open.
const opened: Nvml[] = [];
async function open(options: Parameters<typeof init>[0] = { libraryPath: MOCK }): Promise<Nvml> {
  const n = await init(options);
  opened.push(n);
  return n;
}
afterEach(async () => {
  for (const n of opened.splice(0)) {
    while (true) {
      try {
        await n.shutdown();
      } catch {
        break;
      }
    }
  }
  delete process.env.NVML_LIBRARY_PATH;
  delete process.env.NVML_MIG_READONLY;
});

describe('init / shutdown', () => {
  it('is reference counted: the same Nvml until the last shutdown', async () => {
    const a = await open();
    const b = await open();
    expect(b).toBe(a);
    expect(a.libraryPath).toBe(MOCK);
    expect(a.readOnly).toBe(false);
    await a.shutdown();
    expect(await a.deviceCount()).toBe(1); // still open: one reference left
    await b.shutdown();
    await expectCode(a.deviceCount(), 'ERR_NVML_NOT_INITIALIZED');
    expect(() => a.functions()).toThrow(expect.objectContaining({ code: 'ERR_NVML_NOT_INITIALIZED' }));
    await expectCode(a.shutdown(), 'ERR_NVML_NOT_INITIALIZED');
  });

  it('concurrent first inits share one open', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    await a.shutdown();
    await a.shutdown();
    expect(await a.deviceCount()).toBe(1);
    await a.shutdown();
    await expectCode(a.deviceCount(), 'ERR_NVML_NOT_INITIALIZED');
  });

  it('another library path or read-only setting while open is ERR_NVML_ALREADY_LOADED', async () => {
    const a = await open();
    const e = await expectCode(init({ libraryPath: '/other/libnvidia-ml.so.1' }), 'ERR_NVML_ALREADY_LOADED');
    expect(e.message).toContain(MOCK);
    await expectCode(init({ readOnly: true }), 'ERR_NVML_ALREADY_LOADED');
    // Naming the same path, or none, takes another reference.
    expect(await open({ libraryPath: MOCK })).toBe(a);
    expect(await open({})).toBe(a);
  });

  it('[Symbol.asyncDispose] is shutdown()', async () => {
    const a = await open();
    expect(typeof a[Symbol.asyncDispose]).toBe('function');
    await a[Symbol.asyncDispose]();
    await expectCode(a.driverVersion(), 'ERR_NVML_NOT_INITIALIZED');
  });

  it('objects from before a shutdown are stale, also after a new init (never another instance)', async () => {
    const a = await open();
    const dev = await a.device(0);
    const uuid = await dev.uuid();
    await a.shutdown();
    await expectCode(dev.uuid(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(a.device(0), 'ERR_NVML_NOT_INITIALIZED');
    const b = await open();
    expect(b).not.toBe(a);
    await expectCode(dev.name(), 'ERR_NVML_STALE_HANDLE');
    await expectCode(a.deviceCount(), 'ERR_NVML_NOT_INITIALIZED');
    const again = await b.device(0);
    expect(again).not.toBe(dev);
    expect(await again.uuid()).toBe(uuid);
  });

  it('shutdown waits for calls in flight, which complete normally', async () => {
    const a = await open();
    const dev = await a.device(0);
    await a.mockControl({ cmd: 'setLatency', fn: 'nvmlDeviceGetMigMode', us: 200_000 });
    const order: string[] = [];
    const call = dev.migMode().then((m) => {
      order.push('call');
      return m;
    });
    const closed = a.shutdown().then(() => order.push('shutdown'));
    await expectCode(a.deviceCount(), 'ERR_NVML_NOT_INITIALIZED'); // new calls refused at once
    expect(await call).toEqual({ current: false, pending: false, changePending: false });
    await closed;
    expect(order).toEqual(['call', 'shutdown']);
    // The mock's latency setting lives in the process: clear it for the next open.
    const b = await open();
    await b.mockControl({ cmd: 'reset' });
  });

  it('an init() during a shutdown opens again after the close', async () => {
    const a = await open();
    const closing = a.shutdown();
    const b = await open();
    await closing;
    expect(b).not.toBe(a);
    expect(await b.deviceCount()).toBe(1);
  });

  it('takes the library path from NVML_LIBRARY_PATH and read-only from NVML_MIG_READONLY=1', async () => {
    process.env.NVML_LIBRARY_PATH = MOCK;
    process.env.NVML_MIG_READONLY = '1';
    const a = await open(undefined);
    expect(a.libraryPath).toBe(MOCK);
    expect(a.readOnly).toBe(true);
    const dev = await a.device(0);
    await expectCode(dev.setMigMode(true), 'ERR_NVML_READ_ONLY');
  });

  it('the default path is libnvidia-ml.so.1 (no driver here: a load failure naming it)', async () => {
    const e = await init().catch((x) => x);
    if (e instanceof Nvml) {
      opened.push(e); // a machine with a driver
      expect(e.libraryPath).toContain('libnvidia-ml.so.1');
    } else {
      expect(e.code).toBe('ERR_NVML_LOAD_FAILED');
      expect(e.message).toContain('libnvidia-ml.so.1');
    }
  });

  it('functions() tells which symbols the library resolved', async () => {
    const a = await open();
    const table = a.functions();
    expect(table.nvmlDeviceGetMigMode).toBe('nvmlDeviceGetMigMode');
    expect(Object.keys(table).length).toBeGreaterThanOrEqual(50);
    expect(a.hasFunction('nvmlDeviceCreateGpuInstanceWithPlacement')).toBe(true);
    expect(a.hasFunction('nvmlNoSuchFunction')).toBe(false);
    // A copy: editing it changes nothing.
    table.nvmlDeviceGetMigMode = null;
    expect(a.hasFunction('nvmlDeviceGetMigMode')).toBe(true);
    expect(() => a.hasFunction(3 as never)).toThrow(TypeError);
  });
});
