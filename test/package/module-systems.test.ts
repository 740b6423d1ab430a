// `import` and `require` of the package from this checkout, resolved through package.json
// "exports" (self-reference by name), its types from a CommonJS and an ES module consumer, and the
// package metadata (publint). The same fixtures run again against the installed tarball in
// tarball.test.ts.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, lastJson, ok, publint, tsc } from './helpers';

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

describe('module systems, from this checkout', () => {
  it('require: the MIG workflow on the bundled mock', () => {
    const seen = lastJson(ok(process.execPath, [path.join(FIXTURES, 'workflow.cjs')], { cwd: ROOT }));
    expectWorkflow(seen, path.join(ROOT, 'build', 'Release'));
  });

  it('import and require share one copy of the JS layer', () => {
    expectOneCopy(lastJson(ok(process.execPath, [path.join(FIXTURES, 'one-copy.mjs')], { cwd: ROOT })));
  });

  // The consumers also carry @ts-expect-error lines: if the declarations were `any`, those
  // directives would be unused, which tsc reports as errors.
  it('types resolve for a .cts consumer (require condition) and a .mts consumer (import condition)', () => {
    const trace = typeCheck(path.join(FIXTURES, 'types', 'tsconfig.json'), ROOT);
    for (const [entry, cjs, esm] of [
      ['nvml-mig', 'dist/index.d.ts', 'esm/index.d.mts'],
      ['nvml-mig/testing', 'dist/testing/index.d.ts', 'esm/testing.d.mts'],
      ['nvml-mig/layout', 'dist/layout/index.d.ts', 'esm/layout.d.mts'],
      ['nvml-mig/monitor', 'dist/monitor/index.d.ts', 'esm/monitor.d.mts'],
    ]) {
      expect(trace).toContain(`Module name '${entry}' was successfully resolved to '${path.join(ROOT, cjs)}'`);
      expect(trace).toContain(`Module name '${entry}' was successfully resolved to '${path.join(ROOT, esm)}'`);
    }
  });

  it('publint finds nothing wrong with the package metadata', () => {
    const out = ok(process.execPath, [publint, ROOT, '--strict'], { cwd: ROOT, timeout: 120_000 });
    expect(out).not.toMatch(/Errors:|Warnings:/);
  });
});
