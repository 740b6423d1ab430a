// Hostile input into the public facade: every exported function and every method of Nvml, Device,
// GpuInstance, ComputeInstance and MigDevice, on live objects, on objects from before a shutdown,
// and with `this` swapped for another kind of object. Only a value, TypeError, RangeError or
// NvmlError may come back (or the caller's own throwing getter, unchanged), and every promise
// settles. HARDENING_RUNS raises the case count (scripts/hardening/fuzz.sh).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../dist/index.js';
import { ComputeInstance, Device, GpuInstance, MigDevice, Nvml, init, isNvmlError } from '../../dist/index.js';
import { MOCK, Tally, hostileArg, materialize, limit, outcome, runs, seed } from './helpers';

type Target = 'nvml' | 'device' | 'gi' | 'ci' | 'mig';
interface Objects {
  nvml: Nvml;
  device: Device;
  gi: GpuInstance;
  ci: ComputeInstance;
  mig: MigDevice;
}

let live: Objects;
let stale: Objects;
const isErr = (e: unknown) => isNvmlError(e);

async function build(): Promise<Objects> {
  const nvml = await init({ libraryPath: MOCK });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  const device = await nvml.device(0);
  await device.setMigMode(true);
  const gi = await device.createGpuInstance(19);
  const ci = await gi.createComputeInstance(0);
  const mig = await ci.migDevice();
  return { nvml, device, gi, ci, mig };
}

/** Back to one open reference and a fresh layout, whatever the last case did. */
async function restore(): Promise<void> {
  // Drop every reference a fuzzed init() or missing shutdown() left, then open one again.
  for (let i = 0; i < 100 && live.nvml && (await live.nvml.deviceCount().then(() => true, () => false)); i++) {
    await live.nvml.shutdown().catch(() => undefined);
  }
  live = await build();
}

beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  delete process.env.NVML_MIG_READONLY;
  stale = await build();
  await stale.nvml.shutdown();
  live = await build();
});
afterAll(async () => {
  await live.nvml.shutdown().catch(() => undefined);
});

function methodsOf(proto: object): string[] {
  return Object.getOwnPropertyNames(proto)
    .filter((k) => k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === 'function')
    .sort();
}
const METHODS: Record<Target, string[]> = {
  nvml: methodsOf(Nvml.prototype),
  device: methodsOf(Device.prototype),
  gi: methodsOf(GpuInstance.prototype),
  ci: methodsOf(ComputeInstance.prototype),
  mig: methodsOf(MigDevice.prototype),
};
const EXPORTED_FUNCTIONS = Object.keys(api).filter((k) => typeof (api as any)[k] === 'function' && k !== 'init');
const MUTATING = /^(setMigMode|create|destroy|shutdown|mockControl)/;

const calls = (Object.keys(METHODS) as Target[]).flatMap((t) => METHODS[t].map((m) => [t, m] as const));
const arg = fc.oneof(
  { weight: 5, arbitrary: hostileArg },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('GPU-', 'MIG-', '00000000:07:00.0', 'nvmlDeviceGetName', 'MIG 1g.10gb', '1g.10gb', '7g.80gb+me') },
  { weight: 1, arbitrary: fc.record({ start: fc.integer({ min: 0, max: 9 }), size: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ cmd: fc.constantFrom('state', 'callLog', 'nope', 'gpuReset', 'addProcess', 'removeProcess'), gpu: fc.integer({ min: -1, max: 3 }), pid: fc.integer({ min: -1, max: 99999 }) }) },
);

describe('facade under hostile arguments', () => {
  it('has methods on every class and exported functions to fuzz', () => {
    expect(METHODS.device).toContain('createGpuInstance');
    expect(METHODS.gi).toContain('createComputeInstance');
    expect(METHODS.nvml).toContain('deviceByUuid');
    expect(EXPORTED_FUNCTIONS).toContain('parseProfileName');
  }, limit());

  it('every method, live and stale objects, swapped `this`', async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...calls),
        fc.constantFrom<'live' | 'stale' | 'swapped'>('live', 'live', 'live', 'stale', 'swapped'),
        fc.constantFrom<Target>('nvml', 'device', 'gi', 'ci', 'mig'),
        fc.array(arg, { maxLength: 3 }),
        async ([target, method], which, other, args) => {
          const self = which === 'live' ? live[target] : which === 'stale' ? stale[target] : live[other];
          const fn = (live[target] as any)[method] as (...a: unknown[]) => unknown;
          const o = await outcome(() => fn.apply(self, materialize(args)), isErr);
          tally.add(`${which}:${o}`);
          if (MUTATING.test(method)) await restore();
        },
      ),
      { numRuns: runs(1500), seed: seed() },
    );
    console.log(tally.line('fuzz-facade methods'));
  }, limit());

  it('every exported function', async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EXPORTED_FUNCTIONS), fc.array(arg, { maxLength: 3 }), async (name, args) => {
        tally.add(await outcome(() => (api as any)[name](...materialize(args)), isErr));
      }),
      { numRuns: runs(800), seed: seed() },
    );
    console.log(tally.line('fuzz-facade functions'));
  }, limit());

  it('init() with hostile options, while open: rejects or adds a reference that shutdown() returns', async () => {
    const tally = new Tally();
    const options = fc.oneof(
      hostileArg,
      fc.record({ libraryPath: fc.oneof(hostileArg, fc.constant(MOCK)), readOnly: fc.oneof(hostileArg, fc.boolean()), flags: hostileArg }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(options, async (opts) => {
        let opened: Nvml | undefined;
        const o = await outcome(async () => {
          opened = await init(...(materialize([opts]) as [any]));
        }, isErr);
        tally.add(o);
        if (opened) await opened.shutdown();
        expect(await live.nvml.deviceCount()).toBe(1);
      }),
      { numRuns: runs(400), seed: seed() },
    );
    console.log(tally.line('fuzz-facade init'));
  }, limit());

  it('objects from before a shutdown reject ERR_NVML_STALE_HANDLE or NOT_INITIALIZED, never reach another instance', async () => {
    const codes = new Set<string>();
    for (const t of Object.keys(METHODS) as Target[]) {
      for (const m of METHODS[t].filter((x) => !/^(shutdown|functions|hasFunction)$/.test(x) && typeof x === 'string')) {
        const e = await Promise.resolve()
          .then(() => (stale[t] as any)[m](0, 0))
          .then(() => null, (x: unknown) => x);
        if (e) {
          expect(isNvmlError(e) || e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
          if (isNvmlError(e)) codes.add(e.code);
        }
      }
    }
    expect([...codes].every((c) => ['ERR_NVML_STALE_HANDLE', 'ERR_NVML_NOT_INITIALIZED'].includes(c)), [...codes].join()).toBe(true);
    // The live layout is untouched by every stale call above.
    expect((await live.device.gpuInstances()).map((g) => g.id)).toEqual([live.gi.id]);
  }, limit());
});
