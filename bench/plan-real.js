#!/usr/bin/env node
// The layout module on a real driver, READ-ONLY (init({readOnly:true}); set NVML_MIG_READONLY=1 as well):
// prints the model and state read through NVML, dry runs of the example configs, the export, an assert,
// and the planning time on this node. Nothing changes the GPUs.
//   NVML_MIG_READONLY=1 node bench/plan-real.js
'use strict';
const { init } = require('../dist/index.js');
const L = require('../dist/layout/index.js');
(async () => {
  const nvml = await init({ readOnly: true });
  console.log('driver', await nvml.driverVersion());
  const live = await L.readNode(nvml);
  for (const l of live) {
    console.log('STATE', JSON.stringify(l.state));
    console.log('MODEL', l.model && JSON.stringify({ name: l.model.name, slots: l.model.slots, computeSlices: l.model.computeSlices, gi: l.model.giProfiles.map((g) => ({ id: g.id, name: g.name, slices: g.sliceCount, n: g.instanceCount, mem: g.memorySizeMB, pl: g.placements.map((p) => `${p.start}:${p.size}`).join(','), ci: g.ciSource })) }));
  }
  const cfg = L.loadMigPartedConfig(require('node:path').join(__dirname, '../examples/mig-config.yaml'));
  for (const c of ['all-1g', 'all-balanced', 'custom-mixed', 'all-disabled']) {
    const { plan } = await L.planLayout(nvml, L.selectConfig(cfg, c).entries);
    process.stdout.write(`== dry run ${c}\n` + L.formatPlan(plan));
  }
  process.stdout.write('== export\n' + L.formatExport(await L.exportNode(nvml)));
  console.log('== assert all-disabled', JSON.stringify(await L.assertLayout(nvml, L.selectConfig(cfg, 'all-disabled').entries)));
  const input = L.selectConfig(cfg, 'all-balanced').entries;
  const t0 = process.hrtime.bigint(); L.futureScore(live[0].model); const tb = Number(process.hrtime.bigint() - t0) / 1e6;
  for (let i = 0; i < 500; i++) L.planNode(live, input);
  const s = []; for (let i = 0; i < 5000; i++) { const a = process.hrtime.bigint(); L.planNode(live, input); s.push(Number(process.hrtime.bigint() - a) / 1000); }
  s.sort((a, b) => a - b);
  console.log(`plan all-balanced on this node (${live.length} GPU): median ${s[2500].toFixed(1)} us, p99 ${s[4950].toFixed(1)} us; score table ${tb.toFixed(2)} ms`);
  await nvml.shutdown();
})().catch((e) => { console.error('FAILED', e); process.exit(1); });
