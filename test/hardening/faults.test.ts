// Every code into every bound function: each NVML return code (0-30 and 999) injected through the
// mock's control channel ({cmd:"setFault", fn, code, always:true}) into each function the addon
// binds, through the raw call that reaches it. A failure must come back as an NvmlError with the
// code's name, nvmlReturn and fn; after clearFaults the same call succeeds again; and repeated
// rounds leave the handle table and the pending count where they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import type { NativeBinding } from '../../dist/native.js';
import { NVML_CODE_NAMES } from '../nvml-return-codes';
import { ALL_RETURN_CODES, LEGACY_MOCK, MOCK, SLOW, limit } from './helpers';

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
}

const ENTRIES: Entry[] = [
  { fn: 'nvmlSystemGetDriverVersion', call: () => b.systemGetDriverVersion() },
  { fn: 'nvmlSystemGetNVMLVersion', call: () => b.systemGetNvmlVersion() },
  { fn: 'nvmlSystemGetCudaDriverVersion_v2', call: () => b.systemGetCudaDriverVersion() },
  { fn: 'nvmlDeviceGetCount_v2', call: () => b.deviceGetCount() },
  { fn: 'nvmlDeviceGetHandleByIndex_v2', call: () => b.deviceGetHandleByIndex(0) },
  { fn: 'nvmlDeviceGetHandleByUUID', call: () => b.deviceGetHandleByUuid(f.uuid) },
  { fn: 'nvmlDeviceGetHandleByPciBusId_v2', call: () => b.deviceGetHandleByPciBusId(f.busId) },
  { fn: 'nvmlDeviceGetName', call: () => b.deviceGetName(f.device) },
  { fn: 'nvmlDeviceGetUUID', call: () => b.deviceGetUuid(f.device) },
  { fn: 'nvmlDeviceGetIndex', call: () => b.deviceGetIndex(f.device) },
  { fn: 'nvmlDeviceGetMinorNumber', call: () => b.deviceGetMinorNumber(f.device) },
  { fn: 'nvmlDeviceGetPciInfo_v3', call: () => b.deviceGetPciInfo(f.device) },
  { fn: 'nvmlDeviceGetMemoryInfo_v2', call: () => b.deviceGetMemoryInfo(f.device) },
  { fn: 'nvmlDeviceGetMemoryInfo', legacy: true, call: () => b.deviceGetMemoryInfo(f.device) },
  { fn: 'nvmlDeviceGetUtilizationRates', call: () => b.deviceGetUtilizationRates(f.plain) },
  { fn: 'nvmlDeviceGetBAR1MemoryInfo', call: () => b.deviceGetBar1MemoryInfo(f.mig) },
  { fn: 'nvmlDeviceGetComputeRunningProcesses_v3', call: () => b.deviceGetComputeRunningProcesses(f.device) },
  { fn: 'nvmlDeviceGetFieldValues', call: () => b.deviceGetFieldValues(f.device, [184, 199]) },
  { fn: 'nvmlDeviceSetMigMode', mutating: true, call: () => b.deviceSetMigMode(f.device, 1) },
  { fn: 'nvmlDeviceGetMigMode', call: () => b.deviceGetMigMode(f.device) },
  { fn: 'nvmlDeviceGetGpuInstanceProfileInfo', call: () => b.deviceGetGpuInstanceProfileInfo(f.device, 0, 1) },
  { fn: 'nvmlDeviceGetGpuInstanceProfileInfoV', call: () => b.deviceGetGpuInstanceProfileInfo(f.device, 0, 3) },
  { fn: 'nvmlDeviceGetGpuInstanceProfileInfoByIdV', call: () => b.deviceGetGpuInstanceProfileInfoById(f.device, 19, 3) },
  { fn: 'nvmlDeviceGetGpuInstancePossiblePlacements_v2', call: () => b.deviceGetGpuInstancePossiblePlacements(f.device, 19) },
  { fn: 'nvmlDeviceGetGpuInstancePossiblePlacements', legacy: true, call: () => b.deviceGetGpuInstancePossiblePlacements(f.device, 19) },
  { fn: 'nvmlDeviceGetGpuInstanceRemainingCapacity', call: () => b.deviceGetGpuInstanceRemainingCapacity(f.device, 19) },
  { fn: 'nvmlDeviceCreateGpuInstance', mutating: true, call: () => b.deviceCreateGpuInstance(f.device, 19) },
  { fn: 'nvmlDeviceCreateGpuInstanceWithPlacement', mutating: true, call: () => b.deviceCreateGpuInstance(f.device, 19, { start: 0, size: 1 }) },
  { fn: 'nvmlGpuInstanceDestroy', mutating: true, call: () => b.gpuInstanceDestroy(f.spareGi) },
  { fn: 'nvmlDeviceGetGpuInstances', call: () => b.deviceGetGpuInstances(f.device, 19) },
  { fn: 'nvmlDeviceGetGpuInstanceById', call: () => b.deviceGetGpuInstanceById(f.device, f.giId) },
  { fn: 'nvmlGpuInstanceGetInfo', call: () => b.gpuInstanceGetInfo(f.gi) },
  { fn: 'nvmlGpuInstanceGetComputeInstanceProfileInfo', call: () => b.gpuInstanceGetComputeInstanceProfileInfo(f.gi, 0, 0, 1) },
  { fn: 'nvmlGpuInstanceGetComputeInstanceProfileInfoV', call: () => b.gpuInstanceGetComputeInstanceProfileInfo(f.gi, 0, 0, 3) },
  { fn: 'nvmlGpuInstanceGetComputeInstanceRemainingCapacity', call: () => b.gpuInstanceGetComputeInstanceRemainingCapacity(f.spareGi, 0) },
  { fn: 'nvmlGpuInstanceGetComputeInstancePossiblePlacements', call: () => b.gpuInstanceGetComputeInstancePossiblePlacements(f.spareGi, 0) },
  { fn: 'nvmlGpuInstanceCreateComputeInstance', mutating: true, call: () => b.gpuInstanceCreateComputeInstance(f.spareGi, 0) },
  { fn: 'nvmlGpuInstanceCreateComputeInstanceWithPlacement', mutating: true, call: () => b.gpuInstanceCreateComputeInstance(f.spareGi, 0, { start: 0, size: 1 }) },
  { fn: 'nvmlComputeInstanceDestroy', mutating: true, call: () => b.computeInstanceDestroy(f.ci) },
  { fn: 'nvmlGpuInstanceGetComputeInstances', call: () => b.gpuInstanceGetComputeInstances(f.gi, 0) },
  { fn: 'nvmlGpuInstanceGetComputeInstanceById', call: () => b.gpuInstanceGetComputeInstanceById(f.gi, 0) },
  { fn: 'nvmlComputeInstanceGetInfo_v2', call: () => b.computeInstanceGetInfo(f.ci) },
  { fn: 'nvmlComputeInstanceGetInfo', legacy: true, call: () => b.computeInstanceGetInfo(f.ci) },
  { fn: 'nvmlDeviceIsMigDeviceHandle', call: () => b.deviceIsMigDeviceHandle(f.mig) },
  { fn: 'nvmlDeviceGetGpuInstanceId', call: () => b.deviceGetGpuInstanceId(f.mig) },
  { fn: 'nvmlDeviceGetComputeInstanceId', call: () => b.deviceGetComputeInstanceId(f.mig) },
  { fn: 'nvmlDeviceGetMaxMigDeviceCount', call: () => b.deviceGetMaxMigDeviceCount(f.device) },
  { fn: 'nvmlDeviceGetMigDeviceHandleByIndex', call: () => b.deviceGetMigDeviceHandleByIndex(f.device, 0) },
  { fn: 'nvmlDeviceGetDeviceHandleFromMigDeviceHandle', call: () => b.deviceGetDeviceHandleFromMigDeviceHandle(f.mig) },
  { fn: 'nvmlDeviceGetAttributes_v2', call: () => b.deviceGetAttributes(f.mig) },
  { fn: 'nvmlDeviceGetSupportedEventTypes', call: () => b.deviceGetSupportedEventTypes(f.device) },
  { fn: 'nvmlEventSetCreate', call: () => b.eventSetCreate().then((s) => b.eventSetFree(s)) },
  { fn: 'nvmlDeviceRegisterEvents', call: () => b.deviceRegisterEvents(f.device, f.eventTypes, f.eventSet) },
  { fn: 'nvmlEventSetWait_v2', call: () => b.eventSetWait(f.eventSet, 0) },
  { fn: 'nvmlGpmQueryDeviceSupport', call: () => b.gpmQueryDeviceSupport(f.device) },
  { fn: 'nvmlGpmSampleAlloc', call: () => b.gpmSampleAlloc().then((s) => b.gpmSampleFree(s)) },
  {
    fn: 'nvmlGpmSampleFree',
    call: async () => {
      unfreed ??= await b.gpmSampleAlloc();
      await b.gpmSampleFree(unfreed);
      unfreed = null;
    },
  },
  { fn: 'nvmlGpmSampleGet', call: () => b.gpmSampleGet(f.device, gpm!.s3) },
  { fn: 'nvmlGpmMigSampleGet', call: () => b.gpmMigSampleGet(f.device, f.giId, gpm!.s3) },
  { fn: 'nvmlGpmMetricsGet', call: () => b.gpmMetricsGet(gpm!.s1, gpm!.s2, [1, 2, 5]) },
  { fn: 'nvmlEventSetFree', mutating: true, call: () => b.eventSetFree(f.eventSet).then(() => { f.eventSet = 0; }) },
];

