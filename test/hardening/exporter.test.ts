// The exporter under load on 127.0.0.1: many concurrent scrapes (bounded in count and in time),
// a failing GPU (every code the driver could answer, injected into each function a snapshot
// calls), a slow driver, and malformed requests. It stays up, and every scrape is answered.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { startExporter, type MigExporter } from '../../dist/monitor/index.js';
import { NVML, NVML_CODE_NAMES } from '../nvml-return-codes';
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

/**
 * What a scrape says about a fault injected into `fn`: 'down' (nvml_mig_up 0, the refresh failed
 * as a whole), 'error' (up 1 and an nvml_mig_read_errors series naming fn and the code), 'clean'
 * (up 1, no read error for fn: the code was an answer, not a failure).
 */
function exposed(body: string, fn: string, code: string): 'down' | 'error' | 'clean' | string {
  const up = /^nvml_mig_up (\S+)$/m.exec(body)?.[1];
  if (up === '0') return 'down';
  if (up !== '1') return `nvml_mig_up ${up}`;
  const series = body.split('\n').filter((l) => l.startsWith('nvml_mig_read_errors{') && l.includes(`fn="${fn}"`));
  if (series.length === 0) return 'clean';
  return series.some((l) => l.includes(`code="${code}"`) && Number(l.split(' ').pop()) >= 1) ? 'error' : `other read errors: ${series.join('; ')}`;
}

// A refresh fails as a whole only when the GPUs cannot be counted; every other failing read is
// reported per GPU. Some codes are an answer, not a failure (the snapshot reads them as null or
// as the end of a list), and the profile tables and the MIG device count are read once and cached
// (until the MIG mode changes), so a fault injected after the first refresh never reaches them.
const WHOLE_REFRESH = new Set(['nvmlDeviceGetCount_v2']);
const SOFT: Record<string, number[]> = {
  // NOT_SUPPORTED: no MIG on this GPU / no utilization with MIG on / no process list: null, not an error.
  nvmlDeviceGetMigMode: [NVML.NOT_SUPPORTED],
  nvmlDeviceGetUtilizationRates: [NVML.NOT_SUPPORTED],
  nvmlDeviceGetComputeRunningProcesses_v3: [NVML.NOT_SUPPORTED],
  // INVALID_ARGUMENT (and NOT_FOUND) at a MIG device index: no MIG device there.
  nvmlDeviceGetMigDeviceHandleByIndex: [NVML.INVALID_ARGUMENT],
};
const CACHED = new Set(['nvmlDeviceGetGpuInstanceProfileInfoV', 'nvmlGpuInstanceGetComputeInstanceProfileInfoV', 'nvmlDeviceGetMaxMigDeviceCount']);

function expectedExposure(fn: string, code: number): 'down' | 'error' | 'clean' {
  if (code === NVML.SUCCESS || CACHED.has(fn) || SOFT[fn]?.includes(code)) return 'clean';
  return WHOLE_REFRESH.has(fn) ? 'down' : 'error';
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
    const wrong: string[] = [];
    for (const fn of fns) {
      for (const code of codes) {
        await nvml.mockControl({ cmd: 'setFault', fn, code, always: true });
        await ex.nextRefresh();
        await ex.nextRefresh();
        const r = await scrapes(4, 4);
        expect(r.statuses, `${fn} ← ${code}`).toEqual({ 200: 4 });
        const got = exposed(r.bodies[0]!, fn, NVML_CODE_NAMES[code]!);
        const want = expectedExposure(fn, code);
        if (got !== want) wrong.push(`${fn} ← ${code}: ${got}, expected ${want}`);
        await nvml.mockControl({ cmd: 'clearFaults' });
        cases++;
      }
    }
    expect(wrong).toEqual([]);
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
