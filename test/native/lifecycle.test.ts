// Loading, the symbol table, not-initialised errors, close() and stale handles after it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { b, control, MOCK, openMock, rejects, ROOT, TestNvmlError } from './helpers';

afterAll(() => b.close());

describe('lib/binding.ts', () => {
  it('without a built addon: one Error that lists what was tried and what to do', () => {
    // A package root with dist/ but no build/ and no platform package (inside the repo so node_modules resolves).
    const root = path.join(ROOT, 'build', 'binding-test-root');
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    // binding.js and what it imports (the platform lookup, the snapshot decoder).
    for (const f of ['binding.js', 'platform.js', 'native.gen.js']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(root, 'dist', f));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a copy of dist/binding.js at a path made here
    const { loadBinding } = require(path.join(root, 'dist', 'binding.js'));
    let err: Error | undefined;
    try {
      loadBinding();
    } catch (e) {
      err = e as Error;
    }
    fs.rmSync(root, { recursive: true, force: true });
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/@nvml-mig\/linux-(x64|arm64)-(gnu|musl) \(not installed\)/);
    expect(err!.message).toContain(path.join(root, 'build', 'Release', 'nvml_mig.node') + ' (missing)');
    expect(err!.message).toContain('npm run build:native --prefix node_modules/nvml-mig');
  });
});

describe('before open()', () => {
  it('every call rejects ERR_NVML_NOT_INITIALIZED; the table is empty', async () => {
    expect(b.isOpen()).toBe(false);
    expect(b.functions()).toEqual({});
    expect(b.pendingCalls()).toBe(0);
    await rejects(b.deviceGetCount(), 'ERR_NVML_NOT_INITIALIZED');
    await rejects(b.systemGetDriverVersion(), 'ERR_NVML_NOT_INITIALIZED');
    await rejects(b.mockControl('{"cmd":"state"}'), 'ERR_NVML_NOT_INITIALIZED');
    expect(() => b.deviceGetCountSync()).toThrow(TestNvmlError);
    await expect(b.close()).resolves.toBeUndefined();
  });

  it('errorString uses the built-in table and never throws', () => {
    expect(b.errorString(19)).toBe('In use by another client');
    expect(b.errorString(12345)).toBe('Unknown Error');
    expect(b.errorString(NaN)).toBe('Unknown Error');
    expect((b.errorString as (x: unknown) => string)('x')).toBe('Unknown Error');
  });

  it('a library that cannot be loaded: ERR_NVML_LOAD_FAILED with the path and dlerror', async () => {
    const e = await rejects(b.open('/nonexistent/dir/libnvidia-ml.so.1', 0, false), 'ERR_NVML_LOAD_FAILED');
    expect(e.message).toContain('/nonexistent/dir/libnvidia-ml.so.1');
    expect(e.message).toMatch(/No such file or directory/);
    expect(e.fn).toBeNull();
    // Not a shared object at all.
    const e2 = await rejects(b.open(__filename, 0, false), 'ERR_NVML_LOAD_FAILED');
    expect(e2.message).toContain(__filename);
    // A shared library that is not NVML.
    const e3 = await rejects(b.open('libm.so.6', 0, false), 'ERR_NVML_LOAD_FAILED');
    expect(e3.message).toMatch(/libm\.so\.6.*not NVML/);
    expect(b.isOpen()).toBe(false);
    expect(b.functions()).toEqual({});
  });

  it("CUDA's stub library is refused without loading it", async () => {
    // A loadable NVML (a copy of the mock) under a stubs/ directory: only the refusal keeps it out.
    const stubs = path.join(ROOT, 'build', 'test-fixtures', 'cuda', 'lib64', 'stubs');
    const stub = path.join(stubs, 'libnvidia-ml.so');
    fs.mkdirSync(stubs, { recursive: true });
    fs.copyFileSync(MOCK, stub);
    const refusal = (p: string) => `cannot load the NVML library '${p}': refusing a CUDA stub library (stubs/)`;
    const e = await rejects(b.open(stub, 0, false), 'ERR_NVML_LOAD_FAILED');
    expect(e.message).toBe(refusal(stub));
    expect(e.fn).toBeNull();
    expect(b.isOpen()).toBe(false);
    expect(b.functions()).toEqual({});
    expect(fs.readFileSync('/proc/self/maps', 'utf8')).not.toContain(stubs);
    // CUDA's usual install path, present or not: the same refusal, before any dlopen error.
    const cuda = '/usr/local/cuda/lib64/stubs/libnvidia-ml.so';
    expect((await rejects(b.open(cuda, 0, false), 'ERR_NVML_LOAD_FAILED')).message).toBe(refusal(cuda));
  });
});

