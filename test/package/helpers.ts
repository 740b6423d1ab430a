import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

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
