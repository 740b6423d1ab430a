// The Prometheus exporter: a background loop refreshes the metrics from one snapshot per interval
// and renders them once; a scrape answers that text from memory and never waits on the driver.
// A GPU whose reads fail loses those series (and reports them in nvml_mig_read_errors); a
// refresh that fails as a whole empties the GPU series and sets nvml_mig_up 0; the server stays up.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Nvml } from '../nvml';
import { MigMetrics } from './metrics';
import { Monitor, rawBinding } from './monitor';
import type { GpuSnapshot } from './types';
import { LayoutViewBuilder } from './layout-view';
import { pageHtml } from './page';

/**
 * Options of {@link startExporter}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { startExporter, type ExporterOptions } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const options: ExporterOptions = { port: 0, host: '0.0.0.0', intervalMs: 5000, gpus: ['0'] }; // port 0: any free port
 * const exporter = await startExporter(nvml, options);
 * console.log(exporter.url);
 * ```
 */
export interface ExporterOptions {
  /** TCP port (default 9400; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1: metrics are not published beyond this host unless asked). */
  host?: string;
  /** Refresh interval in ms (default 1000, at least 10). */
  intervalMs?: number;
  /** Register the metrics here instead of a registry of their own. */
  registry?: Registry;
  monitor?: Monitor;
  /** Export only these GPUs: indices, UUIDs or PCI bus ids (default: every GPU). */
  gpus?: string[];
}

/** True if `sel` names the GPU: its index, its UUID, or its PCI bus id (domain optional, any case). */
function selects(sel: string, g: GpuSnapshot): boolean {
  if (sel === String(g.index) || sel === g.uuid) return true;
  if (g.pciBusId === null || !sel.includes(':')) return false;
  const bus = g.pciBusId.toUpperCase();
  const want = sel.toUpperCase();
  return bus === want || bus.endsWith(`:${want}`) || bus.replace(/^0000/, '') === want;
}

function checkOptions(o: ExporterOptions): Required<Pick<ExporterOptions, 'port' | 'host' | 'intervalMs'>> {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  const port = o.port ?? 9400;
  const host = o.host ?? '127.0.0.1';
  const intervalMs = o.intervalMs ?? 1000;
  if (typeof port !== 'number' || !Number.isInteger(port)) throw new TypeError('port must be an integer');
  if (port < 0 || port > 65535) throw new RangeError(`port must be between 0 and 65535, got ${port}`);
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string');
  if (o.gpus !== undefined && (!Array.isArray(o.gpus) || o.gpus.some((g) => typeof g !== 'string' || g === ''))) {
    throw new TypeError('gpus must be an array of non-empty strings');
  }
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs)) throw new TypeError('intervalMs must be a finite number');
  if (intervalMs < 10 || intervalMs > 2 ** 31 - 1) throw new RangeError(`intervalMs must be between 10 and ${2 ** 31 - 1}, got ${intervalMs}`);
  return { port, host, intervalMs };
}

/**
 * A running Prometheus exporter, from {@link startExporter}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { startExporter, type MigExporter } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const exporter: MigExporter = await startExporter(nvml, { port: 0 });
 * await exporter.nextRefresh();
 * console.log(exporter.url, exporter.refreshes, exporter.metricsText().length);
 * await exporter.close();
 * ```
 */
export class MigExporter {
  readonly metrics: MigMetrics;
  readonly monitor: Monitor;
  /** e.g. "http://127.0.0.1:9400/metrics" */
  url = '';
  port = 0;
  /** Completed refreshes (successful or not). */
  refreshes = 0;
  private text = '';
  /** The page's data (/layout.json), rendered once per refresh. */
  private layoutJson = '{"timestamp":0,"gpus":[]}';
  private readonly layoutView: LayoutViewBuilder;
  /** Every GPU of the last successful read (before any selection). */
  private lastGpus: GpuSnapshot[] | null = null;
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly gpus: string[] | null;
  private readonly refreshWaiters: Array<() => void> = [];
  /** The exporter made its monitor (no `monitor` option): it closes it. */
  private readonly ownsMonitor: boolean;

