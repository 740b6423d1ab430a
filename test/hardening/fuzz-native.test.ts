// Hostile input into the raw native surface (the object lib/binding.ts loads): every function with
// random and hostile arguments, live handles of every kind in every position (wrong kinds), stale
// handles from before a close(), random JSON into the mock's control channel, open()/close() in
// the middle. Only a value, TypeError, RangeError or NvmlError may come back, and every promise
// settles. HARDENING_RUNS raises the case count (scripts/hardening/fuzz.sh).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import type { NativeBinding } from '../../dist/native.js';
import { MOCK, Tally, hostileArg, materialize, limit, outcome, runs, seed } from './helpers';

class RawNvmlError extends Error {
  constructor(readonly code: string, readonly nvmlReturn: number | null, readonly fn: string | null, message?: string) {
    super(message ?? code);
  }
}
const isRawError = (e: unknown) => e instanceof RawNvmlError;

const b: NativeBinding = loadBinding();
b.setErrorClass(RawNvmlError);

async function control(req: object): Promise<any> {
  return JSON.parse(await b.mockControl(JSON.stringify(req)));
}

interface Fixture {
  device: number;
  migDevice: number;
  gi: number;
  ci: number;
  eventSet: number;
}

let live: Fixture;
let stale: number[] = [];

/** Open (if closed) and build a fresh MIG layout on the mock: one handle of every kind. */
async function fixture(): Promise<void> {
  if (b.pendingCalls() > 0 || !b.isOpen()) {
    // A fuzzed close() may be in flight: wait for it, then open again.
    await b.close().catch(() => undefined);
    await b.open(MOCK, 0, false);
  }
  b.setReadOnly(false);
  await control({ cmd: 'reset', machine: 'h100-80gb' });
  const device = await b.deviceGetHandleByIndex(0);
  await b.deviceSetMigMode(device, 1);
  const gi = await b.deviceCreateGpuInstance(device, 19);
  const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
  const migDevice = await b.deviceGetMigDeviceHandleByIndex(device, 0);
  const eventSet = await b.eventSetCreate();
  live = { device, migDevice, gi, ci, eventSet };
}

beforeAll(async () => {
  process.env.NVML_MOCK_MACHINE = 'h100-80gb';
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  await b.open(MOCK, 0, false);
  await fixture();
  // Handles of every kind from before a close(): stale forever after.
  stale = Object.values(live);
  await b.eventSetFree(live.eventSet);
  await b.close();
  await b.open(MOCK, 0, false);
  await fixture();
});

afterAll(async () => {
  await b.close().catch(() => undefined);
});

// Functions fuzzed separately or not at all: setErrorClass would swap the class every later
// error is built with (checked below with non-constructors only).
const SKIP = new Set(['setErrorClass']);
const FUNCTIONS = Object.keys(b).filter((k) => typeof (b as any)[k] === 'function' && !SKIP.has(k)).sort();
const MUTATING = /^(open|close|setReadOnly|deviceSetMigMode|deviceCreateGpuInstance|gpuInstanceDestroy|gpuInstanceCreateComputeInstance|computeInstanceDestroy|eventSetFree|mockControl)/;

