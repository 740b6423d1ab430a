import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { MigWatcher, watch, type LayoutChangeEvent, type MonitorEvent, type ProcessEvent } from '../../dist/monitor/index.js';
import { MOCK_LIB, ROOT, nextEvent, useMock } from './helpers';

let nvml: Nvml;
let watcher: MigWatcher | null = null;

const mock = useMock('h100-80gb:2');
beforeAll(() => {
  nvml = mock.nvml;
});
afterEach(async () => {
  await watcher?.close();
  watcher = null;
});

describe('watch', () => {
  it("reports a layout change through the NVML event path (the mock's call log shows the event delivered)", async () => {
    const d1 = await nvml.device(1);
    await d1.setMigMode(true);
    await nvml.mockControl({ cmd: 'clearCallLog' });
    // A long interval: the change lands between two polls, so the poll that sees it drains the event first.
    watcher = watch(nvml, { intervalMs: 300 });
    await watcher.ready;
    const registered = (await nvml.mockControl({ cmd: 'callLog' })).calls.filter((c: { fn: string }) => c.fn === 'nvmlDeviceRegisterEvents');
    expect(registered.length, 'the watcher registers for MIG config change events on every GPU').toBe(2);
    expect(registered.every((c: { ret: number }) => c.ret === 0)).toBe(true);
    expect(watcher.nvmlEventsActive).toBe(true);
    await nextEvent(watcher, 'snapshot');
    await nvml.mockControl({ cmd: 'clearCallLog' });
    const changed = nextEvent<LayoutChangeEvent>(watcher, 'layout');
    const gi = await d1.createGpuInstance((await d1.gpuInstanceProfile(0)).id);
    const ev = await changed;
    expect(ev.gpu).toBe(1);
    expect(ev.uuid).toBe(await d1.uuid());
    expect(ev.source).toBe('nvml-event');
    expect(ev.before.gpuInstances).toEqual([]);
    expect(ev.after.gpuInstances.map((g) => [g.id, g.profileName])).toEqual([[gi.id, '1g.10gb']]);
    // The driver handed the event over: one wait answered SUCCESS (a wait with nothing queued answers TIMEOUT).
    const waits = (await nvml.mockControl({ cmd: 'callLog' })).calls.filter((c: { fn: string }) => c.fn.startsWith('nvmlEventSetWait'));
    expect(waits.filter((c: { ret: number }) => c.ret === 0).length, JSON.stringify(waits)).toBe(1);
  });

  it('falls back to polling when NVML events are not used', async () => {
    watcher = watch(nvml, { intervalMs: 20, nvmlEvents: false });
    await watcher.ready;
    expect(watcher.nvmlEventsActive).toBe(false);
    const changed = nextEvent<LayoutChangeEvent>(watcher, 'layout');
    await (await nvml.device(0)).setMigMode(true);
    const ev = await changed;
    expect(ev).toMatchObject({ gpu: 0, source: 'poll' });
    expect(ev.before.migMode!.current).toBe(false);
    expect(ev.after.migMode!.current).toBe(true);
  });

  it('reports process arrivals and departures with their GPU/compute instance', async () => {
    const d0 = await nvml.device(0);
    await d0.setMigMode(true);
    const gi = await d0.createGpuInstance((await d0.gpuInstanceProfile(0)).id);
    const ci = await gi.createComputeInstance((await gi.computeInstanceProfile(0)).id);
    watcher = watch(nvml, { intervalMs: 20 });
    await watcher.ready;
    const started = nextEvent<ProcessEvent>(watcher, 'processStart');
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 777, name: 'job', usedMemoryMiB: 512, gi: gi.id, ci: ci.id });
    expect(await started).toEqual({
      type: 'processStart',
      gpu: 0,
      uuid: await d0.uuid(),
      pid: 777,
      gpuInstanceId: gi.id,
      computeInstanceId: ci.id,
      usedGpuMemory: 512 * 1024 * 1024,
    });
    const ended = nextEvent<ProcessEvent>(watcher, 'processEnd');
    await nvml.mockControl({ cmd: 'removeProcess', pid: 777 });
    expect(await ended).toMatchObject({ type: 'processEnd', gpu: 0, pid: 777, gpuInstanceId: gi.id });
  });

  it('is an async iterable; leaving the loop closes the watcher', async () => {
    const w = watch(nvml, { intervalMs: 20 });
    watcher = w;
    await w.ready;
    const closed = nextEvent(w, 'close');
    const seen: MonitorEvent[] = [];
    setTimeout(() => void nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid: 31337, name: 'x', usedMemoryMiB: 1 }), 30);
    for await (const ev of w) {
      seen.push(ev);
      if (ev.type === 'processStart') break;
    }
    await closed;
    expect(seen.at(-1)).toMatchObject({ type: 'processStart', gpu: 1, pid: 31337, gpuInstanceId: null });
  });

  it('answers next() calls made without waiting, in order, and ends them on close', async () => {
    const w = watch(nvml, { intervalMs: 20 });
    watcher = w;
    await w.ready;
    const it = w[Symbol.asyncIterator]();
    const first = it.next();
    const second = it.next();
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 501, name: 'a', usedMemoryMiB: 1 });
    await nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid: 502, name: 'b', usedMemoryMiB: 1 });
    const got = [await first, await second].map((r) => (r.value as ProcessEvent).pid).sort();
    expect(got).toEqual([501, 502]);
    const third = it.next();
    await w.close();
    expect(await third).toEqual({ value: undefined, done: true });
  });

  it('stops polling and frees its NVML event set on close', async () => {
    const w = watch(nvml, { intervalMs: 10 });
    await w.ready;
    await nextEvent(w, 'snapshot');
    await w.close();
    let snapshots = 0;
    w.on('snapshot', () => snapshots++);
    await nvml.mockControl({ cmd: 'clearCallLog' });
    await new Promise((r) => setTimeout(r, 60));
    const log = ((await nvml.mockControl({ cmd: 'callLog' })).calls as Array<{ fn: string }>).filter((c) => c.fn !== 'nvmlMockControl' && !c.fn.startsWith('nvmlGpm'));
    expect(snapshots).toBe(0);
    expect(log).toEqual([]);
    await w.close(); // idempotent
  });

  it('reports a failed tick as an error and keeps watching', async () => {
    watcher = watch(nvml, { intervalMs: 20 });
    await watcher.ready;
    const failed = nextEvent<Error & { code?: string }>(watcher, 'error');
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetCount_v2', code: 15, always: true });
    expect(await failed).toMatchObject({ code: 'NVML_ERROR_GPU_IS_LOST' });
    await nvml.mockControl({ cmd: 'clearFaults' });
    const started = nextEvent<ProcessEvent>(watcher, 'processStart');
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4040, name: 'after', usedMemoryMiB: 1 });
    expect(await started).toMatchObject({ pid: 4040, gpu: 0 });
  });

  it('rejects bad options', () => {
    expect(() => watch(nvml, { intervalMs: 1 })).toThrow(RangeError);
    expect(() => watch(nvml, { intervalMs: Number.NaN })).toThrow(TypeError);
    expect(() => watch(nvml, 'x' as never)).toThrow(TypeError);
  });
});

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env, NVML_MOCK_MACHINE: 'h100-80gb:1' };
  delete env.NVML_MOCK_STATE;
  return env;
}

