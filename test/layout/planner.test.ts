import { describe, expect, it } from 'vitest';
import { planGpu, type GiState, type GpuState, type PlanStep } from '../../dist/layout/index.js';
import { MODELS } from './fixtures.js';
import { checkCreates } from './oracle.js';

const H100 = MODELS['h100-80gb'];
const ID = { '1g': 19, '1g20': 15, '2g': 14, '3g': 9, '4g': 5, '7g': 0 } as const;
const SIZE: Record<number, number> = { 19: 1, 15: 2, 14: 2, 9: 4, 5: 4, 0: 8 };
const FULL_CI: Record<number, number> = { 19: 0, 15: 0, 14: 1, 9: 2, 5: 3, 0: 4 };

let nextGi = 1;
function gi(profileId: number, start: number, cis: { profileId?: number; start?: number; size?: number; pids?: number[] }[] = [{}]): GiState {
  const id = nextGi++;
  return {
    id, profileId, placement: { start, size: SIZE[profileId]! },
    computeInstances: cis.map((c, i) => ({ id: i, profileId: c.profileId ?? FULL_CI[profileId]!, placement: { start: c.start ?? 0, size: c.size ?? H100.giProfiles.find((g) => g.id === profileId)!.sliceCount }, processes: c.pids ?? [] })),
  };
}
function state(gis: GiState[], mig = { current: true, pending: true }): GpuState {
  return { index: 0, uuid: 'GPU-test', name: H100.name, pciDeviceId: 0x233010de, pciSubSystemId: 0, mig, gpuInstances: gis, processes: gis.flatMap((g) => g.computeInstances.flatMap((c) => c.processes)) };
}
const ops = (steps: PlanStep[]) => steps.map((s) => s.op);
const destroyedGis = (steps: PlanStep[]) => steps.filter((s) => s.op === 'destroyGi').map((s) => (s as { gi: number }).gi);
const created = (steps: PlanStep[]) => steps.filter((s) => s.op === 'createGi').map((s) => `${(s as { profile: string }).profile}@${(s as { placement: { start: number } }).placement.start}`);

