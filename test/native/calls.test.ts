// How calls run: argument checks, the read-only interlock, mutation order on one GPU, the JS
// thread staying free, stale and wrong-kind handles.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MOCK, ROOT, b, control, enableMig, openMock, rejects } from './helpers';

const MUTATORS = [
  'nvmlDeviceSetMigMode', 'nvmlDeviceCreateGpuInstance', 'nvmlDeviceCreateGpuInstanceWithPlacement', 'nvmlGpuInstanceDestroy',
  'nvmlGpuInstanceCreateComputeInstance', 'nvmlGpuInstanceCreateComputeInstanceWithPlacement', 'nvmlComputeInstanceDestroy',
];

let dev: number;
beforeAll(() => openMock('h100-80gb:2'));
beforeEach(async () => {
  b.setReadOnly(false);
  await control({ cmd: 'reset', machine: 'h100-80gb:2' });
  await control({ cmd: 'setLatency', fn: '*', us: 0 });
  dev = await b.deviceGetHandleByIndex(0);
});
afterAll(() => b.close());

describe('argument checks (synchronous TypeError / RangeError, never a crash)', () => {
  it('types and ranges', () => {
    const anyB = b as any;
    expect(() => anyB.deviceGetName()).toThrow(TypeError);
    expect(() => anyB.deviceGetName('1')).toThrow(TypeError);
    expect(() => anyB.deviceGetName(1n)).toThrow(TypeError);
    expect(() => anyB.deviceGetName(-1)).toThrow(RangeError);
    expect(() => anyB.deviceGetName(1.5)).toThrow(RangeError);
    expect(() => anyB.deviceGetName(NaN)).toThrow(RangeError);
    expect(() => anyB.deviceGetName(2 ** 53)).toThrow(RangeError);
    expect(() => anyB.deviceGetHandleByIndex(2 ** 32)).toThrow(RangeError);
    expect(() => anyB.deviceGetHandleByIndex(Infinity)).toThrow(RangeError);
    expect(() => anyB.deviceGetGpuInstanceProfileInfo(dev, 0, 4)).toThrow(RangeError);
    expect(() => anyB.deviceGetGpuInstanceProfileInfo(dev, 0)).toThrow(TypeError);
    expect(() => anyB.deviceGetHandleByUuid({})).toThrow(TypeError);
    expect(() => anyB.deviceGetHandleByUuid('GPU-\u0000x')).toThrow(TypeError);
    expect(() => anyB.deviceGetHandleByUuid('x'.repeat(100_000))).toThrow(RangeError);
    expect(() => anyB.deviceGetFieldValues(dev, new Array(100_000).fill(1))).toThrow(RangeError);
    expect(() => anyB.deviceGetFieldValues(dev, [1, 'x'])).toThrow(TypeError);
    expect(() => anyB.deviceRegisterEvents(dev, -1n, 1)).toThrow(RangeError);
    expect(() => anyB.open(1, 0, false)).toThrow(TypeError);
    expect(() => anyB.setReadOnly('yes')).toThrow(TypeError);
    expect(() => anyB.setErrorClass(1)).toThrow(TypeError);
    expect(() => anyB.deviceCreateGpuInstance(dev, 19, 'start')).toThrow(TypeError);
    expect(() => anyB.deviceCreateGpuInstance(dev, 19, { start: -1, size: 1 })).toThrow(RangeError);
  });

  it('a throwing getter in a placement object becomes the thrown error', () => {
    const evil = { get start(): number { throw new Error('boom'); }, size: 1 };
    expect(() => b.deviceCreateGpuInstance(dev, 19, evil as any)).toThrow('boom');
  });

  it('an id of another kind is a TypeError; an unknown id is stale', async () => {
    await enableMig(dev);
    const gi = await b.deviceCreateGpuInstance(dev, 19);
    expect(() => b.deviceGetName(gi)).toThrow(TypeError);
    expect(() => b.gpuInstanceGetInfo(dev)).toThrow(/must be a GPU instance handle, got a device/);
    await rejects(b.deviceGetName(123456789), 'ERR_NVML_STALE_HANDLE');
    await rejects(b.deviceGetName(0), 'ERR_NVML_STALE_HANDLE');
  });
});

