// The CI guard against silently skipped tests (.ci/check-skips.js, run by .ci/run on vitest's JSON
// report): only the real-GPU suite may skip. Checked on a real vitest report of that suite (which
// skips here, without NVML_REAL=1) and on the same report with the skip moved elsewhere.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const require_ = createRequire(__filename);
const { REAL_GPU_SUITE, REAL_GPU_FILE, unexpectedSkips } = require_('../../.ci/check-skips.js');
const GUARD = path.join(ROOT, '.ci', 'check-skips.js');

interface Report {
  numPendingTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }> }>;
}

let dir: string;
let report: Report;

function guard(r: unknown): { status: number | null; stderr: string } {
  const file = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(r));
  const p = spawnSync(process.execPath, [GUARD, file], { cwd: ROOT, encoding: 'utf8' });
  return { status: p.status, stderr: p.stderr };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-skips-'));
  const out = path.join(dir, 'real.json');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NVML_') && !k.startsWith('VITEST')));
  const p = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', REAL_GPU_FILE, '--reporter=json', `--outputFile=${out}`], {
    cwd: ROOT, env, encoding: 'utf8', timeout: 60_000,
  });
  expect(p.status, p.stderr).toBe(0);
  report = JSON.parse(fs.readFileSync(out, 'utf8'));
}, 90_000);

describe('only the real-GPU suite may skip', () => {
  it(`the real-GPU suite is named "${REAL_GPU_SUITE}" and skips without NVML_REAL=1 (vitest reports it skipped)`, () => {
    expect(report.numPendingTests).toBeGreaterThan(0);
    const tests = report.testResults.flatMap((f) => f.assertionResults);
    expect(tests.length).toBe(report.numPendingTests);
    for (const t of tests) expect([t.ancestorTitles[0], t.status]).toEqual([REAL_GPU_SUITE, 'skipped']);
    expect(unexpectedSkips(report)).toEqual([]);
    expect(guard(report).status).toBe(0);
  });

  it('a skipped test anywhere else fails the guard, naming it', () => {
    const renamed = structuredClone(report);
    renamed.testResults[0]!.assertionResults[0]!.ancestorTitles[0] = 'real NVML, read-only';
    const moved = structuredClone(report);
    moved.testResults[0]!.name = path.join(ROOT, 'test', 'native', 'legacy.test.ts');
    for (const r of [renamed, moved]) {
      expect(unexpectedSkips(r)).toHaveLength(report.numPendingTests);
      const g = guard(r);
      expect(g.status).toBe(1);
      expect(g.stderr).toContain('skipped outside the real-GPU suite');
      expect(g.stderr).toContain(r.testResults[0]!.assertionResults[0]!.title);
    }
  });

  it('.ci/run runs the guard on the report it writes, and its summary line counts skipped tests', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toContain('--reporter=json --outputFile=.ci-results.json');
    expect(ci).toContain('node .ci/check-skips.js .ci-results.json || status=1');
    expect(ci).toContain('${passed} passed, ${failed} failed, ${skipped} skipped');
  });

  it('todo and not-run tests count as skipped; passed and failed ones do not; an unreadable report fails', () => {
    const file = path.join(ROOT, 'test', 'x.test.ts');
    const r = {
      testResults: [{ name: file, assertionResults: ['passed', 'failed', 'skipped', 'pending', 'todo'].map((status) => ({ ancestorTitles: ['s'], title: status, status })) }],
    };
    expect(unexpectedSkips(r)).toEqual(['test/x.test.ts > s > skipped', 'test/x.test.ts > s > pending', 'test/x.test.ts > s > todo']);
    expect(spawnSync(process.execPath, [GUARD, path.join(dir, 'missing.json')], { encoding: 'utf8' }).status).toBe(1);
  });
});
