// The handler of `nvml-mig exporter` (declared in registry.ts): serves Prometheus metrics until
// SIGINT/SIGTERM, then closes cleanly. Loaded on use, so the MIG commands start without prom-client.

import { startExporter } from '../monitor/exporter.js';
import type { Context } from './context.js';
import { CliError, EXIT } from './errors.js';
import type { Command, JsonData } from './spec.js';

export async function serve(ctx: Context, c: Command): Promise<JsonData> {
  const port = c.port as number;
  const host = c.host as string;
  const intervalMs = c.intervalMs as number;
  // -i goes through the one GPU selector of the CLI; the exporter gets the indices it chose.
  const gpus = ctx.global.gpus === null ? undefined : (await ctx.selectedDevices()).map((d) => String(d.index));
  let exporter;
  try {
    exporter = await startExporter(ctx.nvml, { port, host, intervalMs, gpus });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code ?? 'LISTEN_FAILED', `nvml-mig exporter: cannot serve on ${host}:${port}: ${err.code ? `${err.code} ` : ''}${err.message}`, EXIT.PARTIAL);
  }
  ctx.io.stdout.write(ctx.json ? '' : `nvml-mig exporter: serving ${exporter.url} (refresh every ${intervalMs} ms); stop with Ctrl-C\n`);
  if (ctx.json) ctx.io.stderr.write(`nvml-mig exporter: serving ${exporter.url} (refresh every ${intervalMs} ms); stop with Ctrl-C\n`);
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
  ctx.print(`nvml-mig exporter: ${signal}, stopped`);
  return { url: exporter.url, stoppedBy: signal };
}