describe('read-only interlock', () => {
  it('every mutating call rejects before reaching NVML; reads still work', async () => {
    await enableMig(dev);
    const gi = await b.deviceCreateGpuInstance(dev, 9);
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
    await control({ cmd: 'clearCallLog' });
    b.setReadOnly(true);
    await rejects(b.deviceSetMigMode(dev, 0), 'ERR_NVML_READ_ONLY');
    await rejects(b.deviceCreateGpuInstance(dev, 19), 'ERR_NVML_READ_ONLY');
    await rejects(b.deviceCreateGpuInstance(dev, 19, { start: 0, size: 1 }), 'ERR_NVML_READ_ONLY');
    await rejects(b.gpuInstanceDestroy(gi), 'ERR_NVML_READ_ONLY');
    await rejects(b.gpuInstanceCreateComputeInstance(gi, 0), 'ERR_NVML_READ_ONLY');
    await rejects(b.gpuInstanceCreateComputeInstance(gi, 0, { start: 1, size: 1 }), 'ERR_NVML_READ_ONLY');
    await rejects(b.computeInstanceDestroy(ci), 'ERR_NVML_READ_ONLY');
    expect((await b.gpuInstanceGetInfo(gi)).profileId).toBe(9);
    const { calls } = await control({ cmd: 'callLog' });
    expect(calls.map((c: { fn: string }) => c.fn)).toContain('nvmlGpuInstanceGetInfo');
    expect(calls.filter((c: { fn: string }) => MUTATORS.includes(c.fn))).toEqual([]);
    b.setReadOnly(false);
    await b.computeInstanceDestroy(ci);
  });

  it('open(readOnly) sets it', async () => {
    await b.close();
    await openMock('h100-80gb', true);
    const d = await b.deviceGetHandleByIndex(0);
    await rejects(b.deviceSetMigMode(d, 1), 'ERR_NVML_READ_ONLY');
    await b.close();
    await openMock('h100-80gb:2');
  });
});

