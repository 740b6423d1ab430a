'use strict';
// Diagnostic client for comparing the addon with the C floor call by call (see
// nvml-timing-shim.c): `snapshot` runs snapshotSync() in a loop and prints its mean time and the
// addon's own native-read time; `name` loops over deviceGetNameSync for a profiler; `migMode`
// times deviceGetMigModeSync with an optional busy pause between calls (BENCH_GAP_NS).
//
//   node bench/diag/client.js <libnvidia-ml.so.1 or the shim> snapshot|name|migMode [iterations]

const path = require('node:path');
const { init } = require(path.resolve(__dirname, '../../dist/index.js'));

const [libPath, mode, itersArg] = process.argv.slice(2);
const iters = Number(itersArg ?? (mode === 'name' ? 5_000_000 : 300));

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
  } else {
    const h = b.deviceGetHandleByIndexSync(0);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) b.deviceGetNameSync(h);
    console.log(JSON.stringify({ client: 'addon', op: 'nameSync', meanNs: Number(process.hrtime.bigint() - t0) / iters }));
  }
  await nvml.shutdown();
});
