// `nvml-mig exporter` as a function for programs that already opened the library. The command
// (options, help, handler) is declared once in the CLI's registry (lib/cli/registry.ts).

import type { Nvml } from '../nvml';
import { runCommand } from '../cli/run';

/**
 * Where {@link runExporterCommand} writes, and the library it uses.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runExporterCommand, type ExporterIo } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * let out = '';
 * const io: ExporterIo = { stdout: { write: (s: string) => (out += s) }, stderr: process.stderr, nvml }; // capture the output
 * console.log(await runExporterCommand(['--help'], io), out.split('\n')[0]);
 * ```
 */
export interface ExporterIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  nvml: Nvml;
}

/**
 * Runs `nvml-mig exporter` with the given arguments; resolves with the exit code once the server stops.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runExporterCommand } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * // what `nvml-mig exporter --port 9400` runs
 * process.exitCode = await runExporterCommand(['--port', '9400'], { stdout: process.stdout, stderr: process.stderr, nvml });
 * ```
 */
export function runExporterCommand(argv: string[], io: ExporterIo): Promise<number> {
  return runCommand('exporter', argv, io as never);
}