/** Runs a script in a child Node process; resolves with its exit code, or rejects after `ms`. */
function runChild(script: string, ms = 10_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after ${ms} ms (kept alive?): ${out}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const prelude = `
const { init } = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
const { watch } = require(${JSON.stringify(path.join(ROOT, 'dist/monitor/index.js'))});
`;

describe('watch and the process lifetime', () => {
  it('does not keep the process alive', async () => {
    const { code, out } = await runChild(`${prelude}
      init({ libraryPath: ${JSON.stringify(MOCK_LIB)} }).then(async (nvml) => {
        const w = watch(nvml, { intervalMs: 20 });
        let n = 0;
        w.on('snapshot', () => n++);
        // The program's own work, for 200 ms; after it nothing is left but the watcher, and the
        // process must exit on its own (NVML is not even shut down).
        setTimeout(() => console.log('watched', n, 'snapshots'), 200);
      });`);
    expect(out).toMatch(/^watched ([1-9]\d*) snapshots\n$/);
    expect(code).toBe(0);
  });

  it('with keepAlive, holds the process until close()', async () => {
    const { code, out } = await runChild(`${prelude}
      init({ libraryPath: ${JSON.stringify(MOCK_LIB)} }).then(async (nvml) => {
        const w = watch(nvml, { intervalMs: 20, keepAlive: true });
        let n = 0;
        w.on('snapshot', () => { if (++n === 3) w.close().then(() => nvml.shutdown()).then(() => console.log('closed after', n)); });
      });`);
    expect(out).toMatch(/closed after 3/);
    expect(code).toBe(0);
  });

  it('ends when NVML is shut down', async () => {
    const { code, out } = await runChild(`${prelude}
      init({ libraryPath: ${JSON.stringify(MOCK_LIB)} }).then(async (nvml) => {
        const w = watch(nvml, { intervalMs: 20, keepAlive: true });
        w.on('error', (e) => console.log('error', e.code));
        w.on('close', () => console.log('closed'));
        await w.ready;
        await nvml.shutdown();
      });`);
    expect(out).toBe('closed\n');
    expect(code).toBe(0);
  });
});