describe('ordering and the JS thread', () => {
  it('mutations on one GPU complete in issue order', async () => {
    await enableMig(dev);
    await control({ cmd: 'setLatency', fn: '*', us: 300 });
    const order: string[] = [];
    const tag = <T>(name: string, p: Promise<T>) => p.then((v) => (order.push(name), v), (e) => (order.push(name + '!'), Promise.reject(e)));
    // Seven 1g creates with reads interleaved, then a destroy of the first: issue order must hold.
    const creates = Array.from({ length: 7 }, (_, i) => tag(`c${i}`, b.deviceCreateGpuInstance(dev, 19)));
    const reads = Array.from({ length: 7 }, () => b.deviceGetMigMode(dev));
    const over = tag('c7', b.deviceCreateGpuInstance(dev, 19)).catch((e) => e);
    const first = await creates[0];
    const destroy = tag('d0', b.gpuInstanceDestroy(first));
    const gis = await Promise.all(creates);
    await destroy;
    const err = await over;
    await Promise.all(reads);
    expect(order).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7!', 'd0']);
    expect(err.code).toBe('NVML_ERROR_INSUFFICIENT_RESOURCES');
    // The driver-placement order of 1g slices (6, 4, 5, 0, 1, 2, 3) shows the calls reached NVML in order.
    const starts = await Promise.all(gis.slice(1).map(async (g) => (await b.gpuInstanceGetInfo(g)).placement.start));
    expect(starts).toEqual([4, 5, 0, 1, 2, 3]);
    const log = (await control({ cmd: 'callLog' })).calls.map((c: { fn: string }) => c.fn);
    const mutations = log.filter((f: string) => MUTATORS.includes(f));
    expect(mutations.slice(-9)).toEqual([...Array(8).fill('nvmlDeviceCreateGpuInstance'), 'nvmlGpuInstanceDestroy']);
  });

  it('queued mutations hold no worker thread: a read of another GPU overtakes them', async () => {
    const dev1 = await b.deviceGetHandleByIndex(1);
    await enableMig(dev);
    await control({ cmd: 'setLatency', fn: 'nvmlDeviceCreateGpuInstance', us: 20_000 });
    const order: string[] = [];
    const creates = Array.from({ length: 6 }, (_, i) => b.deviceCreateGpuInstance(dev, 19).then(() => order.push(`c${i}`)));
    const read = b.deviceGetName(dev1).then(() => order.push('read'));
    await Promise.all([...creates, read]);
    // Without the per-GPU queue the six creates would fill the 4-thread pool and the read would wait.
    expect(order).toEqual(['read', 'c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('different GPUs do not wait for each other; a destroy queued behind a create of its CI is ordered', async () => {
    const dev1 = await b.deviceGetHandleByIndex(1);
    await enableMig(dev);
    await enableMig(dev1, 1);
    const gi = await b.deviceCreateGpuInstance(dev, 9);
    const ci = b.gpuInstanceCreateComputeInstance(gi, 2);
    const destroyGi = b.gpuInstanceDestroy(gi); // issued after the CI create: sees the CI → IN_USE
    const other = b.deviceCreateGpuInstance(dev1, 0);
    await ci;
    await rejects(destroyGi, 'NVML_ERROR_IN_USE', 19);
    await other;
  });

  it('the JS thread keeps running while calls wait in the driver (2 ms each)', async () => {
    await control({ cmd: 'setLatency', fn: '*', us: 2000 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = Date.now();
    await Promise.all(Array.from({ length: 40 }, () => b.deviceGetMigMode(dev)));
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // 40 calls × 2 ms on a 4-thread pool ≈ 20 ms+: the timer must have fired many times meanwhile.
    expect(elapsed).toBeGreaterThanOrEqual(18);
    expect(ticks).toBeGreaterThanOrEqual(5);
    // The Sync twin blocks by design: no tick can happen during it.
    let syncTicks = 0;
    const t2 = setInterval(() => syncTicks++, 1);
    for (let i = 0; i < 5; i++) b.deviceGetMigModeSync(dev);
    expect(syncTicks).toBe(0);
    clearInterval(t2);
  });

  it('slow reads overlap on the call threads (8 reads of 20 ms each)', async () => {
    await control({ cmd: 'setLatency', fn: 'nvmlDeviceGetName', us: 20_000 });
    const started = process.hrtime.bigint();
    const names = await Promise.all(Array.from({ length: 8 }, () => b.deviceGetName(dev)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(new Set(names).size).toBe(1);
    // One after another: 160 ms; four threads: about 40 ms.
    expect(ms).toBeLessThan(120);
  });

  it('reads of a GPU being mutated wait for the mutation without holding up reads of another GPU', async () => {
    const dev1 = await b.deviceGetHandleByIndex(1);
    await enableMig(dev);
    await control({ cmd: 'setLatency', fn: 'nvmlDeviceCreateGpuInstance', us: 60_000 });
    const order: string[] = [];
    const create = b.deviceCreateGpuInstance(dev, 19).then(() => order.push('create'));
    await new Promise((r) => setTimeout(r, 15)); // the create now holds GPU 0's lock, inside the driver
    const same = Array.from({ length: 8 }, () => b.deviceGetGpuInstances(dev, 19));
    const other = b.deviceGetName(dev1).then(() => order.push('gpu1'));
    await Promise.all([create, other]);
    // Eight reads blocked on GPU 0's lock would have filled a 4-thread pool and held the GPU 1 read.
    expect(order).toEqual(['gpu1', 'create']);
    // They ran after the create: each sees its instance.
    for (const gis of await Promise.all(same)) expect(gis).toHaveLength(1);
  });

  it('idle call threads do not keep the process alive', () => {
    const script = `
      const b = require(${JSON.stringify(path.join(ROOT, 'dist', 'binding.js'))}).loadBinding();
      b.open(${JSON.stringify(MOCK)}, 0, false).then(async () => {
        const h = await b.deviceGetHandleByIndex(0);
        await Promise.all(Array.from({ length: 100 }, () => b.deviceGetName(h)));
        console.log('done');
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout.trim()).toBe('done');
    expect(r.status).toBe(0);
  });

  it("the call threads' spin after a call is bounded: idle threads burn no CPU", () => {
    // 200 promise calls, then 300 ms idle: the process's CPU time over the idle part stays far
    // below the idle time (a spin that never ended would take about 300 ms of it). With a 5 ms
    // spin the calls still settle, and the idle time costs at most that spin.
    const script = `
      const b = require(${JSON.stringify(path.join(ROOT, 'dist', 'binding.js'))}).loadBinding();
      b.open(${JSON.stringify(MOCK)}, 0, false).then(async () => {
        const h = await b.deviceGetHandleByIndex(0);
        for (let i = 0; i < 200; i++) await b.deviceGetName(h);
        await new Promise((r) => setTimeout(r, 20));
        const c0 = process.cpuUsage();
        await new Promise((r) => setTimeout(r, 300));
        const c = process.cpuUsage(c0);
        console.log(JSON.stringify({ spin: process.env.NVML_MIG_SPIN_US, cpuMs: (c.user + c.system) / 1000 }));
      });`;
    for (const spinUs of ['', '0', '5000', 'junk']) {
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NVML_MIG_SPIN_US: spinUs } });
      expect(r.status, r.stderr).toBe(0);
      const { cpuMs } = JSON.parse(r.stdout.trim()) as { cpuMs: number };
      expect(cpuMs, `NVML_MIG_SPIN_US=${spinUs}`).toBeLessThan(60);
    }
  });

  it('a read issued after a destroy of its GI runs before it or is stale, never on freed memory', async () => {
    await enableMig(dev);
    await control({ cmd: 'setLatency', fn: '*', us: 200 });
    for (let round = 0; round < 5; round++) {
      const gi = await b.deviceCreateGpuInstance(dev, 14);
      const destroy = b.gpuInstanceDestroy(gi);
      const reads = await Promise.allSettled(Array.from({ length: 8 }, () => b.gpuInstanceGetInfo(gi)));
      await destroy;
      for (const r of reads) {
        if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('ERR_NVML_STALE_HANDLE');
        else expect(r.value.profileId).toBe(14);
      }
    }
  });
});
