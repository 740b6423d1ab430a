// Every code into every bound function: each NVML return code (0-30 and 999) injected through the
// mock's control channel ({cmd:"setFault", fn, code, always:true}) into each function the addon
// binds, through the raw call that reaches it. A failure must come back as an NvmlError with the
// code's name, nvmlReturn and fn; after clearFaults the same call succeeds again; and repeated
// rounds leave the handle table and the pending count where they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import type { NativeBinding } from '../../dist/native.js';
import { NVML_CODE_NAMES } from '../nvml-return-codes';
import { ALL_RETURN_CODES, DESCRIPTION, LEGACY_MOCK, MOCK, SLOW, limit, opOf } from './helpers';

class RawNvmlError extends Error {
  constructor(readonly code: string, readonly nvmlReturn: number | null, readonly fn: string | null, message?: string) {
    super(message ?? code);
  }
}
const b: NativeBinding = loadBinding();
b.setErrorClass(RawNvmlError);

const SLOT_LIMIT = 2 ** 21;
const slotOf = (id: number) => id % SLOT_LIMIT;

async function control(req: object): Promise<any> {
  const r = JSON.parse(await b.mockControl(JSON.stringify(req)));
  if (!r.ok) throw new Error(`${JSON.stringify(req)}: ${r.error}`);
  return r;
}

interface Fixture {
  device: number;
  plain: number;   // a second GPU with MIG off (utilization is not supported with MIG on)
  gi: number;      // 1g GI with one CI
  giId: number;
  spareGi: number; // empty 1g GI (destroy target)
  ci: number;
  mig: number;
  eventSet: number;
  eventTypes: bigint;
  uuid: string;
  busId: string;
}
let f: Fixture;
/** The highest handle-table slot any fixture handle took: grows only if slots leak. */
let fixtureSlotMax = 0;
let library = MOCK;

/** GPM sample buffers: s1 and s2 taken 110 ms apart (metrics), s3 refilled by the sample calls. */
let gpm: { s1: number; s2: number; s3: number } | null = null;
/** A buffer whose free was refused by an injected fault: the next call frees it. */
let unfreed: number | null = null;

async function openLibrary(path: string): Promise<void> {
  if (b.isOpen() && library === path) return;
  await b.close().catch(() => undefined);
  library = path;
  gpm = null; // close() freed them
  unfreed = null;
  await b.open(path, 0, false);
}

async function fixture(path = library): Promise<void> {
  await openLibrary(path);
  await control({ cmd: 'clearFaults' });
  await control({ cmd: 'reset', machine: 'h100-80gb:2' });
  const device = await b.deviceGetHandleByIndex(0);
  await b.deviceSetMigMode(device, 1);
  const gi = await b.deviceCreateGpuInstance(device, 19);
  const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
  const spareGi = await b.deviceCreateGpuInstance(device, 19);
  const mig = await b.deviceGetMigDeviceHandleByIndex(device, 0);
  if (f?.eventSet) await b.eventSetFree(f.eventSet).catch(() => undefined);
  const eventSet = await b.eventSetCreate();
  fixtureSlotMax = Math.max(fixtureSlotMax, ...[device, gi, ci, spareGi, mig, eventSet].map(slotOf));
  if (!gpm && path !== LEGACY_MOCK) {
    const [s1, s2, s3] = [await b.gpmSampleAlloc(), await b.gpmSampleAlloc(), await b.gpmSampleAlloc()];
    await b.gpmSampleGet(device, s1);
    await new Promise((r) => setTimeout(r, 110));
    await b.gpmSampleGet(device, s2);
    gpm = { s1, s2, s3 };
  }
  f = { eventTypes: await b.deviceGetSupportedEventTypes(device), device, plain: await b.deviceGetHandleByIndex(1), gi, giId: (await b.gpuInstanceGetInfo(gi)).id, spareGi, ci, mig, eventSet, uuid: await b.deviceGetUuid(device), busId: (await b.deviceGetPciInfo(device)).busId };
}

interface Entry {
  fn: string;
  /** The library whose resolution reaches fn (the legacy mock for the pre-v2 fallbacks). */
  legacy?: boolean;
  call: () => Promise<unknown>;
  /** Changes the layout when it succeeds: the fixture is rebuilt after it. */
  mutating?: boolean;
  /** Codes answered without an NvmlError, and the outcome they give instead. */
  soft: Array<{ code: number; answer: string }>;
}

