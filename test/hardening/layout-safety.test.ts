// Layout safety beyond test/layout/faults.test.ts (a fault at every apply step, then a converging
// re-run): random layouts with processes on random instances never lose a busy instance unless
// forced, and a read-only library never lets a mutating NVML function run, proven by the mock's
// call log, whatever mutating API is used (facade, layouts with force, the raw addon).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Nvml } from '../../dist/index.js';
import { applyLayout, type GpuTarget } from '../../dist/layout/index.js';
import { loadBinding } from '../../dist/binding.js';
import { MOCK, limit, runs, seed, settlesWithin } from './helpers';

const MUTATING = /^nvml(DeviceSetMigMode|DeviceCreateGpuInstance\w*|GpuInstanceDestroy|GpuInstanceCreateComputeInstance\w*|ComputeInstanceDestroy)$/;

let nvml: Nvml;
beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  delete process.env.NVML_MIG_READONLY;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb';
  nvml = await init({ libraryPath: MOCK });
});
afterAll(async () => {
  await nvml?.shutdown();
});

const target: fc.Arbitrary<GpuTarget> = fc
  .record({
    mig: fc.boolean(),
    one: fc.integer({ min: 0, max: 4 }),
    two: fc.integer({ min: 0, max: 2 }),
    three: fc.integer({ min: 0, max: 1 }),
    split: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ mig, one, two, three, split }) => {
    const migDevices: Record<string, number> = {};
    if (mig) {
      if (one) migDevices['1g.10gb'] = one;
      if (two) migDevices['2g.20gb'] = two;
      if (three) migDevices['3g.40gb'] = three;
      if (split && !three) migDevices['1c.3g.40gb'] = split;
    }
    return { migEnabled: mig, migDevices };
  });

interface Busy {
  gi: number;
  ci: number;
  giPlacement: string;
}

async function state(): Promise<any> {
  return (await nvml.mockControl({ cmd: 'state' })).state.gpus[0];
}

describe('busy instances survive an apply without force', () => {
  it('random layouts, processes on random instances, random targets', async () => {
    let applies = 0;
    let blocked = 0;
    let busyKept = 0;
    const forcedOutcomes: Record<string, number> = {};
    let reruns = 0;
    let startsApplied = 0;
    let infeasibleStarts = 0;
    await fc.assert(
      fc.asyncProperty(target, target, fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (from, to, picks, forceLater) =>
        settlesWithin(scenario(from, to, picks, forceLater), 20_000, 'one apply scenario'),
      ),
      { numRuns: runs(120), seed: seed() },
    );
    async function scenario(from: GpuTarget, to: GpuTarget, picks: number[], forceLater: boolean): Promise<void> {
      await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
      // A random start layout may not fit the GPU: then it must be refused as infeasible before
      // anything changed, and the scenario has no start to protect (counted, and bounded below).
      const start = await applyLayout(nvml, from);
      if (!start.ok) {
        expect(start.code, `start ${JSON.stringify(from)}: ${start.message}`).toBe('ERR_LAYOUT_INFEASIBLE');
        expect((await state()).gpuInstances).toEqual([]);
        infeasibleStarts++;
        return;
      }
      startsApplied++;
      const before = await state();
      const cis = before.gpuInstances.flatMap((g: any) => g.computeInstances.map((c: any) => ({ gi: g.id, ci: c.id, giPlacement: `${g.placement.start}:${g.placement.size}` })));
      const busy: Busy[] = [];
      for (const [i, pick] of picks.entries()) {
        if (!cis.length) break;
        const c = cis[pick % cis.length];
        await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 5000 + i, name: 'train', usedMemoryMiB: 100, gi: c.gi, ci: c.ci });
        busy.push(c);
      }
      if (!before.migCurrent && picks.length) {
        await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4000, name: 'whole-gpu', usedMemoryMiB: 100 });
      }
      const r = await applyLayout(nvml, to);
      applies++;
      if (r.code === 'ERR_LAYOUT_BLOCKED') blocked++;
      const after = await state();
      for (const c of busy) {
        const gi = after.gpuInstances.find((g: any) => g.id === c.gi);
        expect(gi, `GI ${c.gi} with a process was destroyed without force (${JSON.stringify(from)} → ${JSON.stringify(to)})`).toBeDefined();
        expect(`${gi.placement.start}:${gi.placement.size}`).toBe(c.giPlacement);
        expect(gi.computeInstances.some((x: any) => x.id === c.ci), `CI ${c.gi}/${c.ci} with a process was destroyed`).toBe(true);
        busyKept++;
      }
      // A process on the whole GPU: the MIG mode is not switched under it.
      if (!before.migCurrent && picks.length) expect(after.migCurrent).toBe(false);
      // With force the apply goes ahead: it reaches the target or reports what stopped it (a
      // process still holding the GPU or an instance), never throws.
      if (forceLater && r.code === 'ERR_LAYOUT_BLOCKED') {
        const forced = await applyLayout(nvml, to, { force: true });
        forcedOutcomes[forced.ok ? 'ok' : String(forced.code)] = (forcedOutcomes[forced.ok ? 'ok' : String(forced.code)] ?? 0) + 1;
        // Whatever it left, once the processes are gone a plain re-run converges.
        if (!forced.ok) {
          for (const pid of [4000, ...picks.map((_, i) => 5000 + i)]) await nvml.mockControl({ cmd: 'removeProcess', pid }).catch(() => undefined);
          // A mode change left pending by the busy GPU needs its activation: the reset hook
          // (without one a Hopper GPU stays pending although SetMigMode would now succeed).
          const resetHook = async ({ gpu }: { gpu: number }) => {
            await nvml.mockControl({ cmd: 'gpuReset', gpu });
          };
          const rerun = await applyLayout(nvml, to, { resetHook });
          expect(rerun.ok, `re-run after a forced ${forced.code}: ${rerun.code} ${rerun.message}`).toBe(true);
          reruns++;
        }
      }
    }
    console.log(`layout-safety: ${applies} applies, ${blocked} refused as blocked, ${busyKept} busy instances checked kept; forced re-applies ${JSON.stringify(forcedOutcomes)}, ${reruns} converging re-runs after them`);
    console.log(`layout-safety: ${startsApplied} start layouts applied, ${infeasibleStarts} refused as infeasible`);
    expect(busyKept).toBeGreaterThan(0);
    // Most scenarios start from a real layout: the refused starts do not hollow the property out.
    expect(startsApplied).toBeGreaterThan(infeasibleStarts);
  }, limit(120_000));
});

