import path from 'node:path';
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';

export const ROOT = path.resolve(__dirname, '../..');
export const MOCK_LIB = path.join(ROOT, 'build/Release/mock/libnvidia-ml.so.1');

/**
 * Opens the mock library for the whole test file (closed after it) and resets it to `machine`
 * before every test. `nvml` is set once the file's first hook has run.
 */
export function useMock(machine: string): { nvml: Nvml } {
  const ctx = {} as { nvml: Nvml };
  beforeAll(async () => {
    ctx.nvml = await init({ libraryPath: MOCK_LIB });
  });
  afterAll(async () => {
    // A test may have shut it down already.
    await ctx.nvml?.shutdown().catch(() => undefined);
  });
  beforeEach(async () => {
    await ctx.nvml.mockControl({ cmd: 'reset', machine });
  });
  return ctx;
}

/** The first `name` event of `emitter`, or a rejection after `ms` (bounded: tests never hang). */
export function nextEvent<T = unknown>(emitter: EventEmitter, name: string, ms = 5000, pred: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, on);
      reject(new Error(`no '${name}' event within ${ms} ms`));
    }, ms);
    const on = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      emitter.off(name, on);
      resolve(v);
    };
    emitter.on(name, on);
  });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (the subset prom-client writes). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      for (const l of m[2].matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** GET over loopback with a bounded wait. */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
