import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { startExporter, runExporterCommand, type MigExporter } from '../../dist/monitor/index.js';
import { ROOT, get, parseExposition, useMock, type Sample } from './helpers';

let nvml: Nvml;
let exporter: MigExporter | null = null;

const mock = useMock('h100-80gb:2');
beforeAll(() => {
  nvml = mock.nvml;
});
afterEach(async () => {
  await exporter?.close();
  exporter = null;
  await nvml.mockControl({ cmd: 'clearFaults' });
  await nvml.mockControl({ cmd: 'setLatency', fn: '*', us: 0 });
});

const GPU_LABEL_NAMES = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName'];
const series = (s: Sample[], name: string, pred: (l: Record<string, string>) => boolean = () => true) =>
  s.filter((x) => x.name === name && pred(x.labels));
const scrape = async (ex: MigExporter) => {
  const r = await get(ex.url);
  expect(r.status).toBe(200);
  return parseExposition(r.text);
};

/** GPU 0 with MIG on: a 3g GI with one CI and a 1g GI with one CI; a process on the 1g GI. */
async function layout() {
  const d0 = await nvml.device(0);
  await d0.setMigMode(true);
  const g3 = await d0.createGpuInstance((await d0.gpuInstanceProfile(2)).id);
  await g3.createComputeInstance((await g3.computeInstanceProfile(2)).id);
  const g1 = await d0.createGpuInstance((await d0.gpuInstanceProfile(0)).id);
  const ci = await g1.createComputeInstance((await g1.computeInstanceProfile(0)).id);
  await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4321, name: 'svc', usedMemoryMiB: 2000, gi: g1.id, ci: ci.id });
  return { d0, g3, g1 };
}

