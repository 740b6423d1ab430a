'use strict';
// How much of a blocking call's cost is Node-API's own: bench/diag/napi-floor.c (the least a
// Node-API function can do to call NVML) beside the addon's Sync twins, the same calls, in one
// process, measured alternately with bench/measure.js's protocol (median of batches).
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
  const cases = [
    ['napi-floor', 'noop', () => floor.noop()],
    ['napi-floor', 'count', () => floor.count()],
    ['nvml-mig-sync', 'count', () => b.deviceGetCountSync()],
    ['napi-floor', 'handle', () => floor.handle(0)],
    ['nvml-mig-sync', 'handle', () => b.deviceGetHandleByIndexSync(0)],
    ['napi-floor', 'name', () => floor.name()],
    ['nvml-mig-sync', 'name', () => b.deviceGetNameSync(h)],
  ];
  const medians = cases.map(() => []);
  for (let round = 0; round < rounds; round++)
    cases.forEach(([, , fn], i) => medians[i].push(measureSync(fn, samples).medianNs));
  const rows = cases.map(([peer, op], i) => {
    const m = medians[i].slice().sort((x, y) => x - y);
    return { peer, op, medianNs: m[m.length >> 1], rounds: m };
  });
  for (const row of rows) console.log(JSON.stringify(row));
  console.log('\n| call | Node-API floor | nvml-mig Sync | difference |\n|---|---|---|---|');
  for (const op of ['noop', 'count', 'handle', 'name']) {
    const f = rows.find((x) => x.peer === 'napi-floor' && x.op === op);
    const s = rows.find((x) => x.peer === 'nvml-mig-sync' && x.op === op);
    console.log(`| ${op} | ${f.medianNs} ns | ${s ? `${s.medianNs} ns` : '–'} | ${s ? `${Math.round(s.medianNs - f.medianNs)} ns` : ''} |`);
  }
  await nvml.shutdown();
});