describe('open()', () => {
  it('resolves every entry, newest version first, and records the symbol', async () => {
    process.env.NVML_MOCK_MACHINE = 'h100-80gb';
    const r = await b.open(MOCK, 0, false);
    expect(r.path).toBe(MOCK);
    expect(b.isOpen()).toBe(true);
    expect(r.functions.nvmlInit_v2).toBe('nvmlInit_v2');
    expect(r.functions.nvmlComputeInstanceGetInfo_v2).toBe('nvmlComputeInstanceGetInfo_v2');
    expect(r.functions.nvmlDeviceGetGpuInstancePossiblePlacements_v2).toBe('nvmlDeviceGetGpuInstancePossiblePlacements_v2');
    expect(r.functions.nvmlDeviceGetGpuInstanceProfileInfoV).toBe('nvmlDeviceGetGpuInstanceProfileInfoV');
    expect(r.functions).not.toHaveProperty('nvmlMockControl'); // the mock's channel is not an NVML function
    expect(b.functions()).toEqual(r.functions);
    // Every X-macro entry is a key.
    expect(Object.keys(r.functions).length).toBeGreaterThanOrEqual(55);
  });

  it('open() of the same path again resolves the same table; another path is refused', async () => {
    const again = await b.open(MOCK, 0, false);
    expect(again.functions).toEqual(b.functions());
    const e = await rejects(b.open('/other/libnvidia-ml.so.1', 0, false), 'ERR_NVML_LOAD_FAILED');
    expect(e.message).toMatch(/already open/);
  });

  it('errorString now comes from the loaded library', () => {
    expect(b.errorString(19)).toMatch(/in use/i);
  });
});

describe('close()', () => {
  it('waits for calls in flight, all of them settle, later calls reject, handles go stale', async () => {
    await control({ cmd: 'reset', machine: 'h100-80gb:2' });
    const dev = await b.deviceGetHandleByIndex(0);
    await control({ cmd: 'setLatency', fn: '*', us: 3000 });
    const inflight = Array.from({ length: 12 }, (_, i) => (i % 2 ? b.deviceGetName(dev) : b.deviceGetMigMode(dev)));
    expect(b.pendingCalls()).toBe(12);
    const closing = b.close();
    // Refused at once while closing.
    await rejects(b.deviceGetName(dev), 'ERR_NVML_NOT_INITIALIZED');
    expect(b.isOpen()).toBe(false);
    let closed = false;
    void closing.then(() => (closed = true));
    const results = await Promise.allSettled(inflight);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    await closing;
    expect(closed).toBe(true);
    expect(b.pendingCalls()).toBe(0);
    expect(b.functions()).toEqual({});
    await rejects(b.deviceGetName(dev), 'ERR_NVML_NOT_INITIALIZED');

    // A handle from before close() is stale in the next session, never another device.
    await openMock('h100-80gb:2');
    await rejects(b.deviceGetName(dev), 'ERR_NVML_STALE_HANDLE');
    const dev2 = await b.deviceGetHandleByIndex(0);
    expect(dev2).not.toBe(dev);
    expect(await b.deviceGetName(dev2)).toMatch(/H100/);
    await b.close();
  });

  it('close() waits for an event wait in progress, which resolves null at its timeout', async () => {
    await openMock();
    const d = await b.deviceGetHandleByIndex(0);
    const set = await b.eventSetCreate();
    await b.deviceRegisterEvents(d, 0x100n, set);
    const started = Date.now();
    const wait = b.eventSetWait(set, 150);
    let waitDone = false;
    void wait.then(() => (waitDone = true));
    await b.close();
    expect(waitDone).toBe(true);
    expect(await wait).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await rejects(b.eventSetFree(set), 'ERR_NVML_NOT_INITIALIZED');
  });

  it('the Sync twins throw the same errors', async () => {
    await openMock();
    const d = b.deviceGetHandleByIndexSync(0);
    let err: TestNvmlError | undefined;
    try {
      b.deviceGetNameSync(d + 1);
    } catch (e) {
      err = e as TestNvmlError;
    }
    expect(err).toBeInstanceOf(TestNvmlError);
    expect(err!.code).toBe('ERR_NVML_STALE_HANDLE');
    expect(() => b.deviceGetNameSync(-1)).toThrow(RangeError);
    await b.close();
  });

  it('a worker thread has its own session: its close() leaves this one working', async () => {
    const { Worker } = await import('node:worker_threads');
    await openMock();
    const dev = await b.deviceGetHandleByIndex(0);
    const worker = new Worker(path.join(__dirname, 'fixtures', 'worker-session.cjs'), {
      workerData: { binding: path.join(ROOT, 'dist', 'binding.js'), library: MOCK },
    });
    const answer = await new Promise<any>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(answer).toEqual({ name: 'NVIDIA H100 80GB HBM3', dev: expect.any(Number), open: false });
    expect(b.isOpen()).toBe(true);
    expect(await b.deviceGetName(dev)).toBe('NVIDIA H100 80GB HBM3');
    await b.close();
  });

  it('two close() calls share the shutdown', async () => {
    await openMock();
    const [a, c] = [b.close(), b.close()];
    await expect(Promise.all([a, c])).resolves.toEqual([undefined, undefined]);
    expect(b.isOpen()).toBe(false);
  });
});
