// The CLI as a function: parse, open NVML (or the bundled mock), run one command of the registry,
// print, and return the exit code. main.ts binds it to the process; tests, the demo and the
// library entry points (runLayoutCommand, runExporterCommand) call it too.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init, type Nvml } from '../nvml.js';
import { isNvmlError } from '../errors.js';
import type { InitOptions } from '../types.js';
import { parseArgs, type GlobalOptions } from './args.js';
import { Context, type CliIo } from './context.js';
import { CliError, EXIT, UsageError, adviceFor, errorCode, errorText, exitCodeOf } from './errors.js';
import { helpText } from './help.js';
import { openMock } from './mock.js';
import { findCommand } from './registry.js';
import type { Command, JsonData } from './spec.js';

/** Version of the JSON documents that --json prints (docs/cli.md). */
export const JSON_SCHEMA_VERSION = 1;

type Reporting = Pick<GlobalOptions, 'json' | 'debug'>;

/** The one JSON document of a command, failures included. */
function envelope(command: string, exitCode: number, data: JsonData, warnings: string[], errors: unknown[]): string {
  const doc = { schemaVersion: JSON_SCHEMA_VERSION, command, ...data, ok: exitCode === EXIT.OK, exitCode, warnings, errors };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Prints one error line (and the stack with --debug) and, with --json, the JSON document. */
function reportFatal(io: CliIo, global: Reporting, command: string, e: unknown, line: string): number {
  const exitCode = exitCodeOf(e);
  io.stderr.write(`nvml-mig: ${line}\n`);
  if (global.debug && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
  if (global.json) {
    const error = { gpu: null, gpuInstanceId: null, computeInstanceId: null, code: errorCode(e), exitCode, message: line };
    io.stdout.write(envelope(command, exitCode, {}, [], [error]));
  }
  return exitCode;
}

/** The one line a user sees for an error that ended a command. */
export function fatalLine(e: unknown, mock: boolean): string {
  if (e instanceof UsageError) return `${e.message} (see 'nvml-mig --help')`;
  if (isNvmlError(e, 'ERR_NVML_LOAD_FAILED')) {
    return `${e.message}${mock ? '' : " (is the NVIDIA driver installed? To try nvml-mig without a GPU: nvml-mig --mock h100-80gb status)"}`;
  }
  if (isNvmlError(e)) {
    const advice = adviceFor(e);
    return `${errorText(e)}${e.fn ? ` (${e.fn})` : ''}${advice ? `: ${advice}` : ''}`;
  }
  if (e instanceof CliError) return e.message;
  if (e instanceof RangeError || e instanceof TypeError) return e.message;
  return `internal error: ${e instanceof Error ? e.message : String(e)} (run with --debug for details)`;
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Runs a parsed command on an open library: the handler, then the JSON envelope. */
async function execute(nvml: Nvml, io: CliIo, global: GlobalOptions, command: Command): Promise<number> {
  const spec = findCommand(command.kind)!;
  const ctx = new Context(nvml, io, global);
  let data: JsonData = {};
  try {
    data = await spec.run(ctx, command);
  } catch (e) {
    ctx.fail(`nvml-mig: ${fatalLine(e, global.mock !== null)}`, e);
  }
  if (global.json) io.stdout.write(envelope(command.kind, ctx.exitCode, data, ctx.warnings, ctx.errors));
  return ctx.exitCode;
}

/** Runs one command line; resolves with the exit code (docs/cli.md). Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const reporting = { json: Array.isArray(argv) && argv.includes('--json'), debug: Array.isArray(argv) && argv.includes('--debug') };
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    return reportFatal(io, reporting, 'usage', e, fatalLine(e, false));
  }
  const { global, command } = parsed;

  if (command.kind === 'help') {
    const topic = command.topic as string | null;
    const text = helpText(topic);
    if (text === null) return reportFatal(io, global, 'help', new UsageError(''), fatalLine(new UsageError(`no help for '${topic}'`), false));
    if (global.json) io.stdout.write(envelope('help', EXIT.OK, { topic, text }, [], []));
    else io.stdout.write(text);
    return EXIT.OK;
  }
  if (command.kind === 'version') {
    if (global.json) io.stdout.write(envelope('version', EXIT.OK, { version: packageVersion() }, [], []));
    else io.stdout.write(packageVersion() + '\n');
    return EXIT.OK;
  }

  const spec = findCommand(command.kind)!;
  if (spec.needs === 'simulator' && global.mock === null) {
    const why = spec.realGpu ?? `${spec.name} works on the simulator only: add --mock <machine> (e.g. nvml-mig --mock a100-40gb ${spec.name})`;
    return reportFatal(io, global, command.kind, new CliError('NOT_SIMULATED', why, EXIT.REFUSED), why);
  }
  let nvml: Nvml;
  try {
    const options: InitOptions = {};
    if (global.readOnly) options.readOnly = true;
    nvml = global.mock !== null
      ? await openMock(global.mock, global.mockState, options, { machineGiven: global.mockMachineGiven, replace: command.kind === 'sim reset' })
      : await init(options);
  } catch (e) {
    return reportFatal(io, global, command.kind, e, fatalLine(e, global.mock !== null));
  }
  try {
    return await execute(nvml, io, global, command);
  } catch (e) {
    return reportFatal(io, global, command.kind, e, fatalLine(e, global.mock !== null));
  } finally {
    await nvml.shutdown().catch(() => undefined);
  }
}

/**
 * Runs one command of the registry with its own arguments on a library the caller opened
 * (`runLayoutCommand`, `runExporterCommand`). A bad command line prints the command's help.
 */
export async function runCommand(name: string, argv: string[], io: CliIo & { nvml: Nvml; json?: boolean }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs([name, ...argv, ...(io.json && !argv.includes('--json') ? ['--json'] : [])]);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`nvml-mig ${name}: ${e.message}\n\n${helpText(name)}`);
    return EXIT.USAGE;
  }
  if (parsed.command.kind === 'help') {
    io.stdout.write(helpText(name)!);
    return EXIT.OK;
  }
  return execute(io.nvml, io, parsed.global, parsed.command);
}
