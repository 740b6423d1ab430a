#!/usr/bin/env node
'use strict';
// `npm run bench`: every peer against the same libnvidia-ml.so.1 in one run, side by side.
//
//   node bench/run.js [--lib PATH] [--out DIR] [--samples N] [--concurrency N] [--quick]
//                     [--latency-profile NAME] [--latency-only]
// (--latency-only: the MIG node snapshot under latencies alone.)
//
// Default library: the bundled mock (build/Release/mock/libnvidia-ml.so.1), as an 8-GPU H100
// machine. NVML_REAL=1: the system's libnvidia-ml.so.1, read-only calls only (the interlock is on,
// no MIG layout is created, the mock's latency injection is skipped) and nvidia-smi is a peer.
// On the mock, the MIG node snapshot is also measured under a real driver's per-call latencies
// (bench/latency/NAME.json, default hopper-580): a C loop, and this package's snapshot.
// Prints a markdown table and writes bench/out/results.json and results.md. Measures; asserts nothing.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { OPS, PER_CALL_COLUMNS, fmt } = require('./report.js');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const real = process.env.NVML_REAL === '1';
const quick = args.includes('--quick');
const lib = opt('--lib', real ? 'libnvidia-ml.so.1' : path.join(root, 'build/Release/mock/libnvidia-ml.so.1'));
const outDir = path.resolve(opt('--out', path.join(root, 'bench/out')));
const samples = Number(opt('--samples', quick ? 100 : 400));
const concurrency = Number(opt('--concurrency', 256));
const latencyProfileName = opt('--latency-profile', 'hopper-580');
const latencyOnly = args.includes('--latency-only');
const migPerGpu = process.env.BENCH_MIG_PER_GPU ?? '7';
const node = process.execPath;
fs.mkdirSync(outDir, { recursive: true });