describe('planner semantics', () => {
  it('creates 1g,1g,2g,3g on an empty 8-slot GPU (an order that defeats driver auto-placement)', () => {
    const p = planGpu(H100, state([]), { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } });
    expect(p.ok).toBe(true);
    expect(checkCreates(H100, p.steps)).toBeNull();
    expect(created(p.steps).sort()).toEqual(['1g.10gb@0', '1g.10gb@1', '2g.20gb@2', '3g.40gb@4']);
  });

  it('CIs of one GI profile share a GI when they fit: 1c.3g.40gb: 2 is one 3g GI with two CIs', () => {
    const p = planGpu(H100, state([]), { migEnabled: true, migDevices: { '1c.3g.40gb': 2 } });
    expect(ops(p.steps)).toEqual(['createGi', 'createCi', 'createCi']);
    const cis = p.steps.filter((s) => s.op === 'createCi') as Extract<PlanStep, { op: 'createCi' }>[];
    expect(cis.map((c) => [c.profile, c.placement.start, c.gi])).toEqual([['1c.3g.40gb', 0, 'new0'], ['1c.3g.40gb', 1, 'new0']]);
  });

  it('mixes CI profiles in one GI and opens a second GI only for what does not fit', () => {
    const p = planGpu(H100, state([]), { migEnabled: true, migDevices: { '1c.3g.40gb': 2, '2c.3g.40gb': 1 } });
    expect(p.steps.filter((s) => s.op === 'createGi')).toHaveLength(2);
    expect(checkCreates(H100, p.steps)).toBeNull();
    const seven = planGpu(H100, state([]), { migEnabled: true, migDevices: { '4c.7g.80gb': 1, '3c.7g.80gb': 1 } });
    expect(ops(seven.steps)).toEqual(['createGi', 'createCi', 'createCi']);
  });

  it('keeps matching instances untouched and only adds what is missing', () => {
    const a = gi(ID['1g'], 0), b = gi(ID['1g'], 1);
    const p = planGpu(H100, state([a, b]), { migEnabled: true, migDevices: { '1g.10gb': 2, '3g.40gb': 1 } });
    expect(p.kept.map((k) => k.gi).sort()).toEqual([a.id, b.id].sort());
    expect(ops(p.steps)).toEqual(['createGi', 'createCi']);
    expect(created(p.steps)).toEqual(['3g.40gb@4']);
  });

  it('adds a CI into the free slices of an existing GI instead of a new GI', () => {
    const g = gi(ID['3g'], 0, [{ profileId: 0, start: 0, size: 1 }]);
    const p = planGpu(H100, state([g]), { migEnabled: true, migDevices: { '1c.3g.40gb': 2 } });
    expect(p.steps).toMatchObject([{ op: 'createCi', gi: g.id, profileId: 0, placement: { start: 1, size: 1 } }]);
  });

  it('destroys only the surplus, and the fewest GIs when keeping them leaves no room (driver 1g at slot 6)', () => {
    const extra = [gi(ID['1g'], 0), gi(ID['1g'], 1), gi(ID['1g'], 2)];
    const p = planGpu(H100, state(extra), { migEnabled: true, migDevices: { '1g.10gb': 2, '3g.40gb': 1 } });
    expect(destroyedGis(p.steps)).toHaveLength(1);
    const six = gi(ID['1g'], 6);
    const q = planGpu(H100, state([six]), { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } });
    expect(q.ok).toBe(true);
    expect(destroyedGis(q.steps)).toEqual([six.id]);
    expect(q.steps.find((s) => s.op === 'destroyGi')!.reason).toMatch(/leaves no valid placement/);
    expect(checkCreates(H100, q.steps)).toBeNull();
  });

  it('prefers keeping busy instances and marks destroys of busy ones as blocked', () => {
    const idle = gi(ID['1g'], 0), busy = gi(ID['1g'], 1, [{ pids: [4242] }]);
    const p = planGpu(H100, state([idle, busy]), { migEnabled: true, migDevices: { '1g.10gb': 1 } });
    expect(p.kept.map((k) => k.gi)).toEqual([busy.id]);
    expect(p.steps.some((s) => s.blockedBy)).toBe(false);
    const q = planGpu(H100, state([busy]), { migEnabled: true, migDevices: { '7g.80gb': 1 } });
    expect(q.steps.filter((s) => s.blockedBy?.includes(4242)).map((s) => s.op)).toEqual(['destroyCi', 'destroyGi']);
  });

  it('reuses an emptied GI of the right profile in place', () => {
    const g = gi(ID['3g'], 0, [{ profileId: 0, start: 0, size: 1 }]);
    const p = planGpu(H100, state([g]), { migEnabled: true, migDevices: { '3g.40gb': 1 } });
    expect(ops(p.steps)).toEqual(['destroyCi', 'createCi']);
    expect(p.steps[1]).toMatchObject({ gi: g.id, profile: '3g.40gb' });
  });

  it('reports a target that cannot fit, and unknown profiles', () => {
    const p = planGpu(H100, state([]), { migEnabled: true, migDevices: { '4g.40gb': 1, '3g.40gb': 1, '1g.10gb': 1 } });
    expect(p.ok).toBe(false);
    expect(p.error).toMatch(/does not fit/);
    const q = planGpu(H100, state([]), { migEnabled: true, migDevices: { '1g.5gb': 1 } });
    expect(q.error).toMatch(/1g\.5gb is not offered by NVIDIA H100 80GB HBM3/);
  });

  it('mode changes: enable plans from empty, disable destroys everything first', () => {
    const on = planGpu(H100, state([], { current: false, pending: false }), { migEnabled: true, migDevices: { '7g.80gb': 1 } });
    expect(ops(on.steps)).toEqual(['setMigMode', 'createGi', 'createCi']);
    expect(on.activationNeeded).toBe(true);
    const off = planGpu(H100, state([gi(ID['2g'], 0)]), { migEnabled: false, migDevices: {} });
    expect(ops(off.steps)).toEqual(['destroyCi', 'destroyGi', 'setMigMode']);
    const same = planGpu(H100, state([]), { migEnabled: true, migDevices: {} });
    expect(same.steps).toEqual([]);
  });

  it('defers instance steps when the model cannot be read before MIG is on', () => {
    const p = planGpu(null, state([], { current: false, pending: false }), { migEnabled: true, migDevices: { '7g.80gb': 1 } });
    expect(p).toMatchObject({ ok: true, deferred: true, activationNeeded: true });
    expect(ops(p.steps)).toEqual(['setMigMode']);
    const hopper = planGpu(H100, { ...state([], { current: false, pending: false }), resetlessMig: true }, { migEnabled: true, migDevices: {} });
    expect(hopper.activationNeeded).toBe(false);
  });

  it('is a JSON value', () => {
    const p = planGpu(H100, state([gi(ID['1g'], 3)]), { migEnabled: true, migDevices: { '2g.20gb': 2 } });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('compact placement keeps free space usable', () => {
  it('a 1g placed first leaves room for 1g,4g,1g.20gb later without moving it; the driver slot 6 does not', () => {
    const first = planGpu(H100, state([]), { migEnabled: true, migDevices: { '1g.10gb': 1 } });
    const at = (first.steps[0] as { placement: { start: number } }).placement.start;
    expect(at).not.toBe(6);
    const later = { migEnabled: true, migDevices: { '1g.10gb': 2, '4g.40gb': 1, '1g.20gb': 1 } };
    const ours = planGpu(H100, state([gi(ID['1g'], at)]), later);
    expect(destroyedGis(ours.steps)).toEqual([]);
    const driver = planGpu(H100, state([gi(ID['1g'], 6)]), later);
    expect(destroyedGis(driver.steps)).toHaveLength(1);
  });
});
