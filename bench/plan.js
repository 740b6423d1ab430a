#!/usr/bin/env node
// Planning time of a whole node: planNode() for every GPU of an 8-GPU node, on states read once from the
// bundled mock (planning is pure, so the NVML reads are outside the timing). Prints a markdown table and JSON.
//   node bench/plan.js [--runs 5000] [--machine h100-80gb:8]
'use strict';
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { init } = require(path.join(root, 'dist/index.js'));
const L = require(path.join(root, 'dist/layout/index.js'));

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', '5000'));
const MACHINES = arg('--machine', null) ? [arg('--machine')] : ['h100-80gb:8', 'a100-40gb:4,h100-80gb:2,a30:2'];
const CONFIG = L.loadMigPartedConfig(path.join(root, 'examples/mig-config.yaml'));
const cfg = (name) => L.selectConfig(CONFIG, name).entries;

// [scenario, layout applied first (null: MIG on, empty), layout planned]
const SCENARIOS = [
  ['empty -> all-balanced', 'all-enabled', 'all-balanced'],
  ['all-balanced -> all-balanced (no-op)', 'all-balanced', 'all-balanced'],
  ['all-1g -> all-balanced (reshape)', 'all-1g', 'all-balanced'],
  ['all-1g -> custom-mixed (CIs sharing GIs)', 'all-1g', 'custom-mixed'],
  ['custom-mixed -> all-disabled', 'custom-mixed', 'all-disabled'],
];

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A copy of the read node whose models are new objects (what a fresh read gives). */
const freshCopy = (live) => live.map((l) => ({ state: l.state, model: l.model && structuredClone(l.model) }));

async function main() {
  const rows = [];
  const tables = [];
  for (const machine of MACHINES) {
    process.env.NVML_MOCK_MACHINE = machine;
    delete process.env.NVML_MOCK_STATE;
    const nvml = await init({ libraryPath: path.join(root, 'build/Release/mock/libnvidia-ml.so.1') });
    const resetHook = async ({ gpu }) => { await nvml.mockControl({ cmd: 'gpuReset', gpu }); };
    try {
      // The per-model table of the placement preference (futureScore) is built once per process and GPU model.
      await L.applyLayout(nvml, cfg('all-enabled'), { resetHook });
      for (const l of await L.readNode(nvml)) {
        if (!l.model || tables.some((t) => t.model === l.model.name)) continue;
        const t0 = process.hrtime.bigint();
        L.futureScore(l.model);
        tables.push({ model: l.model.name, slots: l.model.slots, buildMs: +(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2) });
      }
      for (const [name, from, to] of SCENARIOS) {
        await nvml.mockControl({ cmd: 'reset', machine });
        const setup = await L.applyLayout(nvml, cfg(from), { resetHook });
        if (!setup.ok) throw new Error(`${machine} ${name}: setup failed: ${setup.message}`);
        const live = await L.readNode(nvml);
        const input = cfg(to);
        const t0 = process.hrtime.bigint();
        const first = L.planNode(freshCopy(live), input);
        const firstUs = Number(process.hrtime.bigint() - t0) / 1000;
        if (!first.ok) throw new Error(`${machine} ${name}: ${first.gpus.map((g) => g.error).join('; ')}`);
        for (let i = 0; i < 200; i++) L.planNode(live, input); // warm-up
        const samples = new Float64Array(RUNS);
        let plan;
        for (let i = 0; i < RUNS; i++) {
          const s = process.hrtime.bigint();
          plan = L.planNode(live, input);
          samples[i] = Number(process.hrtime.bigint() - s) / 1000;
        }
        const sorted = [...samples].sort((a, b) => a - b);
        rows.push({
          machine, scenario: name, gpus: live.length, steps: plan.changes, runs: RUNS,
          medianUs: +quantile(sorted, 0.5).toFixed(2), p99Us: +quantile(sorted, 0.99).toFixed(2),
          minUs: +sorted[0].toFixed(2), meanUs: +(sorted.reduce((a, b) => a + b, 0) / RUNS).toFixed(2),
          firstUs: +firstUs.toFixed(1),
        });
      }
    } finally {
      await nvml.shutdown();
    }
  }
  console.log(`## Planning a whole node (planNode, all GPUs), ${RUNS} runs each, node ${process.version}\n`);
  console.log('| machine | scenario | GPUs | steps | median µs | p99 µs | min µs | first call µs |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.machine} | ${r.scenario} | ${r.gpus} | ${r.steps} | ${r.medianUs} | ${r.p99Us} | ${r.minUs} | ${r.firstUs} |`);
  console.log('\nOnce per process and GPU model, before the first plan: the placement-preference table (futureScore).\n');
  console.log('| GPU model | slots | build ms |');
  console.log('|---|---:|---:|');
  for (const t of tables) console.log(`| ${t.model} | ${t.slots} | ${t.buildMs} |`);
  console.log('\n```json');
  console.log(JSON.stringify({ bench: 'layout-plan', node: process.version, runs: RUNS, rows, tables }, null, 2));
  console.log('```');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
