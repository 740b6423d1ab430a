// `import` and `require` of the package from this checkout, resolved through package.json
// "exports" (self-reference by name), its types from a CommonJS and an ES module consumer, and the
// package metadata (publint). The same fixtures run again against the installed tarball in
// tarball.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, expectOneCopy, expectWorkflow, lastJson, ok, publint, typeCheck } from './helpers';

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
  }, 120_000);

  it('publint finds nothing wrong with the package metadata', () => {
    const out = ok(process.execPath, [publint, ROOT, '--strict'], { cwd: ROOT, timeout: 120_000 });
    expect(out).not.toMatch(/Errors:|Warnings:/);
  }, 120_000);
  it("the README's quick tour is the tested fixture, and it runs", () => {
    const fixture = fs.readFileSync(path.join(FIXTURES, 'readme-tour.mjs'), 'utf8');
    const tour = fixture.slice(fixture.indexOf('// --- tour\n') + '// --- tour\n'.length, fixture.indexOf('// --- end'));
    expect(tour).toContain('startMock');
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('```js\n' + tour + '```');
    const out = ok(process.execPath, [path.join(FIXTURES, 'readme-tour.mjs')], { cwd: ROOT });
    expect(out).toContain('NVML_ERROR_RESET_REQUIRED { current: false, pending: true, changePending: true }');
    expect(out).toMatch(/^0 19 MIG 1g\.5gb \[/m);
    expect(out).toMatch(/^MIG-[0-9a-f-]{36}$/m);
    expect(out).toMatch(/^true nvmlGpuInstanceDestroy .*In use by another client$/m);
    expect(out).toMatch(/^  keep +GI \d+ CI 0 1g\.5gb/m);
    expect(out).toMatch(/^true true$/m);
  });
});
