// The handlers of `nvml-mig apply | assert | export` (declared in registry.ts): progress display
// and output of the layout commands. Loaded on use, so the MIG commands start without yaml.

import { spawn } from 'node:child_process';
import { applyPlan, planLayout, type ApplyResult, type ProgressEvent, type ResetHookContext } from '../layout/apply.js';
import { assertLayout } from '../layout/assert.js';
import { LayoutConfigError, loadMigPartedConfig, selectConfig, type MigConfigEntry } from '../layout/config.js';
import { exportNode, formatExport, toMigPartedObject } from '../layout/export.js';
import { formatPlan } from '../layout/format.js';
import type { Context } from './context.js';
import { CliError, EXIT } from './errors.js';
import type { Command, JsonData } from './spec.js';

/** Runs a shell command for a GPU whose MIG mode change waits for a reset. */
function shellHook(command: string): (ctx: ResetHookContext) => Promise<void> {
  return (ctx) => new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NVML_MIG_GPU_INDEX: String(ctx.gpu), NVML_MIG_GPU_UUID: ctx.uuid } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`reset hook exited with ${code}`))));
  });
}

function progressPrinter(ctx: Context): (e: ProgressEvent) => void {
  const err = ctx.io.stderr;
  return (e) => {
    if (e.type === 'step') {
      if (e.phase === 'start') return;
      const mark = e.phase === 'done' ? 'done' : `FAILED: ${e.error?.message}`;
      err.write(`[${e.index}/${e.total}] GPU ${e.gpu}: ${e.text} ... ${mark}\n`);
    } else if (e.type === 'activation') {
      const what = e.phase === 'pending' ? `MIG mode change pending${e.activationStatus ? ` (activation: ${e.activationStatus})` : ''}` : e.phase === 'reset' ? 'running the reset hook' : 'MIG mode active';
      err.write(`GPU ${e.gpu}: ${what}\n`);
    } else if (e.type === 'rollback') {
      err.write(`GPU ${e.gpu}: rollback ${e.phase}${e.error ? `: ${e.error.message}` : ''}\n`);
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

/** The selected GPUs' indices (-i: index, UUID or PCI bus id, one selector for every command); undefined = all. */
async function indices(ctx: Context): Promise<number[] | undefined> {
  if (ctx.global.gpus === null) return undefined;
  return (await ctx.selectedDevices()).map((d) => d.index);
}

/** The config file's selected entries; an unreadable or invalid file is a usage error naming it. */
function loadEntries(file: string, config: string | undefined): { name: string; entries: MigConfigEntry[] } {
  try {
    return selectConfig(loadMigPartedConfig(file), config);
  } catch (e) {
    if (e instanceof LayoutConfigError) throw new CliError('LAYOUT_INVALID', e.message, EXIT.USAGE);
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
      const why = err.code === 'EISDIR' ? 'it is a directory' : err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code;
      throw new CliError('FILE_UNREADABLE', `cannot read the config file ${file}: ${why}`, EXIT.USAGE);
    }
    throw e;
  }
}

export async function apply(ctx: Context, c: Command): Promise<JsonData> {
  const { name, entries } = loadEntries(c.file as string, c.config as string | undefined);
  const { plan, live } = await planLayout(ctx.nvml, entries, await indices(ctx));
  if (c.dryRun) {
    ctx.print(formatPlan(plan));
    if (!plan.ok) ctx.setExit(EXIT.REFUSED);
    else if (plan.blocked && !c.force) ctx.setExit(EXIT.BUSY);
    return { config: name, plan };
  }
  const r = await applyPlan(plan, live, {
    force: c.force as boolean,
    rollbackOnFailure: c.rollback as boolean,
    resetHook: c.resetHook ? shellHook(c.resetHook as string) : undefined,
    onProgress: progressPrinter(ctx),
  });
  const done = r.steps.filter((s) => s.status === 'done').length;
  const notRun = r.steps.filter((s) => s.status === 'not-run').length;
  if (r.ok) {
    ctx.print(r.steps.length ? `Applied: ${done} step(s) done.` : 'Layout already applied: nothing to do.');
  } else {
    if (r.code !== 'ERR_LAYOUT_STEP_FAILED' && !ctx.json) ctx.io.stderr.write(formatPlan(plan));
    ctx.fail(r.message ?? 'the layout was not applied', new CliError(r.code ?? 'ERR_LAYOUT', r.message ?? '', exitOf(r)));
    if (r.steps.length) ctx.io.stderr.write(`${done} step(s) done, ${r.steps.length - done - notRun} failed, ${notRun} not run. Re-running the same command continues from the current state.\n`);
    if (r.rollback) ctx.io.stderr.write(`Rollback ${r.rollback.ok ? 'restored the previous layout' : `failed: ${r.rollback.error?.message ?? 'pending activation'}`} (${r.rollback.steps.filter((s) => s.status === 'done').length} step(s)).\n`);
  }
  const { ok: _ok, ...result } = r;
  return { config: name, ...result };
}

export async function assert(ctx: Context, c: Command): Promise<JsonData> {
  const { name, entries } = loadEntries(c.file as string, c.config as string | undefined);
  const r = await assertLayout(ctx.nvml, entries, await indices(ctx));
  if (r.ok) ctx.print(`Selected MIG configuration "${name}" is currently applied.`);
  else {
    if (r.differences.length) ctx.io.stderr.write(`${r.differences.join('\n')}\n`);
    ctx.fail(`Assertion failure: selected configuration "${name}" is not currently applied.`, new CliError('LAYOUT_MISMATCH', '', EXIT.PARTIAL));
  }
  const { ok: _ok, ...result } = r;
  return { config: name, ...result };
}

export async function exportLayout(ctx: Context, c: Command): Promise<JsonData> {
  const cfg = await exportNode(ctx.nvml, c.label as string, await indices(ctx));
  if (!ctx.json) ctx.io.stdout.write(formatExport(cfg, 'yaml'));
  return toMigPartedObject(cfg) as JsonData;
}
