// `nvml-mig exporter [--port 9400] [--host 127.0.0.1] [--interval-ms 1000]`: serves Prometheus
// metrics until SIGINT/SIGTERM, then closes cleanly and resolves 0.

import type { Nvml } from '../nvml';
import { startExporter } from './exporter';

/**
 * Where {@link runExporterCommand} writes, and the library it uses.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runExporterCommand } from 'nvml-mig/monitor';
 *
 * // what `nvml-mig exporter --port 9400` runs
 * const nvml = await init({ readOnly: true });
 * process.exitCode = await runExporterCommand(['--port', '9400'], { stdout: process.stdout, stderr: process.stderr, nvml });
 * await nvml.shutdown();
 * ```
 */
export interface ExporterIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  nvml: Nvml;
}

const USAGE = `Usage: nvml-mig exporter [--port 9400] [--host 127.0.0.1] [--interval-ms 1000]

Serves Prometheus metrics of every GPU and MIG instance at http://HOST:PORT/metrics, with the
label names dcgm-exporter uses (gpu, UUID, pci_bus_id, device, modelName, GPU_I_PROFILE, GPU_I_ID).
A scrape is answered from memory; the driver is read in the background every --interval-ms.
Runs until SIGINT or SIGTERM.

  --port N          TCP port (default 9400; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1; 0.0.0.0 publishes to the network)
  --interval-ms N   refresh interval in ms (default 1000, at least 10)
  -i, --id LIST     export only these GPUs (indices, UUIDs or PCI bus ids, comma-separated)
`;

class UsageError extends Error {}

function parse(argv: string[]): { port: number; host: string; intervalMs: number; gpus?: string[]; help: boolean } {
  const out: { port: number; host: string; intervalMs: number; gpus?: string[]; help: boolean } = {
    port: 9400,
    host: '127.0.0.1',
    intervalMs: 1000,
    help: false,
  };
  const integer = (flag: string, v: string | undefined, min: number, max: number): number => {
    if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    const n = Number(v);
    if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (flag !== arg ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--port':
        out.port = integer(flag, value(), 0, 65535);
        break;
      case '--host': {
        const v = value();
        if (!v) throw new UsageError('--host needs an address');
        out.host = v;
        break;
      }
      case '--interval-ms':
        out.intervalMs = integer(flag, value(), 10, 2 ** 31 - 1);
        break;
      case '-i':
      case '--id': {
        const v = value();
        const ids = (v ?? '').split(',').map((x) => x.trim());
        if (!v || ids.some((x) => x === '')) throw new UsageError(`${flag} needs GPU indices, UUIDs or PCI bus ids, got ${JSON.stringify(v ?? '')}`);
        out.gpus = [...(out.gpus ?? []), ...ids];
        break;
      }
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  return out;
}

/**
 * Runs `nvml-mig exporter` with the given arguments; resolves with the exit code once the server stops.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runExporterCommand } from 'nvml-mig/monitor';
 *
 * // what `nvml-mig exporter --port 9400` runs
 * const nvml = await init({ readOnly: true });
 * process.exitCode = await runExporterCommand(['--port', '9400'], { stdout: process.stdout, stderr: process.stderr, nvml });
 * await nvml.shutdown();
 * ```
 */
export async function runExporterCommand(argv: string[], io: ExporterIo): Promise<number> {
  let opts;
  try {
    opts = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`nvml-mig exporter: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let exporter;
  try {
    exporter = await startExporter(io.nvml, { port: opts.port, host: opts.host, intervalMs: opts.intervalMs, gpus: opts.gpus });
  } catch (e) {
    if (e instanceof RangeError) {
      io.stderr.write(`nvml-mig exporter: ${e.message}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    io.stderr.write(`nvml-mig exporter: cannot serve on ${opts.host}:${opts.port}: ${err.code ? `${err.code} ` : ''}${err.message}\n`);
    return 1;
  }
  io.stdout.write(`nvml-mig exporter: serving ${exporter.url} (refresh every ${opts.intervalMs} ms); stop with Ctrl-C\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(s);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await exporter.close();
  io.stdout.write(`nvml-mig exporter: ${signal}, stopped\n`);
  return 0;
}
