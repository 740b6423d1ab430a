import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');

/** The environment without any NVML_* setting of the caller, so fixtures start from the defaults. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NVML_')) env[k] = v;
  return { ...env, ...extra };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { cwd: string; env?: Record<string, string>; timeout?: number }): Run {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed; its output is in the error when it does not. */
export function ok(cmd: string, args: string[], options: { cwd: string; env?: Record<string, string>; timeout?: number }): string {
  const r = run(cmd, args, options);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r.stdout;
}

/** The last line of stdout, parsed: fixtures print one JSON line with what they saw. */
export function lastJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

export const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
export const publint = path.join(ROOT, 'node_modules', 'publint', 'src', 'cli.js');

export function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function expectOneCopy(seen: any): void {
  for (const entry of ['nvml-mig', 'nvml-mig/testing', 'nvml-mig/layout', 'nvml-mig/monitor']) {
    expect(seen.names[entry], entry).toEqual({ esmOnly: [], cjsOnly: [], identical: true });
  }
  // Opened from both module systems, one shutdown leaves it open: one reference count.
  expect(seen.countAfterOneShutdown).toBe(1);
  expect(seen.afterLast).toEqual({ code: 'ERR_NVML_NOT_INITIALIZED', instanceofEsm: true, instanceofCjs: true });
  expect(seen.refusal.code).toMatch(/^NVML_ERROR_/);
  expect(seen.refusal).toMatchObject({ instanceofCjs: true, isNvmlError: true });
}

export function expectWorkflow(seen: any, libraryDir: string): void {
  expect(seen.libraryPath).toBe(seen.mockLibraryPath);
  expect(seen.libraryPath.startsWith(libraryDir + path.sep)).toBe(true);
  expect(seen).toMatchObject({
    name: 'NVIDIA H100 80GB HBM3',
    activationStatus: 'NVML_SUCCESS',
    profile: { index: 0, id: 19, name: 'MIG 1g.10gb' },
    refusal: { code: 'NVML_ERROR_IN_USE', fn: 'nvmlGpuInstanceDestroy', isNvmlError: true },
    left: 0,
    initIsFunction: true,
  });
  expect(seen.migUuid).toMatch(/^MIG-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
}

/** tsc over the .cts and .mts consumers; returns the resolution trace. */
export function typeCheck(tsconfig: string, cwd: string): string {
  return ok(process.execPath, [tsc, '-p', tsconfig, '--traceResolution'], { cwd, timeout: 120_000 });
}
