'use strict';
// The measurement protocol every Node peer uses; bench/floor.c and bench/peer_ctypes.py do the same
// in their languages. Blocking calls: a batch of K back-to-back calls is one sample (K chosen so
// a batch lasts >= 20 us, keeping the clock's own cost out of sub-microsecond calls), per-call
// time = batch / K, after at least 100 ms of warm-up calls (about what V8 takes to optimise the
// calling loop: with 2 ms, a blocking call on the real H200 measured 535 ns where the same call
// measured again in the same process took 284 ns). Promise calls: each round trip (call →
// resolution seen by the awaiting code) is one sample.

const now = process.hrtime.bigint;

function summarize(perCall, batch, totalNs) {
  const sorted = Float64Array.from(perCall).sort();
  const n = sorted.length;
  return {
    medianNs: round(sorted[n >> 1]),
    p99Ns: round(sorted[Math.min(n - 1, Math.floor(n * 0.99))]),
    meanNs: round(totalNs / batch / n),
    batch,
    samples: n,
  };
}

const round = (x) => Math.round(x * 10) / 10;

function warmup(fn) {
  const t0 = now();
  let calls = 0;
  while (calls < 50 || now() - t0 < 100_000_000n) {
    fn();
    calls++;
    if (now() - t0 > 200_000_000n) break;
  }
  const perCall = Number(now() - t0) / calls;
  return perCall >= 20_000 ? 1 : Math.min(1000, Math.floor(20_000 / perCall) + 1);
}

/** A blocking call, measured in batches. */
function measureSync(fn, samples) {
  const batch = warmup(fn);
  const per = new Float64Array(samples);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    const a = now();
    for (let k = 0; k < batch; k++) fn();
    const d = Number(now() - a);
    total += d;
    per[s] = d / batch;
  }
  return summarize(per, batch, total);
}

/** A promise call at concurrency 1: every round trip timed on its own. */
async function measureAsync(fn, samples) {
  for (let i = 0; i < Math.min(200, samples); i++) await fn();
  const per = new Float64Array(samples);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    const a = now();
    await fn();
    const d = Number(now() - a);
    total += d;
    per[s] = d;
  }
  return summarize(per, 1, total);
}

/** Completed calls per second with `concurrency` calls kept in flight for about `durationMs`. */
async function throughput(fn, concurrency, durationMs) {
  const deadline = now() + BigInt(durationMs) * 1_000_000n;
  let done = 0;
  async function lane() {
    while (now() < deadline) {
      await fn();
      done++;
    }
  }
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = Number(now() - t0) / 1e9;
  return { callsPerSecond: Math.round(done / seconds), concurrency, calls: done, seconds: round(seconds * 1000) / 1000 };
}

module.exports = { measureSync, measureAsync, throughput, summarize, now };