  private constructor(
    readonly nvml: Nvml,
    options: ExporterOptions,
  ) {
    this.intervalMs = checkOptions(options).intervalMs;
    this.ownsMonitor = !options.monitor;
    this.monitor = options.monitor ?? new Monitor(nvml);
    this.metrics = new MigMetrics(options.registry);
    this.layoutView = new LayoutViewBuilder(nvml);
    this.gpus = options.gpus ?? null;
  }

  /** Reads the driver once, then listens; rejects if the address cannot be bound. */
  static async start(nvml: Nvml, options: ExporterOptions = {}): Promise<MigExporter> {
    const { port, host } = checkOptions(options);
    rawBinding(nvml);
    const ex = new MigExporter(nvml, options);
    await ex.refresh();
    if (ex.gpus && ex.lastGpus) {
      const unknown = ex.gpus.filter((sel) => !ex.lastGpus!.some((g) => selects(sel, g)));
      if (unknown.length) throw new RangeError(`no GPU matches ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
    }
    const server = createServer((req, res) => ex.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    ex.server = server;
    const addr = server.address() as AddressInfo;
    ex.port = addr.port;
    ex.url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`;
    ex.schedule();
    return ex;
  }

  /** The exposition text the next scrape gets. */
  metricsText(): string {
    return this.text;
  }

  /** Reads the driver now and replaces the cached metrics (a refresh in flight is joined). */
  refresh(): Promise<void> {
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
      this.refreshes++;
      for (const w of this.refreshWaiters.splice(0)) w();
    });
    return this.inFlight;
  }

  /** Resolves after the next background refresh completes (for tests and tooling). */
  nextRefresh(): Promise<void> {
    return new Promise((resolve) => this.refreshWaiters.push(resolve));
  }

  private async doRefresh(): Promise<void> {
    const t0 = process.hrtime.bigint();
    let snap = null;
    try {
      snap = await this.monitor.snapshot();
      this.lastGpus = snap.gpus;
      const sel = this.gpus;
      if (sel) snap = { ...snap, gpus: snap.gpus.filter((g) => sel.some((s) => selects(s, g))) };
    } catch {
      // Counted in nvml_mig_refresh_failures_total; the GPU series go missing until a read works.
    }
    this.metrics.update(snap, Number(process.hrtime.bigint() - t0) / 1e9);
    this.text = await this.metrics.registry.metrics();
    if (snap) {
      try {
        this.layoutJson = JSON.stringify(await this.layoutView.build(snap));
      } catch {
        // The page keeps the last layout it had; the metrics above are current.
      }
    }
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh().finally(() => this.schedule());
    }, this.intervalMs);
    // The listening server keeps the process alive; the timer need not.
    this.timer.unref();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const body = this.text;
      res.writeHead(200, {
        'Content-Type': this.metrics.registry.contentType,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/' || path === '/layout.json') {
      // Both from memory: a viewer never causes a driver call.
      const body = path === '/' ? pageHtml(this.intervalMs) : this.layoutJson;
      res.writeHead(200, {
        'Content-Type': path === '/' ? 'text/html; charset=utf-8' : 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  }

  /** Stops the refresh loop and the server (open connections are ended), after a refresh in flight. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      const server = this.server;
      this.server = null;
      if (server) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      if (this.inFlight) await this.inFlight.catch(() => undefined);
      if (this.ownsMonitor) await this.monitor.close();
    })();
    return this.closing;
  }
}

/**
 * Starts the exporter: one refresh, then it listens (127.0.0.1:9400 by default).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { startExporter } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const exporter = await startExporter(nvml, { port: 9400 }); // http://127.0.0.1:9400/metrics, dcgm-exporter's names
 * process.once('SIGTERM', () => exporter.close().then(() => nvml.shutdown()));
 * ```
 */
export function startExporter(nvml: Nvml, options?: ExporterOptions): Promise<MigExporter> {
  return MigExporter.start(nvml, options);
}
