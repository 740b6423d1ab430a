// `nvml-mig apply | assert | export`: option parsing, progress display and output of the layout commands.
// Exit codes are the CLI's (lib/cli/errors.ts): 0 ok, 1 not (all) in effect, 2 usage or invalid file,
// 3 refused (no valid placement, a driver refusal), 4 no permission, 5 busy, 7 read-only.
import { spawn } from 'node:child_process';
import type { Nvml } from '../index.js';
import { isNvmlError } from '../index.js';
import { EXIT } from '../cli/errors.js';
import { applyPlan, planLayout, type ApplyResult, type ProgressEvent, type ResetHookContext } from './apply.js';
import { assertLayout } from './assert.js';
import { LayoutConfigError, loadMigPartedConfig, selectConfig } from './config.js';
import { exportNode, formatExport } from './export.js';
import { formatPlan } from './format.js';

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

interface Options {
  file?: string;
  config?: string;
  dryRun: boolean;
  force: boolean;
  rollback: boolean;
  /** GPUs as given: indices, UUIDs or PCI bus ids. */
  gpus?: string[];
  json: boolean;
  yaml: boolean;
  label: string;
  resetHook?: string;
}

class Usage extends Error {}

const USAGE = `usage:
  nvml-mig apply  [-f] <file> [-c <config>] [--dry-run] [--force] [-i 0,1] [--rollback-on-failure] [--reset-hook <command>] [--json]
  nvml-mig assert [-f] <file> [-c <config>] [-i 0,1] [--json]
  nvml-mig export [--yaml|--json] [-l <label>] [-i 0,1]`;

function parse(command: string, argv: string[], json: boolean): Options {
  const o: Options = { dryRun: false, force: false, rollback: false, json, yaml: false, label: 'current' };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('-')) throw new Usage(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const take = (flag: string): string => (inline !== undefined ? inline : value(i++, flag));
    switch (a) {
      case '-f': case '--config-file': case '--file': o.file = take(a); break;
      case '-c': case '--selected-config': o.config = take(a); break;
      case '-l': case '--config-label': o.label = take(a); break;
      case '-i': case '--id': case '--devices': {
        const list = take(a).split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (list.length === 0) throw new Usage(`${a} needs GPU indices, UUIDs or PCI bus ids`);
        o.gpus = [...(o.gpus ?? []), ...list];
        break;
      }
      case '--reset-hook': o.resetHook = take(a); break;
      case '--dry-run': o.dryRun = true; break;
      case '--force': o.force = true; break;
      case '--rollback-on-failure': o.rollback = true; break;
      case '--json': o.json = true; break;
      case '--yaml': o.yaml = true; break;
      case '--mock': break; // handled by the CLI before dispatch
      default:
        // `apply <file>`: one positional argument names the file.
        if (a.startsWith('-') || o.file !== undefined || command === 'export') throw new Usage(`unknown ${a.startsWith('-') ? 'option' : 'argument'} ${a} for ${command}`);
        o.file = a;
    }
  }
  if (command !== 'export' && !o.file) throw new Usage(`${command} needs -f <file>`);
  if (command === 'export' && o.json && o.yaml) throw new Usage('choose one of --json and --yaml');
  if (command !== 'apply' && (o.dryRun || o.force || o.rollback || o.resetHook)) throw new Usage(`--dry-run, --force, --rollback-on-failure and --reset-hook belong to apply`);
  return o;
}

/** Runs a shell command for a GPU whose MIG mode change waits for a reset. */
function shellHook(command: string): (ctx: ResetHookContext) => Promise<void> {
  return (ctx) => new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NVML_MIG_GPU_INDEX: String(ctx.gpu), NVML_MIG_GPU_UUID: ctx.uuid } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`reset hook exited with ${code}`))));
  });
}

function progressPrinter(io: LayoutIo): (e: ProgressEvent) => void {
  return (e) => {
    if (e.type === 'step') {
      if (e.phase === 'start') return;
      const mark = e.phase === 'done' ? 'done' : `FAILED: ${e.error?.message}`;
      io.stderr.write(`[${e.index}/${e.total}] GPU ${e.gpu}: ${e.text} ... ${mark}\n`);
    } else if (e.type === 'activation') {
      const what = e.phase === 'pending' ? `MIG mode change pending${e.activationStatus ? ` (activation: ${e.activationStatus})` : ''}` : e.phase === 'reset' ? 'running the reset hook' : 'MIG mode active';
      io.stderr.write(`GPU ${e.gpu}: ${what}\n`);
    } else if (e.type === 'rollback') {
      io.stderr.write(`GPU ${e.gpu}: rollback ${e.phase}${e.error ? `: ${e.error.message}` : ''}\n`);
    }
  };
}

