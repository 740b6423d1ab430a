import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
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

/** The workflow fixture's answer; the addon and the mock it used must come from `binaryDir`. */
export function expectWorkflow(seen: any, binaryDir: string): void {
  expect(seen.libraryPath).toBe(seen.mockLibraryPath);
  expect(seen.libraryPath).toBe(path.join(binaryDir, 'mock', 'libnvidia-ml.so.1'));
  expect(seen.addonPath).toBe(path.join(binaryDir, 'nvml_mig.node'));
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

export interface Registry {
  url: string;
  /** The requests it answered so far, one `<status> <method> <path>` a line. */
  requests(): string[];
  stop(): void;
}

/** scripts/package/registry.js serving the tarballs of `folder` on 127.0.0.1. */
export async function startRegistry(folder: string, logFile: string): Promise<Registry> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'package', 'registry.js'), folder, logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`the registry exited with ${code}`)));
  });
  return {
    url,
    requests: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : []),
    stop: () => child.kill(),
  };
}

/**
 * Environment variables that route every request other than 127.0.0.1's to a closed port, so an
 * install that tried the network would fail instead of fetching.
 */
export const NO_NETWORK = { https_proxy: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', no_proxy: '127.0.0.1', npm_config_noproxy: '127.0.0.1' };
