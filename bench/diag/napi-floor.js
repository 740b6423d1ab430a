'use strict';
// How much of a blocking call's cost is Node-API's own: the C loop (napi-floor.c's cloop, in this
// process), bench/diag/napi-floor.c's functions (the least a Node-API function can do to call NVML)
// and the addon's Sync twins, the same calls, in one process, measured in alternating rounds with
// bench/measure.js's protocol (median of batches; the C loop: median of batches of the same size).
//
//   node bench/diag/napi-floor.js <libnvidia-ml.so.1> [--samples N] [--rounds R] [--addon napi_floor.node]
//
// Without --addon it compiles napi-floor.c with `cc` against this Node's headers. Prints one JSON
// line per peer and call (median of the rounds' medians) and a table.
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { measureSync } = require('../measure');

const args = process.argv.slice(2);
const lib = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i > 0 ? args[i + 1] : dflt;
};
const samples = Number(opt('--samples', 300));
const rounds = Number(opt('--rounds', 5));
if (!lib) {
  console.error('usage: node bench/diag/napi-floor.js <libnvidia-ml.so.1> [--samples N] [--rounds R] [--addon FILE]');
  process.exit(2);
}

let addonFile = opt('--addon');
if (!addonFile) {
  addonFile = path.join(os.tmpdir(), `napi_floor-${process.pid}.node`);
  const include = path.resolve(process.execPath, '../../include/node');
  execFileSync(process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-I', include, path.join(__dirname, 'napi-floor.c'), '-ldl', '-o', addonFile], { stdio: 'inherit' });
}
const floor = require(path.resolve(addonFile));
const libPath = lib.includes('/') ? path.resolve(lib) : lib; // a bare name: the loader's search
const r = floor.open(libPath);
if (r !== 0) throw new Error(`napi-floor: open failed (${r})`);

const { init } = require(path.resolve(__dirname, '../../dist/index.js'));
init({ libraryPath: libPath, readOnly: true }).then(async (nvml) => {
  const b = nvml._session.binding;
  const h = b.deviceGetHandleByIndexSync(0);
  const OPS = ['count', 'handle', 'name', 'uuid', 'memory', 'processes'];
  const CLOOP_BATCH = { memory: 5, processes: 5 };
  const cloop = (op) => {
    const k = CLOOP_BATCH[op] ?? 100;
    const per = new Float64Array(samples);
    for (let i = 0; i < samples; i++) per[i] = floor.cloop(OPS.indexOf(op), k) / k;
    per.sort();
    return per[samples >> 1];
  };
  const sync = {
    count: () => b.deviceGetCountSync(),
    handle: () => b.deviceGetHandleByIndexSync(0),
    name: () => b.deviceGetNameSync(h),
    uuid: () => b.deviceGetUuidSync(h),
    memory: () => b.deviceGetMemoryInfoSync(h),
    processes: () => b.deviceGetComputeRunningProcessesSync(h),
  };
  const napi = { noop: () => floor.noop(), count: () => floor.count(), handle: () => floor.handle(0), name: () => floor.name() };
  const cases = [];
  for (const op of ['noop', ...OPS]) {
    if (op !== 'noop') {
      floor.cloop(OPS.indexOf(op), 1000); // warm-up
      cases.push(['c-loop', op, () => cloop(op)]);
    }
    if (napi[op]) cases.push(['napi-floor', op, () => measureSync(napi[op], samples).medianNs]);
    if (sync[op]) cases.push(['nvml-mig-sync', op, () => measureSync(sync[op], samples).medianNs]);
  }
  const medians = cases.map(() => []);
  for (let round = 0; round < rounds; round++) cases.forEach(([, , fn], i) => medians[i].push(fn()));
  const rows = cases.map(([peer, op], i) => {
    const m = medians[i].slice().sort((x, y) => x - y);
    return { peer, op, medianNs: Math.round(m[m.length >> 1] * 10) / 10, rounds: m.map((x) => Math.round(x * 10) / 10) };
  });
  for (const row of rows) console.log(JSON.stringify(row));
  const get = (peer, op) => rows.find((x) => x.peer === peer && x.op === op)?.medianNs;
  const ns = (x) => (x == null ? '–' : `${x} ns`);
  console.log('\n| call | C loop (same process) | Node-API floor | nvml-mig Sync | Sync − C loop |\n|---|---|---|---|---|');
  for (const op of ['noop', ...OPS]) {
    const c = get('c-loop', op);
    const s = get('nvml-mig-sync', op);
    console.log(`| ${op} | ${ns(c)} | ${ns(get('napi-floor', op))} | ${ns(s)} | ${c != null && s != null ? `${Math.round(s - c)} ns` : ''} |`);
  }
  await nvml.shutdown();
});
