'use strict';
// This package, measured from the compiled dist/ (no TypeScript or test runner needed):
//   - the raw addon's blocking twins (…Sync) and its promise calls, at concurrency 1 and high;
//   - the public facade's promise calls (argument checks, caller stacks, objects);
//   - the monitoring snapshot (blocking and promise) of every GPU and MIG device;
//   - the longest event-loop stall while slow MIG calls (about 0.5 ms each) run.
//
//   node peer-binding.js <libnvidia-ml.so.1> <samples> <concurrency> <section...>
// sections: calls, throughput, snapshot, snapshot-latency, stall. Prints one JSON object per line.
// snapshot-latency runs under the mock's per-call latencies (bench/run.js sets NVML_MOCK_LATENCY_US
// from a profile in bench/latency/ and names it in BENCH_LATENCY_PROFILE).

const path = require('node:path');
const { createHook } = require('node:async_hooks');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { measureSync, measureAsync, throughput, now } = require('./measure.js');

const root = path.resolve(__dirname, '..');
const { init } = require(path.join(root, 'dist/index.js'));
const { Monitor } = require(path.join(root, 'dist/monitor/monitor.js'));

const [libPath, samplesArg, concurrencyArg, ...sections] = process.argv.slice(2);
const samples = Number(samplesArg);
const concurrency = Number(concurrencyArg);
const onMock = process.env.NVML_REAL !== '1';
const emit = (o) => console.log(JSON.stringify({ peer: 'nvml-mig', ...o }));

async function calls(nvml, b) {
  const h = b.deviceGetHandleByIndexSync(0);
  const dev = await nvml.device(0);
  const sync = {
    count: ['nvmlDeviceGetCount_v2', () => b.deviceGetCountSync()],
    handle: ['nvmlDeviceGetHandleByIndex_v2', () => b.deviceGetHandleByIndexSync(0)],
    name: ['nvmlDeviceGetName', () => b.deviceGetNameSync(h)],
    uuid: ['nvmlDeviceGetUUID', () => b.deviceGetUuidSync(h)],
    memory: [null, () => b.deviceGetMemoryInfoSync(h)],
    migMode: ['nvmlDeviceGetMigMode', () => b.deviceGetMigModeSync(h)],
    // version 1: the same v1 call the floor and the peers make
    giProfile: ['nvmlDeviceGetGpuInstanceProfileInfo', () => b.deviceGetGpuInstanceProfileInfoSync(h, 0, 1)],
    processes: ['nvmlDeviceGetComputeRunningProcesses_v3', () => b.deviceGetComputeRunningProcessesSync(h)],
  };
  const raw = {
    count: () => b.deviceGetCount(),
    handle: () => b.deviceGetHandleByIndex(0),
    name: () => b.deviceGetName(h),
    uuid: () => b.deviceGetUuid(h),
    memory: () => b.deviceGetMemoryInfo(h),
    migMode: () => b.deviceGetMigMode(h),
    // version 1: the same v1 call the floor and the peers make
    giProfile: () => b.deviceGetGpuInstanceProfileInfo(h, 0, 1),
    processes: () => b.deviceGetComputeRunningProcesses(h),
  };
  const facade = {
    count: () => nvml.deviceCount(),
    name: () => dev.name(),
    uuid: () => dev.uuid(),
    memory: () => dev.memoryInfo(),
    migMode: () => dev.migMode(),
    processes: () => dev.computeProcesses(),
  };
  const memSymbol = b.functions().nvmlDeviceGetMemoryInfo ?? 'nvmlDeviceGetMemoryInfo';
  for (const op of ['count', 'handle', 'name', 'uuid', 'memory', 'migMode', 'giProfile', 'processes']) {
    if (sync[op]) emit({ variant: 'sync', op, symbol: sync[op][0] ?? memSymbol, ...measureSync(sync[op][1], samples) });
    emit({ variant: 'promise', op, ...(await measureAsync(raw[op], samples)) });
    if (facade[op]) emit({ variant: 'facade', op, ...(await measureAsync(facade[op], samples)) });
  }
}