describe('read-only interlock, proven by the call log', () => {
  it('every mutating API of the facade, the layouts (forced) and the raw addon: no mutating NVML call', async () => {
    await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
    expect((await applyLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 2, '1c.3g.40gb': 2 } })).ok).toBe(true);
    await nvml.shutdown();
    const ro = await init({ libraryPath: MOCK, readOnly: true });
    try {
      await ro.mockControl({ cmd: 'clearCallLog' });
      const layoutBefore = JSON.stringify((await ro.mockControl({ cmd: 'state' })).state.gpus[0].gpuInstances);
      const dev = await ro.device(0);
      const gis = await dev.gpuInstances();
      const cis = (await Promise.all(gis.map((g) => g.computeInstances()))).flat();
      const attempts: Array<Promise<unknown>> = [
        dev.setMigMode(false), dev.setMigMode(true),
        dev.createGpuInstance(19), dev.createGpuInstance(19, { start: 0, size: 1 }), dev.createGpuInstance(0),
        ...gis.map((g) => g.destroy()),
        ...gis.map((g) => g.createComputeInstance(0)),
        ...gis.map((g) => g.createComputeInstance(0, { start: 0, size: 1 })),
        ...cis.map((c) => c.destroy()),
      ];
      const settled = await Promise.allSettled(attempts);
      expect(settled.every((s) => s.status === 'rejected' && (s.reason as any).code === 'ERR_NVML_READ_ONLY')).toBe(true);
      for (const t of [{ migEnabled: false, migDevices: {} }, { migEnabled: true, migDevices: { '7g.80gb': 1 } }, { migEnabled: true, migDevices: {} }]) {
        const r = await applyLayout(ro, t, { force: true });
        expect(r.ok).toBe(false);
      }
      // The raw addon, bypassing the facade: every mutating function with live handles.
      const b = loadBinding();
      const d = await b.deviceGetHandleByIndex(0);
      const [gh] = await b.deviceGetGpuInstances(d, 19);
      const [ch] = await b.gpuInstanceGetComputeInstances((await b.deviceGetGpuInstances(d, 9))[0], 0);
      const raw = await Promise.allSettled([
        b.deviceSetMigMode(d, 0), b.deviceCreateGpuInstance(d, 19), b.deviceCreateGpuInstance(d, 19, { start: 0, size: 1 }),
        b.gpuInstanceDestroy(gh), b.gpuInstanceCreateComputeInstance(gh, 0), b.gpuInstanceCreateComputeInstance(gh, 0, { start: 0, size: 1 }),
        b.computeInstanceDestroy(ch),
      ]);
      expect(raw.map((s) => (s.status === 'rejected' ? (s.reason as any).code : 'resolved'))).toEqual(Array(7).fill('ERR_NVML_READ_ONLY'));
      expect(() => b.deviceGetNameSync(d)).not.toThrow();

      const calls: Array<{ fn: string }> = (await ro.mockControl({ cmd: 'callLog' })).calls;
      expect(calls.length).toBeGreaterThan(10);
      expect(calls.map((c) => c.fn).filter((fn) => MUTATING.test(fn))).toEqual([]);
      expect(JSON.stringify((await ro.mockControl({ cmd: 'state' })).state.gpus[0].gpuInstances)).toBe(layoutBefore);
    } finally {
      await ro.shutdown();
      nvml = await init({ libraryPath: MOCK });
    }
  }, limit());
});