const env = {
  ...process.env,
  NVML_MOCK_MACHINE: process.env.NVML_MOCK_MACHINE ?? 'h100-80gb:8',
  // pynvml opens "libnvidia-ml.so.1" by name.
  ...(real ? {} : { LD_LIBRARY_PATH: [path.dirname(lib), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }),
};
delete env.NVML_MOCK_STATE; // each peer keeps its own in-process state: a state file would add file I/O to every call
delete env.NVML_MOCK_LATENCY_US;
if (real) env.NVML_MIG_READONLY = '1';

const results = [];
const notes = [];
const log = (s) => process.stderr.write(`bench: ${s}\n`);

// `map` rewrites each result row (to tag the rows of a run).
function runPeer(label, cmd, argv, extraEnv = {}, map = (row) => row) {
  if (latencyOnly && !label.includes('under latencies')) return;
  log(`${label} …`);
  const r = spawnSync(cmd, argv, { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
    notes.push(`${label}: not measured (${why || `exit ${r.status}`})`);
    log(`${label} failed: ${why}`);
  }
  for (const line of (r.stdout || '').split('\n')) {
    if (line.startsWith('{')) results.push(map(JSON.parse(line)));
  }
}


// ---- the C floor, compiled now ----
// Built outside the output folder, which holds only results.
const floorBin = path.join(os.tmpdir(), `nvml-mig-bench-floor-${process.pid}`);
try {
  execFileSync(process.env.CC || 'cc', ['-O2', '-I', path.join(root, 'native'), path.join(__dirname, 'floor.c'), '-ldl', '-o', floorBin], {
    stdio: 'inherit',
  });
  runPeer('C floor', floorBin, [lib, '--samples', String(samples), ...OPS]);
  const walkArgs = real ? [] : ['--setup-mig', migPerGpu];
  runPeer('C floor snapshot walk', floorBin, [lib, '--samples', String(Math.min(samples, 200)), ...walkArgs, 'snapshot']);
} catch (e) {
  notes.push(`C floor: not compiled (${e.message})`);
}

// ---- polling a MIG node under a real driver's per-call latencies (mock only) ----
// The C loop reads what a poller that keeps nothing between walks reads (the GI and CI profile
// tables included), and, for scale, the same walk with those tables cached. Few samples: a walk
// takes from a tenth of a second to most of one.
const latencySamples = String(quick ? 3 : 7);
if (!real) {
  const { loadProfile, latencyEnv } = require('./latency/index.js');
  const profile = loadProfile(latencyProfileName);
  const latEnv = { NVML_MOCK_LATENCY_US: latencyEnv(profile), BENCH_LATENCY_PROFILE: profile.name };
  const floorVariant = { 'snapshot-naive': 'C loop, every read on every walk (static tables too)', snapshot: 'C loop, static tables read once' };
  if (fs.existsSync(floorBin)) {
    runPeer('C loop under latencies', floorBin, [lib, '--samples', latencySamples, '--setup-mig', migPerGpu, 'snapshot-naive', 'snapshot'], latEnv, (r) => ({
      ...r,
      op: 'snapshot-latency',
      variant: floorVariant[r.op],
      walk: r.op,
      latencyProfile: profile.name,
      latencyOverlap: true,
    }));
  }
  const peer = [path.join(__dirname, 'peer-binding.js'), lib, latencySamples, '1', 'snapshot-latency'];
  runPeer('nvml-mig snapshot under latencies', node, peer, latEnv);
  // The same with the mock taking one delayed call at a time: a driver where calls on different GPUs do not overlap.
  runPeer('nvml-mig snapshot under latencies, calls not overlapping', node, peer, { ...latEnv, NVML_MOCK_LATENCY_OVERLAP: '0' });
}

// ---- this package ----
const s = String(samples);
const c = String(concurrency);
runPeer('nvml-mig calls', node, [path.join(__dirname, 'peer-binding.js'), lib, s, c, 'calls', 'throughput']);
runPeer('nvml-mig snapshot', node, [path.join(__dirname, 'peer-binding.js'), lib, String(Math.min(samples, 200)), c, 'snapshot']);
runPeer('nvml-mig stall', node, [path.join(__dirname, 'peer-binding.js'), lib, s, c, 'stall']);

// ---- peers ----
runPeer('koffi', node, [path.join(__dirname, 'peer-koffi.js'), lib, s, c, ...OPS]);
runPeer('python ctypes', process.env.PYTHON || 'python3', [path.join(__dirname, 'peer_ctypes.py'), lib, s, ...OPS]);

// ---- nvidia-smi, what Node packages spawn today (only where a real driver is) ----
function nvidiaSmi() {
  const probe = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    notes.push('nvidia-smi: not on this machine (no real driver), not measured');
    return;
  }
  const q = ['--query-gpu=name,uuid,memory.used,memory.total,mig.mode.current', '--format=csv,noheader'];
  const per = [];
  for (let i = 0; i < (quick ? 5 : 20); i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('nvidia-smi', q, { encoding: 'utf8' });
    if (r.status !== 0) break;
    per.push(Number(process.hrtime.bigint() - t0));
  }
  per.sort((a, b) => a - b);
  if (per.length) {
    const p99 = per[Math.min(per.length - 1, Math.floor(per.length * 0.99))];
    results.push({ peer: 'nvidia-smi', variant: 'spawn', op: 'query-gpu', symbol: q.join(' '), medianNs: per[per.length >> 1], p99Ns: p99, samples: per.length });
  }
}
if (!latencyOnly) nvidiaSmi();

// ---- report ----
const find = (pred) => results.find(pred);
const cell = (r) => (r ? `${fmt(r.medianNs)} / ${fmt(r.p99Ns)}` : '–');
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model;
const machine = {
  date: new Date().toISOString(),
  host: os.hostname(),
  cores: os.cpus().length,
  cpu,
  node: process.version,
  library: lib,
  mock: real ? null : env.NVML_MOCK_MACHINE,
  loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
};
let driver = null;
try {
  driver = execFileSync(node, ['-e', `require(${JSON.stringify(path.join(root, 'dist/index.js'))}).init({libraryPath:${JSON.stringify(lib)},readOnly:true}).then(async n=>{console.log(await n.driverVersion());await n.shutdown()})`], { env, encoding: 'utf8' }).trim();
} catch {
  // reported as unknown
}
machine.driver = driver;

const md = [];
md.push(`Run ${machine.date} · ${machine.cores} cores, ${machine.cpu} · Node ${machine.node} · driver ${driver ?? '?'} · ${real ? 'real libnvidia-ml.so.1' : `mock ${machine.mock}`} · load average at the end ${machine.loadavg.join(' ')}`);
md.push('');
md.push('### Per-call latency, median / p99 (blocking peers: per call in batches; promise peers: each round trip)');
md.push('');
md.push(`| call | ${PER_CALL_COLUMNS.map(([title]) => title).join(' | ')} |`);
md.push(`|---|${PER_CALL_COLUMNS.map(() => '---').join('|')}|`);
for (const op of OPS) {
  const floor = find((r) => r.peer === 'c-floor' && r.op === op);
  const label = `${op} (${floor?.symbol ?? find((r) => r.op === op && r.symbol)?.symbol ?? op})`;
  md.push(`| ${[label, ...PER_CALL_COLUMNS.map(([, shows]) => cell(find((r) => r.op === op && shows(r))))].join(' | ')} |`);
}
const smi = find((r) => r.peer === 'nvidia-smi');
if (smi) md.push(`| spawn \`nvidia-smi --query-gpu=… --format=csv\` | | | | | | | | ${cell(smi)} |`);
md.push('');
md.push('### Throughput (nvmlDeviceGetName, calls per second)');
md.push('');
md.push('| peer | calls/s | vs nvml-mig promise at the same concurrency |');
md.push('|---|---|---|');
for (const r of results.filter((x) => x.callsPerSecond !== undefined && x.op === 'name')) {
  const vs = r.ratioToPromise != null ? `${r.ratioToPromise.toFixed(2)} (median of ${r.rounds} alternating rounds: ${r.roundsRatioToPromise.map((x) => x.toFixed(2)).join(', ')})` : '';
  md.push(`| ${r.peer} ${r.variant} | ${r.callsPerSecond.toLocaleString('en-US')} | ${vs} |`);
}
md.push('');
md.push('### Snapshot of every GPU and MIG device');
md.push('');
md.push('| variant | GPUs × MIG devices | median / p99 | native read (median) | NVML calls |');
md.push('|---|---|---|---|---|');
const walk = find((r) => r.peer === 'c-floor' && r.op === 'snapshot');
if (walk) md.push(`| C floor: the same reads in a C loop (${walk.symbol}) | | ${cell(walk)} | | |`);
for (const r of results.filter((x) => x.peer === 'nvml-mig' && x.op === 'snapshot')) {
  md.push(`| ${r.variant} | ${r.gpus} × ${r.migDevices} | ${cell(r)} | ${fmt(r.nativeReadMedianNs)} | ${r.nvmlCalls ?? ''} |`);
  if (r.variant === 'raw snapshotSync') {
    md.push(`| ↳ of which the addon turning its C++ structs into JS values (raw − native read) | | ${fmt(r.medianNs - r.nativeReadMedianNs)} | | |`);
  }
}
const latStart = md.length;
const latRows = results.filter((x) => x.op === 'snapshot-latency');
const naive = latRows.find((r) => r.peer === 'c-floor' && r.walk === 'snapshot-naive');
if (latRows.length) {
  md.push('');
  md.push(`### Polling a MIG node under the ${latencyProfileName} latency profile (each NVML call as slow as on the real driver after a pause)`);
  md.push('');
  md.push('| peer | variant | GPUs × MIG devices | calls of different GPUs overlap | NVML calls | median | ÷ C loop (every read) | target |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of latRows) {
    const ratio = naive ? r.medianNs / naive.medianNs : null;
    const isTarget = r.peer === 'nvml-mig' && r.parallelGpus === 1 && /steady/.test(r.variant);
    const verdict = isTarget && ratio != null ? `≤ 0.25: ${ratio <= 0.25 ? 'met' : 'missed'}` : '';
    const overlap = r.parallelGpus > 1 ? (r.latencyOverlap ? 'yes' : 'no (one call at a time)') : '';
    md.push(`| ${r.peer} | ${r.variant} | ${r.gpus} × ${r.migDevices} | ${overlap} | ${r.nvmlCalls ?? ''} | ${fmt(r.medianNs)} | ${ratio == null ? '–' : ratio.toFixed(3)} | ${verdict} |`);
  }
}
const latEnd = md.length;
md.push('');
md.push('### Event-loop stalls while MIG calls run');
md.push('');
md.push('JS-thread time the binding takes per call (max over all rounds / p99): issuing the call, and completing it (async_hooks around the');
md.push('addon\'s completion callback). The loop-delay columns (median of rounds) also carry whatever else the machine was doing.');
md.push('');
md.push('| load | calls | one call | issue max / p99 | completion max / p99 | loop delay max / p99 | max setImmediate gap |');
md.push('|---|---|---|---|---|---|---|');
for (const r of results.filter((x) => x.op === 'stall')) {
  const pair = (a, b) => (a == null ? '–' : `${fmt(a)} / ${fmt(b)}`);
  md.push(`| ${r.variant} | ${r.calls} | ${fmt(r.oneCallNs)} | ${pair(r.issueMaxNs, r.issueP99Ns)} | ${pair(r.completeMaxNs, r.completeP99Ns)} | ${pair(r.maxDelayNs, r.p99DelayNs)} | ${fmt(r.maxImmediateGapNs)} |`);
}

// ---- against the targets ----
const t = [];
const sync = (op) => find((r) => r.peer === 'nvml-mig' && r.variant === 'sync' && r.op === op);
const floorOf = (op) => find((r) => r.peer === 'c-floor' && r.op === op);
for (const op of OPS) {
  const a = sync(op);
  const f = floorOf(op);
  if (!a || !f) continue;
  if (op === 'processes') {
    // A system call into the driver: its cost varies more than 150 ns from run to run.
    const ratio = a.medianNs / f.medianNs;
    t.push(`| blocking ${op}: within 10% of the C floor | ${fmt(a.medianNs)} vs ${fmt(f.medianNs)} (${(ratio * 100 - 100).toFixed(1)}%) | ${ratio <= 1.1 ? 'met' : 'missed'} |`);
  } else {
    const over = a.medianNs - f.medianNs;
    t.push(`| blocking ${op}: overhead over the C floor ≤ 150 ns | ${fmt(over)} | ${over <= 150 ? 'met' : 'missed'} |`);
  }
}
// Every variant of this binding at least as fast as the same call through each peer of its kind:
// blocking against koffi's sync calls, Python ctypes and pynvml; promise and facade against koffi's
// async calls (each a round trip through a worker thread).
const PEERS_OF = {
  sync: [['koffi', 'sync'], ['python-ctypes', undefined], ['pynvml', undefined]],
  promise: [['koffi', 'async']],
  facade: [['koffi', 'async']],
};
for (const [variant, peers] of Object.entries(PEERS_OF)) {
  for (const op of OPS) {
    const a = find((r) => r.peer === 'nvml-mig' && r.variant === variant && r.op === op);
    if (!a) continue;
    for (const [peer, pv] of peers) {
      const p = find((r) => r.peer === peer && r.variant === pv && r.op === op);
      if (p) t.push(`| ${variant} ${op}: at least as fast as ${peer}${pv ? ` ${pv}` : ''} | ${fmt(a.medianNs)} vs ${fmt(p.medianNs)} | ${a.medianNs <= p.medianNs ? 'met' : 'missed'} |`);
    }
  }
}
const rt = find((r) => r.peer === 'nvml-mig' && r.variant === 'promise' && r.op === 'name');
if (rt) t.push(`| promise round trip ≤ 15 µs (name) | ${fmt(rt.medianNs)} median, ${fmt(rt.p99Ns)} p99 | ${rt.medianNs <= 15000 ? 'met' : 'missed'} |`);
const tp = results.filter((r) => r.peer === 'nvml-mig' && /^promise x/.test(r.variant ?? '')).sort((a, b) => b.callsPerSecond - a.callsPerSecond)[0];
if (tp) t.push(`| ≥ 300,000 promise calls/s under concurrency (${os.cpus().length} cores) | ${tp.callsPerSecond.toLocaleString('en-US')} (${tp.variant}) | ${tp.callsPerSecond >= 300000 ? 'met' : 'missed'} |`);
const fc = find((r) => r.peer === 'nvml-mig' && /^facade x/.test(r.variant ?? '') && r.ratioToPromise != null);
if (fc) {
  const pr = find((r) => r.peer === 'nvml-mig' && r.variant === `promise x${fc.concurrency}` && r.op === fc.op);
  t.push(`| facade ≥ half the raw promise's throughput (${fc.variant} / promise x${fc.concurrency}) | ${fc.ratioToPromise.toFixed(2)} (${fc.callsPerSecond.toLocaleString('en-US')} vs ${pr ? pr.callsPerSecond.toLocaleString('en-US') : '?'} calls/s) | ${fc.ratioToPromise >= 0.5 ? 'met' : 'missed'} |`);
}
for (const r of results.filter((x) => x.op === 'stall' && /^promise/.test(x.variant) && x.completeMaxNs != null)) {
  // Wall-clock time: a rare maximum can be the OS running something else in the middle of a call
  // (see the idle baseline row), a cost of the binding's own shows in the p99 of every call.
  const worst = Math.max(r.issueMaxNs, r.completeMaxNs);
  const p99 = Math.max(r.issueP99Ns, r.completeP99Ns);
  const verdict = worst <= 50000 ? 'met' : p99 <= 50000 ? 'met at p99; the max is a wall-clock outlier (compare the idle baseline)' : 'missed';
  t.push(`| no stall > 50 µs caused by the binding (${r.variant}; issue or completion, p99 / max) | ${fmt(p99)} / ${fmt(worst)} | ${verdict} |`);
}
const snapSync = find((r) => r.peer === 'nvml-mig' && r.variant === 'snapshotSync');
if (snapSync && walk) {
  const beyond = snapSync.medianNs - walk.medianNs;
  const raw = find((r) => r.peer === 'nvml-mig' && r.variant === 'raw snapshotSync');
  const conv = find((r) => r.peer === 'nvml-mig' && /^fromRaw/.test(r.variant));
  const parts = raw && conv
    ? ` (its parts, each measured on its own: native read over the C walk ${fmt(raw.nativeReadMedianNs - walk.medianNs)}, the addon building JS values ${fmt(raw.medianNs - raw.nativeReadMedianNs)}, typed objects ${fmt(conv.medianNs)})`
    : '';
  t.push(`| snapshot ${snapSync.gpus}×${Math.round(snapSync.migDevices / Math.max(1, snapSync.gpus))} under 200 µs beyond the NVML calls (snapshotSync − C walk) | ${fmt(beyond)}${parts} | ${beyond <= 200000 ? 'met' : 'missed'} |`);
}
const steady = latRows.find((r) => r.peer === 'nvml-mig' && r.parallelGpus === 1 && r.latencyOverlap && /steady/.test(r.variant));
if (steady && naive) {
  const ratio = steady.medianNs / naive.medianNs;
  t.push(`| snapshot ${steady.gpus}×${Math.round(steady.migDevices / Math.max(1, steady.gpus))} under ${latencyProfileName} latencies ≤ 0.25 of the C loop making every read (GPUs one after another) | ${fmt(steady.medianNs)} vs ${fmt(naive.medianNs)}: ${ratio.toFixed(3)} | ${ratio <= 0.25 ? 'met' : 'missed'} |`);
}
// --latency-only: the run line, the latency section, the targets and the notes (the other tables are empty).
if (latencyOnly) md.splice(2, md.length - 2, ...md.slice(latStart + 1, latEnd));
if (t.length) {
  md.push('');
  md.push('### Against the targets');
  md.push('');
  md.push('| target | measured | |');
  md.push('|---|---|---|');
  md.push(...t);
}
if (notes.length) {
  md.push('');
  for (const n of notes) md.push(`- ${n}`);
}

const text = md.join('\n') + '\n';
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({ machine, results, notes }, null, 2));
fs.writeFileSync(path.join(outDir, 'results.md'), text);
process.stdout.write(text);