// Reached only when a newer symbol is missing, and neither bundled mock lacks it: nvmlInit_v2
// (every mock has nvmlInitWithFlags) and the bare nvmlSystemGetCudaDriverVersion (both have _v2).
// nvmlMockControl is the mock's own channel, not an NVML function, and is never faulted.
const UNREACHED = ['nvmlInit_v2', 'nvmlSystemGetCudaDriverVersion', 'nvmlMockControl'];
const LIFECYCLE = ['nvmlInitWithFlags', 'nvmlShutdown'];

/**
 * Outcomes other than "rejects with exactly this code and fn" that the contract allows, each
 * for a stated reason (asserted as a list, so a new one fails until it is understood).
 */
function allowedOtherwise(fn: string, code: number, result: string): boolean {
  // SUCCESS injected: the mock returns 0 without filling the outputs. Whatever the addon makes of
  // unfilled (zeroed) outputs is acceptable as long as nothing crashes and it settles.
  if (code === 0) return true;
  // ARGUMENT_VERSION_MISMATCH on a versioned call: the addon retries the older struct (by design).
  if (code === 25 && fn === 'nvmlDeviceGetMemoryInfo_v2' && result === 'ok') return true;
  // The documented soft outcomes: a wait that times out resolves null.
  if (fn === 'nvmlEventSetWait_v2' && code === 10 && result === 'ok') return true;
  // INSUFFICIENT_SIZE on the size query (NULL buffer) with the count left at 0: nothing to list.
  if (/PossiblePlacements/.test(fn) && code === 7 && result === 'ok') return true;
  // ComputeRunningProcesses: INSUFFICIENT_SIZE with a count of 0 means "no processes".
  if (fn === 'nvmlDeviceGetComputeRunningProcesses_v3' && code === 7 && result === 'ok') return true;
  return false;
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
      if (result !== 'exact' && !allowedOtherwise(e.fn, code, result)) unexpected.push(`${e.fn} ← ${code}: ${result}`);
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