function exitOf(r: ApplyResult): number {
  if (r.ok) return EXIT.OK;
  switch (r.code) {
    case 'ERR_LAYOUT_BLOCKED': case 'ERR_LAYOUT_BUSY': return EXIT.BUSY;
    case 'ERR_LAYOUT_ACTIVATION_PENDING': return EXIT.PARTIAL;
    default: {
      const failed = r.steps.find((s) => s.status === 'failed')?.error?.code;
      if (failed === 'NVML_ERROR_NO_PERMISSION') return EXIT.PERMISSION;
      if (failed === 'NVML_ERROR_IN_USE') return EXIT.BUSY;
      if (failed === 'ERR_NVML_READ_ONLY') return EXIT.READ_ONLY;
      return EXIT.REFUSED;
    }
  }
}

function printApply(io: LayoutIo, r: ApplyResult): void {
  const done = r.steps.filter((s) => s.status === 'done').length;
  const notRun = r.steps.filter((s) => s.status === 'not-run').length;
  if (r.ok) {
    io.stdout.write(r.steps.length ? `Applied: ${done} step(s) done.\n` : 'Layout already applied: nothing to do.\n');
    return;
  }
  io.stderr.write(`${r.message}\n`);
  if (r.steps.length) io.stderr.write(`${done} step(s) done, ${r.steps.length - done - notRun} failed, ${notRun} not run. Re-running the same command continues from the current state.\n`);
  if (r.rollback) io.stderr.write(`Rollback ${r.rollback.ok ? 'restored the previous layout' : `failed: ${r.rollback.error?.message ?? 'pending activation'}`} (${r.rollback.steps.filter((s) => s.status === 'done').length} step(s)).\n`);
}

/** GPU indices from indices, UUIDs (GPU-...) or PCI bus ids. */
async function resolveGpus(nvml: Nvml, gpus: string[] | undefined): Promise<number[] | undefined> {
  if (!gpus) return undefined;
  const out = new Set<number>();
  for (const g of gpus) {
    if (/^\d+$/.test(g)) out.add(Number(g));
    else if (/^GPU-/i.test(g)) out.add((await nvml.deviceByUuid(g)).index);
    else out.add((await nvml.deviceByPciBusId(g)).index);
  }
  return [...out].sort((a, b) => a - b);
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
export async function runLayoutCommand(command: 'apply' | 'assert' | 'export', argv: string[], io: LayoutIo): Promise<number> {
  let o: Options;
  try {
    o = parse(command, argv, io.json);
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    io.stderr.write(`nvml-mig ${command}: ${e.message}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  try {
    const indices = await resolveGpus(io.nvml, o.gpus);
    if (command === 'export') {
      const cfg = await exportNode(io.nvml, o.label, indices);
      io.stdout.write(formatExport(cfg, o.json ? 'json' : 'yaml'));
      return EXIT.OK;
    }
    const { name, entries } = selectConfig(loadMigPartedConfig(o.file!), o.config);
    if (command === 'assert') {
      const r = await assertLayout(io.nvml, entries, indices);
      if (o.json) io.stdout.write(JSON.stringify({ config: name, ...r }, null, 2) + '\n');
      else if (r.ok) io.stdout.write(`Selected MIG configuration "${name}" is currently applied.\n`);
      else io.stderr.write(`${r.differences.join('\n')}\nAssertion failure: selected configuration "${name}" is not currently applied.\n`);
      return r.ok ? EXIT.OK : EXIT.PARTIAL;
    }
    const { plan, live } = await planLayout(io.nvml, entries, indices);
    if (o.dryRun) {
      io.stdout.write(o.json ? JSON.stringify({ config: name, plan }, null, 2) + '\n' : formatPlan(plan));
      return !plan.ok ? EXIT.REFUSED : plan.blocked && !o.force ? EXIT.BUSY : EXIT.OK;
    }
    const r = await applyPlan(plan, live, {
      force: o.force,
      rollbackOnFailure: o.rollback,
      resetHook: o.resetHook ? shellHook(o.resetHook) : undefined,
      onProgress: progressPrinter(io),
    });
    if (o.json) io.stdout.write(JSON.stringify({ config: name, ...r }, null, 2) + '\n');
    else {
      if (!r.ok && r.code !== 'ERR_LAYOUT_STEP_FAILED') io.stderr.write(formatPlan(plan));
      printApply(io, r);
    }
    return exitOf(r);
  } catch (e) {
    if (e instanceof LayoutConfigError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof RangeError) {
      io.stderr.write(`nvml-mig ${command}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (isNvmlError(e)) {
      io.stderr.write(`nvml-mig ${command}: ${e.message}\n`);
      if (e.code === 'NVML_ERROR_NOT_FOUND' || e.code === 'NVML_ERROR_INVALID_ARGUMENT') return EXIT.USAGE;
      return e.code === 'NVML_ERROR_NO_PERMISSION' ? EXIT.PERMISSION : EXIT.REFUSED;
    }
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT' || err?.code === 'EACCES') {
      io.stderr.write(`nvml-mig ${command}: cannot read ${o.file}: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