/** Calls the matrix cannot write from the description: freeing a buffer needs one first. */
const CUSTOM: Record<string, () => Promise<unknown>> = {
  nvmlGpmSampleFree: async () => {
    unfreed ??= await b.gpmSampleAlloc();
    await b.gpmSampleFree(unfreed);
    unfreed = null;
  },
};

/** A fixture value by name: a field of f, or 'gpm.s1' and friends. */
function fixtureValue(name: string): unknown {
  const [head, rest] = name.split('.');
  const v = head === 'gpm' ? gpm : (f as unknown as Record<string, unknown>)[head];
  return rest === undefined ? v : (v as Record<string, unknown> | null)?.[rest];
}

/**
 * One entry per function of native/functions.cjs: its op, called on the fixture handle its
 * `fault.on` names with its `fault.args` ('$name': that fixture value).
 */
const ENTRIES: Entry[] = DESCRIPTION.functions.flatMap((d): Entry[] => {
  if (typeof d.fault === 'string') return [];
  const how = d.fault;
  const op = opOf(d);
  if (!op) throw new Error(`${d.name}: no op reaches it`);
  const args = () => [...(how.on ? [fixtureValue(how.on)] : []), ...(how.args ?? []).map((a) => (typeof a === 'string' && a.startsWith('$') ? fixtureValue(a.slice(1)) : a))];
  const raw = b as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  let call = () => raw[op](...args());
  if (how.custom) {
    call = CUSTOM[d.name];
    if (!call) throw new Error(`${d.name}: fault.custom without a CUSTOM call`);
  }
  // What the call made is freed again; a freed fixture set is not freed twice.
  const free = how.free;
  if (free) call = () => raw[op](...args()).then((made) => raw[free](made));
  if (how.consumes) call = () => raw[op](...args()).then(() => { f.eventSet = 0; });
  return [{ fn: d.name, legacy: how.legacy, call, mutating: DESCRIPTION.ops[op]?.mutates || how.consumes, soft: d.soft ?? [] }];
});

// Reached only when a newer symbol is missing, and neither bundled mock lacks it: nvmlInit_v2
// (every mock has nvmlInitWithFlags) and the bare nvmlSystemGetCudaDriverVersion (both have _v2).
// nvmlMockControl is the mock's own channel, not an NVML function, and is never faulted.
const UNREACHED = DESCRIPTION.functions.filter((d) => d.fault === 'unreached').map((d) => d.name);
const LIFECYCLE = DESCRIPTION.functions.filter((d) => d.fault === 'lifecycle').map((d) => d.name);

/**
 * Outcomes other than "rejects with exactly this code and fn" that the contract allows: the soft
 * codes the description gives each function (with their reason), and SUCCESS injected.
 */
function allowedOtherwise(e: Entry, code: number, result: string): boolean {
  // SUCCESS injected: the mock returns 0 without filling the outputs. Whatever the addon makes of
  // unfilled (zeroed) outputs is acceptable as long as nothing crashes and it settles.
  if (code === 0) return true;
  return e.soft.some((s) => s.code === code && s.answer === result);
}

const rounds: Array<{ slotMax: number; pending: number }> = [];

async function matrix(): Promise<{ cases: number; unexpected: string[]; settled: number }> {
  const unexpected: string[] = [];
  let cases = 0;
  let settled = 0;
  fixtureSlotMax = 0;
  for (const e of ENTRIES) {
    await fixture(e.legacy ? LEGACY_MOCK : MOCK);
    for (const code of ALL_RETURN_CODES) {
      await control({ cmd: 'setFault', fn: e.fn, code, always: true });
      let result: string;
      try {
        await e.call();
        result = 'ok';
      } catch (err: any) {
        const name = NVML_CODE_NAMES[code];
        if (err instanceof RawNvmlError && err.code === name && err.nvmlReturn === code && err.fn === e.fn) result = 'exact';
        else result = `${err?.constructor?.name} ${err?.code} ${err?.nvmlReturn} ${err?.fn}`;
      }
      settled++;
      cases++;
      if (result !== 'exact' && !allowedOtherwise(e, code, result)) unexpected.push(`${e.fn} ← ${code}: ${result}`);
      await control({ cmd: 'clearFaults' });
      // Usable again: the same call succeeds once the fault is gone (a mutation on a fresh layout).
      if (e.mutating || code === 0) await fixture();
      const again = await e.call().then(() => 'ok', (err: any) => `${err?.code} ${err?.fn}: ${err?.message}`);
      if (again !== 'ok') unexpected.push(`${e.fn} after clearFaults (${code}): ${again}`);
      if (e.mutating) await fixture();
    }
  }
  expect(b.pendingCalls()).toBe(0);
  rounds.push({ slotMax: fixtureSlotMax, pending: b.pendingCalls() });
  return { cases, unexpected, settled };
}

beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb';
  await fixture(MOCK);
});
afterAll(async () => {
  await b.close().catch(() => undefined);
});

describe('every return code into every bound function', () => {
  it('the matrix names every bound function but the unreachable ones', async () => {
    await openLibrary(MOCK);
    const bound = Object.keys(b.functions()).sort();
    const covered = new Set([...ENTRIES.map((e) => e.fn), ...UNREACHED, ...LIFECYCLE]);
    expect(bound.filter((fn) => !covered.has(fn))).toEqual([]);
    // The description is the symbol table: the same functions, in the same order.
    expect(Object.keys(b.functions())).toEqual(DESCRIPTION.functions.map((d) => d.name));
    expect(ENTRIES.length).toBeGreaterThan(50);
  }, limit());

  it('each code gives its NvmlError (code, nvmlReturn, fn); the call works again after clearFaults', async () => {
    const r = await matrix();
    console.log(`faults: ${r.cases} injected cases over ${ENTRIES.length} functions × ${ALL_RETURN_CODES.length} codes, ${r.settled} settled`);
    expect(r.unexpected).toEqual([]);
    expect(r.cases).toBe(ENTRIES.length * ALL_RETURN_CODES.length);
  }, limit());

  it('more rounds leave the handle table and the RSS where the first left them', async () => {
    // HARDENING_FAULT_ROUNDS (scripts/hardening/faults.sh) repeats the whole matrix.
    const extra = Math.max(1, Number(process.env.HARDENING_FAULT_ROUNDS) || 1);
    const rssAfterFirst = process.memoryUsage().rss;
    const rss: number[] = [];
    for (let i = 0; i < extra; i++) {
      const r = await matrix();
      expect(r.unexpected).toEqual([]);
      rss.push(Math.round(process.memoryUsage().rss / 1048576));
    }
    const rssGrowth = process.memoryUsage().rss - rssAfterFirst;
    console.log(`faults: RSS MiB after each extra round: ${rss.join(',')}`);
    const slots = rounds.map((x) => x.slotMax);
    console.log(`faults: ${rounds.length} rounds, ${rounds.length * ENTRIES.length * ALL_RETURN_CODES.length} cases; handle table high-water slot per round ${slots.join(',')}; RSS ${rssGrowth >= 0 ? '+' : ''}${(rssGrowth / 1048576).toFixed(1)} MiB after round 1`);
    expect(Math.max(...slots.slice(1))).toBeLessThanOrEqual(slots[0] + 8);
    // Under ASan, freed memory sits in its quarantine (256 MiB): RSS says nothing there.
    if (!SLOW) expect(rssGrowth).toBeLessThan(64 * 1048576);
  }, limit());

  it('nvmlInitWithFlags and nvmlShutdown: each code rejects open()/close() with it, the next open() works', async () => {
    const unexpected: string[] = [];
    for (const fn of LIFECYCLE) {
      for (const code of ALL_RETURN_CODES) {
        await fixture(MOCK);
        // nth:1 so that the fault fires once and the next open() is clean (the control channel
        // needs an open library, so an "always" fault on init could not be cleared).
        await control({ cmd: 'setFault', fn, code, nth: 1 });
        let err: any;
        if (fn === 'nvmlInitWithFlags') {
          await b.close();
          err = await b.open(MOCK, 0, false).then(() => null, (x) => x);
        } else {
          err = await b.close().then(() => null, (x) => x);
          expect(b.isOpen()).toBe(false);
        }
        if (code === 0) {
          // SUCCESS without running: the library may be left uninitialised; it must recover below.
        } else if (!(err instanceof RawNvmlError && err.code === NVML_CODE_NAMES[code] && err.nvmlReturn === code && err.fn === fn)) {
          unexpected.push(`${fn} ← ${code}: ${err?.code} ${err?.fn}`);
        }
        await b.close().catch(() => undefined);
        await b.open(MOCK, 0, false);
        expect(await b.deviceGetCount()).toBeGreaterThan(0);
      }
    }
    expect(unexpected).toEqual([]);
  }, limit());
});
