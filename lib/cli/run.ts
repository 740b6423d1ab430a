// The CLI as a function: parse, open NVML (or the bundled mock), run one command, print, and
// return the exit code. main.ts binds it to the process; tests and the demo can call it too.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init, type Nvml } from '../nvml.js';
import { isNvmlError } from '../errors.js';
import type { InitOptions } from '../types.js';
import { parseArgs, type Command, type GlobalOptions } from './args.js';
import * as cmd from './commands.js';
import { Context, type CliIo } from './context.js';
import { EXIT, UsageError, adviceFor, errorCode, errorText, exitCodeOf } from './errors.js';
import { helpText } from './help.js';
import { setUpMock } from './mock.js';
import { status } from './status.js';

/** Version of the JSON documents that --json prints (docs/cli.md). */
export const JSON_SCHEMA_VERSION = 1;

function commandName(c: Command): string {
  return c.kind === 'delegate' ? c.target : c.kind;
}

/** Prints one error line (and the stack with --debug) and, with --json, the JSON document. */
function reportFatal(io: CliIo, global: Pick<GlobalOptions, 'json' | 'debug'>, command: string, e: unknown, line: string): number {
  const exitCode = exitCodeOf(e);
  io.stderr.write(`nvml-mig: ${line}\n`);
  if (global.debug && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
  if (global.json) {
    const error = { gpu: null, gpuInstanceId: null, computeInstanceId: null, code: errorCode(e), exitCode, message: line };
    io.stdout.write(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ok: false, exitCode, warnings: [], errors: [error] }, null, 2) + '\n');
  }
  return exitCode;
}

function fatalLine(e: unknown, mock: boolean): string {
  if (e instanceof UsageError) return `${e.message} (see 'nvml-mig --help')`;
  if (isNvmlError(e, 'ERR_NVML_LOAD_FAILED')) {
    return `${e.message}${mock ? '' : " (is the NVIDIA driver installed? To try nvml-mig without a GPU: nvml-mig --mock h100-80gb status)"}`;
  }
  if (isNvmlError(e)) {
    const advice = adviceFor(e);
    return `${errorText(e)}${e.fn ? ` (${e.fn})` : ''}${advice ? `: ${advice}` : ''}`;
  }
  if (e instanceof Error && e.name === 'CliError') return e.message;
  return `internal error: ${e instanceof Error ? e.message : String(e)} (run with --debug for details)`;
}

async function dispatch(ctx: Context, c: Command): Promise<cmd.JsonData> {
  switch (c.kind) {
    case 'mode': return cmd.setMode(ctx, c.enable);
    case 'list': return cmd.list(ctx);
    case 'status': return status(ctx);
    case 'profiles': return cmd.profiles(ctx);
    case 'placements': return cmd.placements(ctx);
    case 'create-gi': return cmd.createGi(ctx, c.profiles, c.withCi);
    case 'list-gi': return cmd.listGi(ctx, c.gi);
    case 'destroy-gi': return cmd.destroyGi(ctx, c.gi);
    case 'ci-profiles': return cmd.ciProfiles(ctx, c.gi);
    case 'create-ci': return cmd.createCi(ctx, c.profiles, c.gi);
    case 'list-ci': return cmd.listCi(ctx, c.gi, c.ci);
    case 'destroy-ci': return cmd.destroyCi(ctx, c.gi, c.ci);
    default: throw new Error(`no handler for ${c.kind}`);
  }
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Runs one command line; resolves with the exit code (docs/cli.md). Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    return reportFatal(io, { json: wantsJson, debug: argv.includes('--debug') }, 'usage', e, fatalLine(e, false));
  }
  const { global, command } = parsed;
  const name = commandName(command);

  if (command.kind === 'help') {
    const text = helpText(command.topic);
    if (text === null) return reportFatal(io, global, name, new UsageError(''), fatalLine(new UsageError(`no help for '${command.topic}'`), false));
    io.stdout.write(text);
    return EXIT.OK;
  }
  if (command.kind === 'version') {
    io.stdout.write(packageVersion() + '\n');
    return EXIT.OK;
  }

  let nvml: Nvml;
  try {
    const options: InitOptions = {};
    if (global.mock !== null) options.libraryPath = setUpMock(global.mock, global.mockState).libraryPath;
    if (global.readOnly) options.readOnly = true;
    nvml = await init(options);
  } catch (e) {
    return reportFatal(io, global, name, e, fatalLine(e, global.mock !== null));
  }

  try {
    if (command.kind === 'delegate') {
      // -i was taken out as a global option; the layout commands parse it themselves.
      const argvOut = global.gpus ? [...command.argv, '-i', global.gpus.join(',')] : command.argv;
      const delegateIo = { stdout: io.stdout, stderr: io.stderr, nvml, json: global.json };
      // Loaded on use: the MIG commands start without the layout (yaml) and exporter (prom-client) modules.
      if (command.target === 'exporter') return await (await import('../monitor/exporter-cli.js')).runExporterCommand(argvOut, delegateIo);
      return await (await import('../layout/cli.js')).runLayoutCommand(command.target, argvOut, delegateIo);
    }
    const ctx = new Context(nvml, io, global);
    let data: cmd.JsonData = {};
    try {
      data = await dispatch(ctx, command);
    } catch (e) {
      ctx.fail(`nvml-mig: ${fatalLine(e, global.mock !== null)}`, e);
    }
    if (global.json) {
      const doc = { schemaVersion: JSON_SCHEMA_VERSION, command: name, ok: ctx.exitCode === EXIT.OK, exitCode: ctx.exitCode, ...data, warnings: ctx.warnings, errors: ctx.errors };
      io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    return ctx.exitCode;
  } catch (e) {
    return reportFatal(io, global, name, e, fatalLine(e, global.mock !== null));
  } finally {
    await nvml.shutdown();
  }
}