describe('exporter over HTTP', () => {
  it('binds 127.0.0.1 by default and serves dcgm-exporter names and labels', async () => {
    const { d0, g3, g1 } = await layout();
    exporter = await startExporter(nvml, { port: 0 });
    expect(exporter.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await get(exporter.url);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parseExposition(res.text);

    const uuid = await d0.uuid();
    const gpuLabels = {
      gpu: '0',
      UUID: uuid,
      pci_bus_id: (await d0.pciInfo()).busId,
      device: 'nvidia0',
      modelName: await d0.name(),
    };
    // Per GPU: exactly the five GPU labels.
    const [fbGpu] = series(s, 'DCGM_FI_DEV_FB_USED', (l) => l.gpu === '0' && !('GPU_I_ID' in l));
    expect(fbGpu.labels).toEqual(gpuLabels);
    // Per GPU instance: the parent's labels (its UUID) plus GPU_I_PROFILE and GPU_I_ID.
    const gi3 = series(s, 'DCGM_FI_DEV_FB_TOTAL', (l) => l.GPU_I_ID === String(g3.id))[0];
    expect(gi3.labels).toEqual({ ...gpuLabels, GPU_I_PROFILE: '3g.40gb', GPU_I_ID: String(g3.id) });
    const mig3 = (await (await g3.computeInstances())[0].migDevice()).memoryInfo();
    expect(gi3.value).toBe((await mig3).total / 2 ** 20);
    const gi1Used = series(s, 'DCGM_FI_DEV_FB_USED', (l) => l.GPU_I_ID === String(g1.id))[0];
    expect(gi1Used.labels.GPU_I_PROFILE).toBe('1g.10gb');
    expect(gi1Used.value).toBeGreaterThanOrEqual(2000);
    for (const name of ['DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_TOTAL', 'DCGM_FI_DEV_FB_USED']) {
      expect(series(s, name)).toHaveLength(2 + 2); // two GPUs + two GPU instances
    }

    expect(series(s, 'DCGM_FI_DEV_MIG_MODE').map((x) => [x.labels.gpu, x.value]).sort()).toEqual([['0', 1], ['1', 0]]);
    expect(series(s, 'nvml_mig_gpu_instances', (l) => l.gpu === '0')[0].value).toBe(2);
    expect(series(s, 'nvml_mig_compute_instances', (l) => l.GPU_I_ID === String(g1.id))[0].value).toBe(1);
    expect(series(s, 'nvml_mig_processes', (l) => l.GPU_I_ID === String(g1.id))[0].value).toBe(1);
    expect(series(s, 'nvml_mig_processes', (l) => l.GPU_I_ID === String(g3.id))[0].value).toBe(0);
    expect(series(s, 'nvml_mig_processes', (l) => l.gpu === '0' && !('GPU_I_ID' in l))[0].value).toBe(1);
    expect(series(s, 'nvml_mig_gpu_instance_info', (l) => l.GPU_I_ID === String(g3.id))[0].labels).toMatchObject({
      profile_id: String(g3.profileId),
      placement_start: String(g3.placement.start),
      placement_size: String(g3.placement.size),
    });
    const migInfo = series(s, 'nvml_mig_device_info');
    expect(migInfo).toHaveLength(2);
    for (const m of migInfo) expect(m.labels.mig_uuid).toMatch(/^MIG-/);
    // Utilization only where NVML reports it (MIG off).
    expect(series(s, 'DCGM_FI_DEV_GPU_UTIL').map((x) => x.labels.gpu)).toEqual(['1']);
    expect(series(s, 'nvml_mig_up')[0].value).toBe(1);
    for (const x of s.filter((x) => x.name.startsWith('DCGM_'))) {
      expect(Object.keys(x.labels).slice(0, 5)).toEqual(GPU_LABEL_NAMES);
    }
  });

  it('answers a scrape from the cache without calling the driver', async () => {
    exporter = await startExporter(nvml, { port: 0, intervalMs: 60_000 });
    await nvml.mockControl({ cmd: 'clearCallLog' });
    for (let i = 0; i < 5; i++) await scrape(exporter);
    const calls = ((await nvml.mockControl({ cmd: 'callLog' })).calls as Array<{ fn: string }>).filter((c) => c.fn !== 'nvmlMockControl' && !c.fn.startsWith('nvmlGpm')); // GPM: the activity sampler's own schedule
    expect(calls).toEqual([]);

    // A refresh stuck in a slow driver does not hold a scrape up.
    await nvml.mockControl({ cmd: 'setLatency', fn: 'nvmlDeviceGetMemoryInfo_v2', us: 300_000 });
    await nvml.mockControl({ cmd: 'setLatency', fn: 'nvmlDeviceGetMemoryInfo', us: 300_000 });
    let refreshed = false;
    const refreshing = exporter.refresh().then(() => (refreshed = true));
    const s = await scrape(exporter);
    expect(refreshed).toBe(false);
    expect(series(s, 'DCGM_FI_DEV_FB_TOTAL')).toHaveLength(2);
    await refreshing;
  });

  it('refreshes in the background at the interval', async () => {
    exporter = await startExporter(nvml, { port: 0, intervalMs: 20 });
    expect(series(await scrape(exporter), 'DCGM_FI_DEV_MIG_MODE', (l) => l.gpu === '1')[0].value).toBe(0);
    await (await nvml.device(1)).setMigMode(true);
    await exporter.nextRefresh();
    await exporter.nextRefresh();
    expect(series(await scrape(exporter), 'DCGM_FI_DEV_MIG_MODE', (l) => l.gpu === '1')[0].value).toBe(1);
  });

  it('survives a GPU that errors: its series go missing, the others stay', async () => {
    exporter = await startExporter(nvml, { port: 0, intervalMs: 60_000 });
    const memFn = nvml.hasFunction('nvmlDeviceGetMemoryInfo_v2') ? 'nvmlDeviceGetMemoryInfo_v2' : 'nvmlDeviceGetMemoryInfo';
    // MIG off on both GPUs: one memory read per GPU in index order, so the 2nd read is GPU 1's.
    await nvml.mockControl({ cmd: 'setFault', fn: memFn, code: 15, nth: 2 });
    await exporter.refresh();
    const s = await scrape(exporter);
    expect(series(s, 'DCGM_FI_DEV_FB_USED').map((x) => x.labels.gpu)).toEqual(['0']);
    expect(series(s, 'DCGM_FI_DEV_MIG_MODE').map((x) => x.labels.gpu).sort()).toEqual(['0', '1']);
    expect(series(s, 'nvml_mig_read_errors')).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ gpu: '1', fn: memFn, code: 'NVML_ERROR_GPU_IS_LOST' }), value: 1 }),
    ]);
    expect(series(s, 'nvml_mig_up')[0].value).toBe(1);
  });

  it('stays up when the whole read fails, and recovers', async () => {
    exporter = await startExporter(nvml, { port: 0, intervalMs: 60_000 });
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceGetCount_v2', code: 15, always: true });
    await exporter.refresh();
    let s = await scrape(exporter);
    expect(series(s, 'nvml_mig_up')[0].value).toBe(0);
    expect(series(s, 'nvml_mig_refresh_failures_total')[0].value).toBe(1);
    expect(s.filter((x) => x.name.startsWith('DCGM_'))).toEqual([]);
    await nvml.mockControl({ cmd: 'clearFaults' });
    await exporter.refresh();
    s = await scrape(exporter);
    expect(series(s, 'nvml_mig_up')[0].value).toBe(1);
    expect(series(s, 'DCGM_FI_DEV_FB_TOTAL')).toHaveLength(2);
  });

  it('registers into a registry of the caller', async () => {
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    exporter = await startExporter(nvml, { port: 0, registry, intervalMs: 60_000 });
    const s = parseExposition(await registry.metrics());
    expect(series(s, 'DCGM_FI_DEV_FB_TOTAL')).toHaveLength(2);
    expect(exporter.metrics.registry).toBe(registry);
  });

  it('answers other paths and methods plainly', async () => {
    exporter = await startExporter(nvml, { port: 0 });
    const base = exporter.url.replace(/\/metrics$/, '');
    expect((await get(`${base}/nope`)).status).toBe(404);
    expect((await get(`${base}/`)).text).toMatch(/\/metrics/);
    expect((await get(exporter.url, { method: 'POST' })).status).toBe(405);
    const head = await get(exporter.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('rejects bad options and a port in use', async () => {
    await expect(startExporter(nvml, { port: 70000 })).rejects.toThrow(RangeError);
    await expect(startExporter(nvml, { port: 1.5 })).rejects.toThrow(TypeError);
    await expect(startExporter(nvml, { intervalMs: 0 })).rejects.toThrow(RangeError);
    exporter = await startExporter(nvml, { port: 0 });
    await expect(startExporter(nvml, { port: exporter.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('nvml-mig exporter command', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: { write: (s: string) => (out.stdout += s) },
        stderr: { write: (s: string) => (out.stderr += s) },
        nvml,
      },
    };
  };

  it('serves until SIGTERM, then exits 0', async () => {
    const { out, io: streams } = io();
    const done = runExporterCommand(['--port', '0', '--host', '127.0.0.1', '--interval-ms=50'], streams);
    for (let i = 0; i < 100 && !out.stdout.includes('serving'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /serving (\S+)/.exec(out.stdout)![1];
    const s = parseExposition((await get(url)).text);
    expect(series(s, 'DCGM_FI_DEV_FB_TOTAL')).toHaveLength(2);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
    expect(out.stdout).toMatch(/SIGTERM, stopped/);
    await expect(get(url)).rejects.toThrow();
  });

  it('exits 2 with usage on bad options, 0 on --help', async () => {
    for (const argv of [['--port', 'x'], ['--port', '70000'], ['--interval-ms', '5'], ['--bogus'], ['--host'], ['-i', '0,']]) {
      const { out, io: streams } = io();
      expect(await runExporterCommand(argv, streams)).toBe(2);
      expect(out.stderr).toMatch(/^nvml-mig exporter: .*\n\nUsage: nvml-mig exporter/);
    }
    const { out, io: streams } = io();
    expect(await runExporterCommand(['--help'], streams)).toBe(0);
    expect(out.stdout).toMatch(/--interval-ms/);
  });

  it('exports only the GPUs named with -i (index, UUID or PCI bus id)', async () => {
    const d1 = await nvml.device(1);
    for (const sel of ['1', await d1.uuid(), (await d1.pciInfo()).busId]) {
      const { out, io: streams } = io();
      const done = runExporterCommand(['--port', '0', '-i', sel], streams);
      for (let i = 0; i < 100 && !out.stdout.includes('serving'); i++) await new Promise((r) => setTimeout(r, 20));
      const s = parseExposition((await get(/serving (\S+)/.exec(out.stdout)![1])).text);
      expect(series(s, 'DCGM_FI_DEV_FB_TOTAL').map((x) => x.labels.gpu)).toEqual(['1']);
      process.emit('SIGTERM', 'SIGTERM');
      expect(await done).toBe(0);
    }
    const { out, io: streams } = io();
    // The CLI's one GPU selector: a GPU that does not exist is refused (exit 3) before serving.
    expect(await runExporterCommand(['--port', '0', '-i', '0,7'], streams)).toBe(3);
    expect(out.stderr).toBe('nvml-mig: No GPU with index 7: this machine has 2 GPUs (0-1)\n');
  });

  it('runs as `nvml-mig exporter` in its own process and stops on SIGTERM', async () => {
    // A state file of its own: the default one per machine is shared with every other CLI run.
    const dir = mkdtempSync(path.join(tmpdir(), 'nvml-mig-exporter-'));
    const cli = path.join(ROOT, 'dist/cli/main.js');
    const args = ['--mock', 'h100-80gb:2', '--mock-state', path.join(dir, 'state.json'), 'exporter', '--port', '0', '--interval-ms', '50'];
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 250 && !/serving \S+/.test(out); i++) await new Promise((r) => setTimeout(r, 20));
      const url = /serving (\S+)/.exec(out)?.[1];
      expect(url, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const s = parseExposition((await get(url!)).text);
      expect(series(s, 'DCGM_FI_DEV_MIG_MODE').map((x) => x.labels.gpu).sort()).toEqual(['0', '1']);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(out).toMatch(/SIGTERM, stopped\n$/);
  });

  it('exits 1 when the port is taken', async () => {
    exporter = await startExporter(nvml, { port: 0 });
    const { out, io: streams } = io();
    expect(await runExporterCommand(['--port', String(exporter.port)], streams)).toBe(1);
    expect(out.stderr).toMatch(/EADDRINUSE/);
  });
});