const liveHandle = fc.constantFrom<keyof Fixture>('device', 'migDevice', 'gi', 'ci', 'eventSet').map((k) => live[k]);
const staleHandle = fc.integer({ min: 0, max: 4 }).map((i) => stale[i]);
const jsonish = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.constantFrom('[', '{"cmd":', '{"cmd":"state"', '{"cmd":"nope"}', '{"cmd":"reset","machine":"a100-40gb:99999"}',
    '{"cmd":"setFault","fn":"nvmlDeviceGetName","code":-5}', '{"cmd":"addProcess","gpu":4294967296,"pid":-1}',
    '{"cmd":"gpuReset","gpu":1e400}', '"\\ud800"', '[' .repeat(100_000), '{"a":' + '1'.repeat(5000) + '}', '\u0000'),
  fc.constant(null).map(() => JSON.stringify({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 999, nth: 1 })),
);
const arg = fc.oneof(
  { weight: 5, arbitrary: hostileArg },
  { weight: 4, arbitrary: liveHandle },
  { weight: 1, arbitrary: staleHandle },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 1, arbitrary: fc.record({ start: fc.integer({ min: 0, max: 9 }), size: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: jsonish },
  { weight: 1, arbitrary: fc.constantFrom(MOCK, '/nonexistent/libnvidia-ml.so.1', '/etc/passwd', 'libc.so.6', '/usr/local/cuda/lib64/stubs/libnvidia-ml.so') },
);

// eventSetWait blocks a pool thread for up to timeoutMs by contract: keep fuzzed waits short so
// a large random timeout is not mistaken for a hang.
function tame(name: string, args: unknown[]): unknown[] {
  const out = materialize(args);
  if (name === 'eventSetWait' && typeof out[1] === 'number' && out[1] > 20) out[1] = 20;
  return out;
}

describe('raw native surface under hostile arguments', () => {
  it(`covers every exported function (${FUNCTIONS.length})`, () => {
    expect(FUNCTIONS.length).toBeGreaterThan(60);
    expect(FUNCTIONS).toContain('snapshotSync');
  }, limit());

  it('single calls: value, TypeError, RangeError or NvmlError; every promise settles', async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FUNCTIONS), fc.array(arg, { maxLength: 4 }), async (name, args) => {
        const o = await outcome(() => (b as any)[name](...tame(name, args)), isRawError);
        tally.add(o);
        if (MUTATING.test(name) || !b.isOpen()) await fixture();
      }),
      { numRuns: runs(1500), seed: seed() },
    );
    console.log(tally.line('fuzz-native single'));
    // The cases reached both sides of the contract: calls that answered, and each kind of refusal.
    for (const kind of ['ok', 'TypeError', 'RangeError', 'NvmlError']) expect(tally.counts[kind] ?? 0, `${kind} outcomes`).toBeGreaterThan(0);
  }, limit());

  it('bursts of concurrent hostile calls, then the library still answers', async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...FUNCTIONS.filter((f) => !/^(open|close)$/.test(f))), fc.array(arg, { maxLength: 3 })), { minLength: 5, maxLength: 40 }),
        async (calls) => {
          const outcomes = await Promise.all(calls.map(([name, args]) => outcome(() => (b as any)[name](...tame(name, args)), isRawError)));
          outcomes.forEach((o) => tally.add(o));
          await fixture();
          expect(await b.deviceGetCount()).toBe(1);
          expect(b.pendingCalls()).toBe(0);
        },
      ),
      { numRuns: runs(150), seed: seed() },
    );
    console.log(tally.line('fuzz-native bursts'));
  }, limit());

  it('setErrorClass refuses what is not a constructor', async () => {
    for (const v of [undefined, null, 1, 'NvmlError', {}, Symbol('x'), 1n]) {
      expect(() => (b.setErrorClass as any)(v)).toThrow(TypeError);
    }
    // The class in force is still ours.
    const e = await b.deviceGetHandleByIndex(99).catch((x) => x);
    expect(e).toBeInstanceOf(RawNvmlError);
    expect(e.code).toBe('NVML_ERROR_INVALID_ARGUMENT');
  }, limit());

  it('stale and wrong-kind handles in every handle position', async () => {
    const handleFns = FUNCTIONS.filter((f) => /^(device|gpuInstance|computeInstance|eventSet)/.test(f) && !/^eventSetCreate|ByIndex|ByUuid|ByPciBusId|GetCount/.test(f));
    const tally = new Tally();
    for (const name of handleFns) {
      for (const h of [...stale, ...Object.values(live), 0, 2 ** 21, 2 ** 53 - 1]) {
        const o = await outcome(() => (b as any)[name](...tame(name, [h, 0, 0])), isRawError);
        tally.add(o);
        if (MUTATING.test(name)) await fixture();
      }
    }
    console.log(tally.line('fuzz-native handles'));
    expect(tally.counts.NvmlError).toBeGreaterThan(0);
    expect(tally.counts.TypeError).toBeGreaterThan(0);
  }, limit());
});
