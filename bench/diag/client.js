'use strict';
// Diagnostic client for comparing the addon with the C floor call by call (see
// nvml-timing-shim.c): `snapshot` runs snapshotSync() in a loop and prints its mean time and the
// addon's own native-read time; `name` loops over deviceGetNameSync for a profiler; `migMode`
// times deviceGetMigModeSync with an optional busy pause between calls (BENCH_GAP_NS); `count`,
// `handle`, `uuid`, `memory`, `processes` loop over those Sync twins for a profiler; `promise` times promise round
// trips of deviceGetMigMode, deviceGetGpuInstanceProfileInfo and deviceGetName (run it with NVML_MIG_SPIN_US set to compare the call
// threads' spin).
//
//   node bench/diag/client.js <libnvidia-ml.so.1 or the shim> snapshot|name|count|handle|uuid|memory|processes|migMode|promise [iterations]

const path = require('node:path');
const { init } = require(path.resolve(__dirname, '../../dist/index.js'));
const { measureAsync } = require('../measure');

const [libPath, mode, itersArg] = process.argv.slice(2);
const LOOPS = ['name', 'count', 'handle', 'uuid', 'memory', 'processes'];
const iters = Number(itersArg ?? (LOOPS.includes(mode) ? 5_000_000 : 300));

init({ libraryPath: libPath, readOnly: true }).then(async (nvml) => {
  const b = nvml._session.binding;
  if (mode === 'snapshot') {
    for (let i = 0; i < 50; i++) b.snapshotSync();
    let native = 0n;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) {
      const r = b.snapshotSync();
      native += r.finishedNs - r.startedNs;
    }
    const total = Number(process.hrtime.bigint() - t0);
    console.log(JSON.stringify({ client: 'addon', iterations: iters, snapshotSyncMeanNs: total / iters, nativeReadMeanNs: Number(native) / iters }));
  } else if (mode === 'migMode') {
    const h = b.deviceGetHandleByIndexSync(0);
    const gap = BigInt(process.env.BENCH_GAP_NS ?? 0);
    const per = [];
    for (let i = 0; i < iters; i++) {
      const t0 = process.hrtime.bigint();
      b.deviceGetMigModeSync(h);
      const t1 = process.hrtime.bigint();
      per.push(Number(t1 - t0));
      while (process.hrtime.bigint() - t1 < gap);
    }
    per.sort((x, y) => x - y);
    console.log(JSON.stringify({ client: 'addon', op: 'migModeSync', gapNs: Number(gap), medianNs: per[per.length >> 1] }));
  } else if (mode === 'promise') {
    const h = b.deviceGetHandleByIndexSync(0);
    const spinUs = process.env.NVML_MIG_SPIN_US ?? '';
    const ops = [
      ['migMode', () => b.deviceGetMigMode(h), iters],
      ['giProfile', () => b.deviceGetGpuInstanceProfileInfo(h, 0, 1), iters],
      ['name', () => b.deviceGetName(h), iters * 10],
    ];
    for (const [op, fn, n] of ops) {
      const r = await measureAsync(fn, n);
      console.log(JSON.stringify({ client: 'addon', op: `${op} promise`, spinUs, ...r }));
    }
  } else if (LOOPS.includes(mode)) {
    const h = b.deviceGetHandleByIndexSync(0);
    const fn = {
      name: () => b.deviceGetNameSync(h),
      count: () => b.deviceGetCountSync(),
      handle: () => b.deviceGetHandleByIndexSync(0),
      uuid: () => b.deviceGetUuidSync(h),
      memory: () => b.deviceGetMemoryInfoSync(h),
      processes: () => b.deviceGetComputeRunningProcessesSync(h),
    }[mode];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn();
    console.log(JSON.stringify({ client: 'addon', op: `${mode}Sync`, meanNs: Number(process.hrtime.bigint() - t0) / iters }));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await nvml.shutdown();
});
