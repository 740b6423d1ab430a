// The exporter under load on 127.0.0.1: many concurrent scrapes (bounded in count and in time),
// a failing GPU (every code the driver could answer, injected into each function a snapshot
// calls), a slow driver, and malformed requests. It stays up, and every scrape is answered.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { startExporter, type MigExporter } from '../../dist/monitor/index.js';
import { MOCK, SLOW, limit } from './helpers';

let nvml: Nvml;
let ex: MigExporter;

/** n scrapes, at most `parallel` at once, each bounded by `timeoutMs`: statuses and the slowest. */
async function scrapes(n: number, parallel: number, timeoutMs = 5000): Promise<{ statuses: Record<number, number>; maxMs: number; bodies: string[] }> {
  const statuses: Record<number, number> = {};
  const bodies: string[] = [];
  let maxMs = 0;
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await fetch(ex.url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      maxMs = Math.max(maxMs, performance.now() - t0);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (bodies.length < 3) bodies.push(body);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return { statuses, maxMs, bodies };
}

beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb:2';
  nvml = await init({ libraryPath: MOCK });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
  const d0 = await nvml.device(0);
  await d0.setMigMode(true);
  const gi = await d0.createGpuInstance(9);
  await gi.createComputeInstance(2);
  ex = await startExporter(nvml, { port: 0, host: '127.0.0.1', intervalMs: 20 });
});
afterAll(async () => {
  await ex?.close();
  await nvml?.shutdown();
});

describe('exporter under load', () => {
  it('binds loopback only', () => {
    expect(ex.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });

  it('thousands of concurrent scrapes, each answered 200 in bounded time', async () => {
    const n = SLOW ? 300 : 2000;
    const r = await scrapes(n, 64);
    expect(r.statuses).toEqual({ 200: n });
    expect(r.bodies[0]).toMatch(/nvml_mig_up 1/);
    console.log(`exporter: ${n} scrapes, 64 in parallel, slowest ${r.maxMs.toFixed(1)} ms, ${ex.refreshes} refreshes meanwhile`);
    expect(r.maxMs).toBeLessThan(5000);
  }, limit(60_000));

  it('a failing GPU: every code into each function a snapshot calls; it stays up and answers', async () => {
    const fns = [
      'nvmlDeviceGetCount_v2', 'nvmlDeviceGetHandleByIndex_v2', 'nvmlDeviceGetName', 'nvmlDeviceGetUUID', 'nvmlDeviceGetPciInfo_v3',
      'nvmlDeviceGetMigMode', 'nvmlDeviceGetMemoryInfo_v2', 'nvmlDeviceGetUtilizationRates', 'nvmlDeviceGetComputeRunningProcesses_v3',
      'nvmlDeviceGetGpuInstances', 'nvmlGpuInstanceGetInfo', 'nvmlGpuInstanceGetComputeInstances', 'nvmlComputeInstanceGetInfo_v2',
      'nvmlDeviceGetMaxMigDeviceCount', 'nvmlDeviceGetMigDeviceHandleByIndex', 'nvmlDeviceGetAttributes_v2', 'nvmlDeviceGetGpuInstanceId',
      'nvmlDeviceGetComputeInstanceId', 'nvmlDeviceGetGpuInstanceProfileInfoV', 'nvmlGpuInstanceGetComputeInstanceProfileInfoV',
    ];
    const codes = SLOW ? [0, 15, 999] : [0, 2, 3, 7, 15, 17, 999];
    let cases = 0;
    for (const fn of fns) {
      for (const code of codes) {
        await nvml.mockControl({ cmd: 'setFault', fn, code, always: true });
        await ex.nextRefresh();
        await ex.nextRefresh();
        const r = await scrapes(4, 4);
        expect(r.statuses, `${fn} ← ${code}`).toEqual({ 200: 4 });
        expect(r.bodies[0]).toMatch(/nvml_mig_up [01]/);
        await nvml.mockControl({ cmd: 'clearFaults' });
        cases++;
      }
    }
    await ex.nextRefresh();
    await ex.nextRefresh();
    const healthy = await scrapes(1, 1);
    expect(healthy.bodies[0]).toMatch(/nvml_mig_up 1/);
    console.log(`exporter: ${cases} fault cases (${fns.length} functions × ${codes.length} codes), every scrape answered`);
  }, limit(120_000));

  it('a slow driver (every call 2 ms) does not slow the scrapes', async () => {
    await nvml.mockControl({ cmd: 'setLatency', fn: '*', us: 2000 });
    try {
      await ex.nextRefresh();
      const r = await scrapes(SLOW ? 100 : 500, 32);
      expect(Object.keys(r.statuses)).toEqual(['200']);
      console.log(`exporter: slow driver, slowest scrape ${r.maxMs.toFixed(1)} ms`);
      expect(r.maxMs).toBeLessThan(5000);
    } finally {
      await nvml.mockControl({ cmd: 'setLatency', fn: '*', us: 0 });
    }
  }, limit(60_000));

  it('malformed and hostile requests leave it answering', async () => {
    const port = ex.port;
    const junk = [
      'GARBAGE\r\n\r\n',
      'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
      'GET /metrics HTTP/1.1\r\n' + 'X-Junk: y\r\n'.repeat(5000) + '\r\n',
      '\0\0\0\0',
      'GET /metrics HTTP/1.1\r\nHost: x\r\n', // never finished: the socket is destroyed below
    ];
    for (const text of junk) {
      await new Promise<void>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(text));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.setTimeout(300, () => s.destroy());
      });
    }
    const r = await scrapes(20, 5);
    expect(r.statuses).toEqual({ 200: 20 });
  }, limit());
});
