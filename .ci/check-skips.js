#!/usr/bin/env node
// CI guard: no test may be skipped except those of the real-GPU suite, which runs only on a
// machine with a GPU and says so in its name. Reads vitest's JSON report (.ci/run writes it).
//
//   node .ci/check-skips.js .ci-results.json     exits 1 and lists them if any other test skipped
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** The one suite allowed to skip: its describe() title, and its file relative to the repository. */
const REAL_GPU_SUITE = 'real GPU (opt-in: NVML_REAL=1)';
const REAL_GPU_FILE = 'test/real/real-readonly.test.ts';
const ROOT = path.resolve(__dirname, '..');

/** vitest's statuses for a test that did not run (skip, todo, or the tests of a failed beforeAll). */
const NOT_RUN = new Set(['skipped', 'pending', 'todo', 'disabled']);

/**
 * The tests of `report` (vitest JSON) that did not run and are not in the real-GPU suite, as
 * "file > suite > test" lines.
 */
function unexpectedSkips(report, root = ROOT) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(root, file.name).split(path.sep).join('/');
    for (const t of file.assertionResults ?? []) {
      if (!NOT_RUN.has(t.status)) continue;
      const allowed = rel === REAL_GPU_FILE && (t.ancestorTitles ?? [])[0] === REAL_GPU_SUITE;
      if (!allowed) out.push([rel, ...(t.ancestorTitles ?? []), t.title].join(' > '));
    }
  }
  return out;
}

module.exports = { REAL_GPU_SUITE, REAL_GPU_FILE, unexpectedSkips };

if (require.main === module) {
  const file = process.argv[2] || '.ci-results.json';
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`check-skips: cannot read ${file}: ${e.message}`);
    process.exit(1);
  }
  const bad = unexpectedSkips(report);
  if (bad.length) {
    console.error(`${bad.length} test(s) skipped outside the real-GPU suite ("${REAL_GPU_SUITE}"):`);
    for (const line of bad) console.error(`  ${line}`);
    process.exit(1);
  }
}