async function calls_per_second(nvml, b) {
  const h = b.deviceGetHandleByIndexSync(0);
  const dev = await nvml.device(0);
  for (const c of [1, 16]) {
    emit({ variant: `promise x${c}`, op: 'name', ...(await throughput(() => b.deviceGetName(h), c, 1000)) });
  }
  // The raw promise and the facade at full concurrency in alternating rounds, so that the rest of
  // the machine's load falls on both alike: each row is the median round, the facade's ratio the
  // median of the rounds' facade / promise ratios.
  const rounds = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 3);
  const raw = [];
  const facade = [];
  for (let r = 0; r < rounds; r++) {
    raw.push(await throughput(() => b.deviceGetName(h), concurrency, 1000));
    facade.push(await throughput(() => dev.name(), concurrency, 1000));
  }
  const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
  const medianRound = (rs) => rs.find((r) => r.callsPerSecond === median(rs.map((x) => x.callsPerSecond)));
  const ratios = facade.map((f, i) => f.callsPerSecond / raw[i].callsPerSecond);
  const rawMedian = medianRound(raw);
  emit({ variant: `promise x${concurrency}`, op: 'name', ...rawMedian, rounds, roundsCallsPerSecond: raw.map((r) => r.callsPerSecond) });
  emit({
    variant: `facade x${concurrency}`,
    op: 'name',
    ...medianRound(facade),
    rounds,
    roundsCallsPerSecond: facade.map((r) => r.callsPerSecond),
    // facade / raw promise at the same concurrency, median of the rounds (the target: >= 0.5)
    ratioToPromise: Math.round(median(ratios) * 1000) / 1000,
    roundsRatioToPromise: ratios.map((x) => Math.round(x * 1000) / 1000),
  });
  // The blocking twin, for scale: one thread, back to back.
  const t0 = now();
  let n = 0;
  while (now() - t0 < 500_000_000n) {
    for (let i = 0; i < 1000; i++) b.deviceGetNameSync(h);
    n += 1000;
  }
  emit({ variant: 'sync', op: 'name', callsPerSecond: Math.round(n / (Number(now() - t0) / 1e9)), concurrency: 1, calls: n });
}

/** Enables MIG and creates `perGpu` 1-slice GPU instances with one compute instance each, on every GPU (mock only). */
async function fillMig(nvml, perGpu) {
  for (const dev of await nvml.devices()) {
    await dev.setMigMode(true);
    const gp = await dev.gpuInstanceProfile(0);
    for (let i = 0; i < perGpu; i++) {
      const gi = await dev.createGpuInstance(gp.id);
      const cp = await gi.computeInstanceProfile(0);
      await gi.createComputeInstance(cp.id);
    }
  }
}

async function snapshot(nvml, b) {
  const monitor = new Monitor(nvml);
  const first = await monitor.snapshot();
  const gpus = first.gpus.length;
  const migDevices = first.gpus.reduce((n, g) => n + g.migDevices.length, 0);
  const shape = { gpus, migDevices, gpuInstances: first.gpus.reduce((n, g) => n + g.gpuInstances.length, 0) };
  let nvmlCalls = null;
  if (onMock) {
    await nvml.mockControl({ cmd: 'clearCallLog' });
    b.snapshotSync();
    nvmlCalls = (await nvml.mockControl({ cmd: 'callLog' })).calls.filter((c) => c.fn !== 'nvmlMockControl').length;
  }
  // The native read alone (NVML calls + copying into C++ structs), as the addon times it.
  const readNs = [];
  const rawSync = measureSync(() => {
    const r = b.snapshotSync();
    readNs.push(Number(r.finishedNs - r.startedNs));
  }, samples);
  readNs.sort((x, y) => x - y);
  const readMedian = readNs[readNs.length >> 1];
  emit({ variant: 'raw snapshotSync', op: 'snapshot', ...shape, nvmlCalls, nativeReadMedianNs: readMedian, ...rawSync });
  emit({ variant: 'snapshotSync', op: 'snapshot', ...shape, nativeReadMedianNs: readMedian, ...measureSync(() => monitor.snapshotSync(), samples) });
  emit({ variant: 'snapshot', op: 'snapshot', ...shape, nativeReadMedianNs: readMedian, ...(await measureAsync(() => monitor.snapshot(), samples)) });
  // The conversion into typed objects on its own, from one raw snapshot.
  const { fromRaw } = require(path.join(root, 'dist/monitor/snapshot.js'));
  const raw = b.snapshotSync();
  emit({ variant: 'fromRaw (JS conversion only)', op: 'snapshot', ...shape, ...measureSync(() => fromRaw(raw, () => '1g.10gb', 0), samples) });
}

