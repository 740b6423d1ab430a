// `nvml-mig apply | assert | export` as a function for programs that already opened the library.
// The commands (options, help, handlers) are declared once in the CLI's registry (lib/cli/registry.ts).
import type { Nvml } from '../index.js';
import { runCommand } from '../cli/run.js';

/**
 * Where {@link runLayoutCommand} writes, the library it uses, and whether it prints JSON.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runLayoutCommand } from 'nvml-mig/layout';
 *
 * const nvml = await init();
 * // what `nvml-mig assert -f mig.yaml -c balanced` runs
 * const code = await runLayoutCommand('assert', ['-f', 'mig.yaml', '-c', 'balanced'], { stdout: process.stdout, stderr: process.stderr, nvml, json: false });
 * await nvml.shutdown();
 * process.exitCode = code;
 * ```
 */
export interface LayoutIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  nvml: Nvml;
  json: boolean;
}

/**
 * Runs `nvml-mig apply`, `assert` or `export` with the given arguments; resolves with the exit code.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { runLayoutCommand } from 'nvml-mig/layout';
 *
 * const nvml = await init();
 * // what `nvml-mig apply -f mig.yaml -c balanced --dry-run` runs
 * const code = await runLayoutCommand('apply', ['-f', 'mig.yaml', '-c', 'balanced', '--dry-run'], { stdout: process.stdout, stderr: process.stderr, nvml, json: false });
 * await nvml.shutdown();
 * process.exitCode = code;
 * ```
 */
export function runLayoutCommand(command: 'apply' | 'assert' | 'export', argv: string[], io: LayoutIo): Promise<number> {
  return runCommand(command, argv, io);
}
