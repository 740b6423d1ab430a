'use strict';
// Two runs of the bench side by side: every per-call median of both runs' results.json (this
// binding's variants and the peers), and the throughput rows, in one markdown table each. Compare
// only runs of the same machine kind; each run's machine line is printed above its column.
//
//   node bench/compare.js <before/results.json> <after/results.json> [--labels "before,after"]

const fs = require('node:fs');
const { OPS, PER_CALL_COLUMNS: COLUMNS, fmt } = require('./report.js');

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--labels');
const li = args.indexOf('--labels');
const labels = li >= 0 ? args[li + 1].split(',') : ['before', 'after'];
if (files.length !== 2) {
  console.error('usage: node bench/compare.js <before/results.json> <after/results.json> [--labels "before,after"]');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));

const cell = (run, op, match) => run.results.find((r) => r.op === op && match(r) && r.medianNs != null)?.medianNs;

const out = [];
runs.forEach((run, i) => {
  const m = run.machine;
  out.push(`- ${labels[i]}: ${m.date} · ${m.cores} cores, ${m.cpu} · Node ${m.node} · driver ${m.driver ?? '?'} · ${m.mock ? `mock ${m.mock}` : 'real libnvidia-ml.so.1'}`);
});
out.push('');
out.push(`Per-call median, ${labels[0]} → ${labels[1]}:`);
out.push('');
out.push(`| call | ${COLUMNS.map(([c]) => c).join(' | ')} |`);
out.push(`|---|${COLUMNS.map(() => '---').join('|')}|`);
for (const op of OPS) {
  const cells = COLUMNS.map(([, match]) => {
    const [a, b] = runs.map((run) => cell(run, op, match));
    return a == null && b == null ? '–' : `${fmt(a)} → ${fmt(b)}`;
  });
  if (cells.every((c) => c === '–')) continue;
  out.push(`| ${op} | ${cells.join(' | ')} |`);
}
out.push('');
out.push(`Throughput of nvmlDeviceGetName (calls/s), ${labels[0]} → ${labels[1]}:`);
out.push('');
out.push('| peer | calls/s |');
out.push('|---|---|');
const tpNames = [...new Set(runs.flatMap((run) => run.results.filter((r) => r.callsPerSecond != null).map((r) => `${r.peer} ${r.variant}`)))];
for (const name of tpNames) {
  const [a, b] = runs.map((run) => run.results.find((r) => r.callsPerSecond != null && `${r.peer} ${r.variant}` === name)?.callsPerSecond);
  const n = (x) => (x == null ? '–' : x.toLocaleString('en-US'));
  out.push(`| ${name} | ${n(a)} → ${n(b)} |`);
}
process.stdout.write(out.join('\n') + '\n');