/**
 * The snapshot a polling agent takes, under a real driver's per-call latencies (set in the
 * environment): the first (the static tables read and cached), the steady state, and the steady
 * state reading BENCH_PARALLEL_GPUS GPUs at once. NVML calls per snapshot from the mock's call log.
 */
async function snapshotLatency(nvml) {
  const latencyProfile = process.env.BENCH_LATENCY_PROFILE ?? null;
  const parallelGpus = Number(process.env.BENCH_PARALLEL_GPUS ?? 8);
  const latencyOverlap = process.env.NVML_MOCK_LATENCY_OVERLAP !== '0';
  const seq = new Monitor(nvml, { activity: false });
  const par = new Monitor(nvml, { activity: false, parallelGpus });
  const callsOf = async (fn) => {
    await nvml.mockControl({ cmd: 'clearCallLog' });
    const t0 = now();
    const r = await fn();
    const ns = Number(now() - t0);
    const calls = (await nvml.mockControl({ cmd: 'callLog' })).calls.filter((c) => c.fn !== 'nvmlMockControl').length;
    return { r, ns, calls };
  };
  const first = await callsOf(() => seq.snapshot());
  const shape = {
    latencyProfile,
    latencyOverlap,
    gpus: first.r.gpus.length,
    migDevices: first.r.gpus.reduce((n, g) => n + g.migDevices.length, 0),
  };
  emit({ variant: 'snapshot, first (reads and caches the static tables)', op: 'snapshot-latency', ...shape, parallelGpus: 1, medianNs: first.ns, samples: 1, nvmlCalls: first.calls });
  for (const [variant, monitor, n] of [
    ['snapshot, steady state', seq, 1],
    [`snapshot, steady state, parallelGpus ${parallelGpus}`, par, parallelGpus],
  ]) {
    const { calls } = await callsOf(() => monitor.snapshot());
    const per = [];
    for (let i = 0; i < samples; i++) {
      const t0 = now();
      await monitor.snapshot();
      per.push(Number(now() - t0));
    }
    per.sort((x, y) => x - y);
    emit({ variant, op: 'snapshot-latency', ...shape, parallelGpus: n, medianNs: per[per.length >> 1], minNs: per[0], maxNs: per[per.length - 1], samples, nvmlCalls: calls });
  }
}

