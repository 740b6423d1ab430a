#!/usr/bin/env node
'use strict';
// GPM on GPU 0, this binding beside pynvml (bench/gpm_pynvml.py) in one run: both sample the same
// windows at the same time (whole GPU; MIG off), then each times a sample and a metrics call.
// Read-only (the interlock is on). Also records what the driver answers at the edges: samples
// closer than 100 ms, an unknown metric id, a GPU-instance sample with MIG off, the names and units.
//
//   node bench/gpm.js [--windows N] [--interval-ms MS] [--reps N] [--out FILE] [--no-peer]
//
// Library: NVML_LIBRARY_PATH or the system's libnvidia-ml.so.1. Prints JSON; asserts nothing.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { init, ACTIVITY_METRICS } = require('../dist/index.js');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const windows = Number(opt('--windows', 5));
const intervalMs = Number(opt('--interval-ms', 1000));
const reps = Number(opt('--reps', 50));
const out = opt('--out', null);
const IDS = ACTIVITY_METRICS.map((m) => m.id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1000;

async function timeEach(n, fn) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await fn();
    t.push(now() - t0);
  }
  return t.sort((a, b) => a - b);
}

async function main() {
  const nvml = await init({ readOnly: true });
  const gpu = await nvml.device(0);
  const b = gpu._session.binding;
  const h = gpu._handle;
  const res = { peer: 'nvml-mig', device: await gpu.name(), driver: await nvml.driverVersion(), supported: await gpu.gpmSupported(), windows: [] };
  const startAt = Date.now() + 1500;
  let peer = null;
  if (!args.includes('--no-peer')) {
    peer = new Promise((resolve) => {
      const p = spawn('python3', [path.join(__dirname, 'gpm_pynvml.py'), '--windows', String(windows), '--interval-ms', String(intervalMs), '--start-at', String(startAt), '--reps', String(reps)]);
      let text = '';
      let err = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => {
        try {
          resolve(JSON.parse(text));
        } catch {
          resolve({ error: `exit ${code}: ${err.slice(-2000)}` });
        }
      });
    });
  }
  await sleep(Math.max(0, startAt - Date.now()));
  for (let w = 0; w < windows; w++) {
    const startMs = Date.now();
    const a = await gpu.activity({ intervalMs });
    res.windows.push({ startMs, metrics: Object.fromEntries(ACTIVITY_METRICS.map((m) => [String(m.id), a.metrics[m.name].value])) });
  }
  // Edges and names, through the raw surface.
  const [s1, s2] = [await b.gpmSampleAlloc(), await b.gpmSampleAlloc()];
  try {
    await b.gpmSampleGet(h, s1);
    await sleep(10);
    await b.gpmSampleGet(h, s2);
    res.closerThan100ms = await b.gpmMetricsGet(s1, s2, [1, 2]).then((m) => ({ resolved: m }), (e) => ({ rejected: e.code }));
    await sleep(150);
    await b.gpmSampleGet(h, s2);
    res.names = await b.gpmMetricsGet(s1, s2, [...IDS, 300]);
    res.migSampleWithMigOff = await b.gpmMigSampleGet(h, 0, s2).then(() => 'resolved', (e) => e.code);
    // Costs: one sample (awaited one at a time, then its blocking twin), one metrics call for every
    // named metric.
    res.sampleUs = await timeEach(reps, () => b.gpmSampleGet(h, s2));
    res.sampleSyncUs = await timeEach(reps, () => b.gpmSampleGetSync(h, s2));
    await b.gpmSampleGet(h, s1);
    await sleep(200);
    await b.gpmSampleGet(h, s2);
    res.metricsUs = await timeEach(Math.max(5, reps / 5), () => b.gpmMetricsGet(s1, s2, IDS));
    res.metricCount = IDS.length;
  } finally {
    await b.gpmSampleFree(s1);
    await b.gpmSampleFree(s2);
  }
  await nvml.shutdown();
  if (peer) res.pynvml = await peer;
  const text = JSON.stringify(res, null, 1);
  if (out) fs.writeFileSync(out, text);
  console.log(text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