/** Event-loop delay with nothing else running, then while slow MIG calls run off the JS thread. */
async function stall(nvml, b) {
  const h = b.deviceGetHandleByIndexSync(0);
  const fn = 'nvmlDeviceGetGpuInstanceProfileInfo';
  if (onMock) await nvml.mockControl({ cmd: 'setLatency', fn, us: 500 });
  // The JS thread's own work for one call, in its two parts: issuing it (the synchronous part of
  // the call: argument checks, queueing) and completing it (async_hooks before → after around the
  // addon's completion callback: building the result, resolving the promise). These are what the
  // binding costs the event loop, free of the rest of the machine's noise that the loop-delay
  // histogram also sees.
  let issue = [];
  let complete = [];
  const started = new Map();
  const hook = createHook({
    init(id, type) {
      if (type === 'nvml-mig') started.set(id, 0n);
    },
    before(id) {
      if (started.has(id)) started.set(id, now());
    },
    after(id) {
      const t0 = started.get(id);
      if (t0) complete.push(Number(now() - t0));
      started.delete(id);
    },
  });
  const call = () => {
    const t0 = now();
    const p = b.deviceGetGpuInstanceProfileInfo(h, 0, 1);
    issue.push(Number(now() - t0));
    return p;
  };
  const t = now();
  await call();
  const oneCallNs = Number(now() - t);

  const tail = (xs) => {
    if (xs.length === 0) return { maxNs: null, p99Ns: null };
    const sorted = Float64Array.from(xs).sort();
    return { maxNs: sorted[sorted.length - 1], p99Ns: sorted[Math.floor((sorted.length - 1) * 0.99)] };
  };
  async function observe(load) {
    issue = [];
    complete = [];
    hook.enable();
    const hist = monitorEventLoopDelay({ resolution: 1 });
    // The gap between consecutive setImmediate turns: a finer view of the same stalls.
    let maxGap = 0;
    let last = now();
    let spinning = true;
    const spin = () => {
      const t1 = now();
      const gap = Number(t1 - last);
      if (gap > maxGap) maxGap = gap;
      last = t1;
      if (spinning) setImmediate(spin);
    };
    hist.enable();
    setImmediate(spin);
    const calls = await load();
    spinning = false;
    hist.disable();
    hook.disable();
    const is = tail(issue);
    const co = tail(complete);
    return {
      calls,
      maxDelayNs: hist.max,
      p99DelayNs: hist.percentile(99),
      maxImmediateGapNs: maxGap,
      issueMaxNs: is.maxNs,
      issueP99Ns: is.p99Ns,
      completeMaxNs: co.maxNs,
      completeP99Ns: co.p99Ns,
    };
  }
  const seconds = (body) => async () => {
    const until = now() + 1_000_000_000n;
    let n = 0;
    await body(until, () => n++);
    return n;
  };
  const lanes = Math.min(concurrency, 64);
  const loads = {
    'idle loop (baseline)': () => new Promise((r) => setTimeout(() => r(0), 1000)),
    'promise MIG calls x1': seconds(async (until, count) => {
      while (now() < until) {
        await call();
        count();
      }
    }),
    [`promise MIG calls x${lanes}`]: seconds((until, count) =>
      Promise.all(
        Array.from({ length: lanes }, async () => {
          while (now() < until) {
            await call();
            count();
          }
        }),
      ),
    ),
  };
  // Rounds interleave the loads so that noise from the rest of the machine hits each alike; the
  // median over rounds is reported.
  const rounds = Number(process.env.BENCH_STALL_ROUNDS ?? 3);
  const seen = Object.fromEntries(Object.keys(loads).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const [label, load] of Object.entries(loads)) seen[label].push(await observe(load));
  const med = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  for (const [label, obs] of Object.entries(seen)) {
    emit({
      variant: label,
      op: 'stall',
      rounds,
      calls: med(obs.map((o) => o.calls)),
      oneCallNs,
      maxDelayNs: med(obs.map((o) => o.maxDelayNs)),
      p99DelayNs: med(obs.map((o) => o.p99DelayNs)),
      maxImmediateGapNs: med(obs.map((o) => o.maxImmediateGapNs)),
      ...(obs[0].issueMaxNs === null
        ? {}
        : {
            issueMaxNs: Math.max(...obs.map((o) => o.issueMaxNs)),
            issueP99Ns: med(obs.map((o) => o.issueP99Ns)),
            completeMaxNs: Math.max(...obs.map((o) => o.completeMaxNs)),
            completeP99Ns: med(obs.map((o) => o.completeP99Ns)),
          }),
    });
  }
  // For contrast: a blocking call of the same latency on the JS thread (deviceGetMigModeSync).
  if (onMock) await nvml.mockControl({ cmd: 'setLatency', fn: 'nvmlDeviceGetMigMode', us: 500 });
  const blocking = await observe(async () => {
    for (let i = 0; i < 20; i++) {
      b.deviceGetMigModeSync(h);
      await new Promise((r) => setImmediate(r));
    }
    return 20;
  });
  emit({ variant: 'blocking MIG calls (migModeSync), for contrast', op: 'stall', rounds: 1, oneCallNs, ...blocking });
  if (onMock) await nvml.mockControl({ cmd: 'setLatency', fn: '*', us: 0 });
}

const SECTIONS = { calls, throughput: calls_per_second, snapshot, 'snapshot-latency': snapshotLatency, stall };

(async () => {
  const nvml = await init({ libraryPath: libPath, readOnly: !onMock });
  const b = nvml._session.binding;
  if ((sections.includes('snapshot') || sections.includes('snapshot-latency')) && onMock) await fillMig(nvml, Number(process.env.BENCH_MIG_PER_GPU ?? 7));
  for (const s of sections) await SECTIONS[s](nvml, b);
  await nvml.shutdown();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
