// The planner: pure, synchronous, per GPU. From a device model, the GPU's current state and its target it
// computes the steps (destroy CI/GI, set mode, create GI/CI at explicit placements) with the fewest changes.
//
// Semantics of a target (as mig-parted): `3g.40gb: 2` asks for two GIs of 3g.40gb, each with one CI spanning it;
// `1c.3g.40gb: 2` asks for two 1-slice CIs inside 3g.40gb GIs, and CIs of the same GI profile share a GI when they
// fit (so one 3g GI holds both). A layout "holds" when the counts of (GI profile, CI profile) pairs are equal,
// whatever the grouping, which is also what mig-parted's assert checks.
import type { Placement } from '../types.js';
import { maskOf, packCis, placeGis, popcount } from './packing.js';
import { parseProfileKey } from '../profile-name.js';
import { currentProfileName } from './model.js';
import type { CiProfileModel, Demand, DeviceModel, GiProfileModel, GiState, GpuPlan, GpuState, GpuTarget, KeptInstance, PlanStep } from './types.js';

const pairKey = (gi: number, ci: number): string => `${gi}/${ci}`;

/**
 * Resolves profile keys against a model. Returns the demands, or a message naming the unknown profile.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) console.log(resolveTarget(gpu.model, { migEnabled: true, migDevices: { '3g.20gb': 2 } }));
 * // [{ giProfileId: 9, ciProfileId: 2, key: '3g.20gb', count: 2 }], or a message for an unknown or oversized target
 * ```
 */
export function resolveTarget(model: DeviceModel, target: GpuTarget): Demand[] | string {
  const out: Demand[] = [];
  for (const [key, count] of Object.entries(target.migDevices)) {
    if (count === 0) continue;
    const parsed = parseProfileKey(key);
    if (typeof parsed === 'string') return parsed;
    // an older name a driver used for a profile of this board resolves to the profile (its current name)
    const current = currentProfileName(model.name, model.giProfiles.map((g) => g.name), parsed.giName);
    const gi = model.giProfiles.find((g) => g.name === current);
    if (!gi) return `profile ${key} is not offered by ${model.name} (GPU-instance profiles: ${model.giProfiles.map((g) => g.name).join(', ')})`;
    const ci = ciProfileFor(gi, parsed.ciSlices);
    if (!ci) return `profile ${key} is not offered by ${model.name} (compute-instance profiles of ${gi.name}: ${gi.ciProfiles.map((c) => c.name).join(', ')})`;
    out.push({ giProfileId: gi.id, ciProfileId: ci.id, key: ci.name, count });
  }
  return out;
}

function ciProfileFor(gi: GiProfileModel, slices: number | null): CiProfileModel | undefined {
  return gi.ciProfiles.find((c) => c.sliceCount === (slices ?? gi.sliceCount));
}

/**
 * The (GI, CI) profile pair key of a model's profiles, in the canonical form mig-parted prints.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, profileKeyOf } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) console.log(profileKeyOf(gpu.model, 9, 2), profileKeyOf(gpu.model, 9, 0)); // '3g.20gb' '1c.3g.20gb'
 * ```
 */
export function profileKeyOf(model: DeviceModel, giProfileId: number, ciProfileId: number): string {
  const gi = model.giProfiles.find((g) => g.id === giProfileId);
  const ci = gi?.ciProfiles.find((c) => c.id === ciProfileId);
  if (!gi) return `gi-profile-${giProfileId}`;
  return ci ? ci.name : `ci-profile-${ciProfileId}.${gi.name}`;
}

/**
 * Counts of profile keys in a GPU's current instances (what assert compares and export prints).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, currentCounts } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) console.log(currentCounts(gpu.model, gpu.state)); // {} on a fresh GPU; { '3g.20gb': 2 } once two are there
 * ```
 */
export function currentCounts(model: DeviceModel, state: GpuState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const gi of state.gpuInstances) {
    for (const ci of gi.computeInstances) {
      const k = profileKeyOf(model, gi.profileId, ci.profileId);
      out[k] = (out[k] ?? 0) + 1;
    }
  }
  return out;
}

interface Solution {
  keptCis: Map<number, Set<number>>; // gi id → kept ci ids
  ciIntoExisting: { gi: GiState; ci: CiProfileModel; placement: Placement }[];
  newGis: { profile: GiProfileModel; placement: Placement; reuse: number; cis: { ci: CiProfileModel; placement: Placement }[] }[];
}

function profileOf(model: DeviceModel, id: number): GiProfileModel | undefined {
  return model.giProfiles.find((g) => g.id === id);
}

/**
 * Given the GIs to keep (with the CIs kept in each), finds where everything else goes, or null if it cannot fit.
 */
function solve(model: DeviceModel, demands: Demand[], anchored: Map<GiState, Set<number>>, shells: GiState[]): Solution | null {
  const remaining = new Map<string, number>();
  for (const d of demands) remaining.set(pairKey(d.giProfileId, d.ciProfileId), d.count);
  let occupied = 0;
  let slices = 0;
  const perProfile = new Map<number, number>();
  for (const [gi, kept] of anchored) {
    occupied |= maskOf(gi.placement);
    const prof = profileOf(model, gi.profileId);
    slices += prof?.sliceCount ?? popcount(maskOf(gi.placement));
    perProfile.set(gi.profileId, (perProfile.get(gi.profileId) ?? 0) + 1);
    for (const ci of gi.computeInstances) {
      if (!kept.has(ci.id)) continue;
      const k = pairKey(gi.profileId, ci.profileId);
      remaining.set(k, (remaining.get(k) ?? 0) - 1);
    }
  }
  const sol: Solution = { keptCis: new Map(), ciIntoExisting: [], newGis: [] };
  for (const [gi, kept] of anchored) sol.keptCis.set(gi.id, kept);
  const newGiProfiles: GiProfileModel[] = [];
  const binsByProfile = new Map<number, { ci: CiProfileModel; placement: Placement }[][]>();
  for (const gp of model.giProfiles) {
    const cis: CiProfileModel[] = [];
    for (const cp of gp.ciProfiles) {
      const n = remaining.get(pairKey(gp.id, cp.id)) ?? 0;
      for (let i = 0; i < n; i++) cis.push(cp);
    }
    if (cis.length === 0) continue;
    const existing = [...anchored]
      .filter(([gi]) => gi.profileId === gp.id)
      .map(([gi, kept]) => ({ gi: gi.id, mask: gi.computeInstances.filter((c) => kept.has(c.id)).reduce((m, c) => m | maskOf(c.placement), 0) }));
    const bins = packCis(gp, cis, existing);
    if (!bins) return null;
    const fresh: { ci: CiProfileModel; placement: Placement }[][] = [];
    for (const bin of bins) {
      if (bin.gi >= 0) {
        const gi = [...anchored.keys()].find((g) => g.id === bin.gi)!;
        for (const a of bin.added) sol.ciIntoExisting.push({ gi, ci: a.ci, placement: a.placement });
      } else {
        fresh.push(bin.added);
        newGiProfiles.push(gp);
      }
    }
    binsByProfile.set(gp.id, fresh);
    const count = (perProfile.get(gp.id) ?? 0) + fresh.length;
    if (count > gp.instanceCount) return null;
    slices += fresh.length * gp.sliceCount;
  }
  if (slices > model.computeSlices) return null;
  const placed = placeGis(model, newGiProfiles, occupied, shells.map((s) => ({ gi: s.id, profileId: s.profileId, placement: s.placement })));
  if (!placed) return null;
  for (const p of placed) {
    const cis = binsByProfile.get(p.profile.id)!.shift()!;
    sol.newGis.push({ profile: p.profile, placement: p.placement, reuse: p.reuse, cis });
  }
  return sol;
}

const busyOf = (gi: GiState): number[] => gi.computeInstances.flatMap((c) => c.processes);

/**
 * Options of `planGpu`.
 *
 * @example
 * ```ts
 * import type { PlanOptions } from 'nvml-mig/layout';
 *
 * const options: PlanOptions = { source: 'config all-balanced, entry 1' };
 * ```
 */
export interface PlanOptions {
  /** Which layout entry chose the target, for messages. */
  source?: string;
}

/**
 * Plans one GPU. Pure: the same inputs give the same plan.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, planGpu } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * const plan = planGpu(gpu.model, gpu.state, { migEnabled: true, migDevices: { '2g.10gb': 3 } }, { source: 'example' });
 * console.log(plan.ok, plan.steps.map((s) => s.op)); // no NVML call: the plan comes from the model and the state read before
 * ```
 */
export function planGpu(model: DeviceModel | null, state: GpuState, target: GpuTarget | null, options: PlanOptions = {}): GpuPlan {
  const plan: GpuPlan = {
    gpu: state.index, uuid: state.uuid, name: state.name, target, source: options.source,
    ok: true, kept: [], steps: [], activationNeeded: false, deferred: false,
  };
  if (!target) return plan;
  const gpu = state.index;
  const fail = (error: string): GpuPlan => Object.assign(plan, { ok: false, error, steps: [] });
  if (!state.mig) {
    return target.migEnabled ? fail(`${state.name} does not support MIG`) : plan;
  }
  const destroyAll = (reason: string): void => {
    for (const gi of state.gpuInstances) {
      for (const ci of gi.computeInstances) {
        plan.steps.push({ op: 'destroyCi', gpu, gi: gi.id, ci: ci.id, profile: model ? profileKeyOf(model, gi.profileId, ci.profileId) : `ci-profile-${ci.profileId}`, placement: ci.placement, reason, ...blocked(ci.processes) });
      }
      const giName = (model && profileOf(model, gi.profileId)?.name) ?? `gi-profile-${gi.profileId}`;
      plan.steps.push({ op: 'destroyGi', gpu, gi: gi.id, profileId: gi.profileId, profile: giName, placement: gi.placement, reason, ...blocked(busyOf(gi)) });
    }
  };

  if (!target.migEnabled) {
    if (state.mig.current) destroyAll('the target disables MIG');
    // A resetless GPU (Hopper) left pending by a busy GPU activates on a new request: ask again.
    if (state.mig.pending || (state.resetlessMig === true && state.mig.current)) {
      plan.steps.push({ op: 'setMigMode', gpu, enabled: false, reason: state.mig.pending ? 'the target disables MIG' : 'MIG disable is pending; a resetless GPU activates it on a new request', ...blocked(state.processes) });
    }
    plan.activationNeeded = state.mig.current && state.resetlessMig !== true;
    return plan;
  }

  if (!state.mig.pending || (state.resetlessMig === true && !state.mig.current)) {
    plan.steps.push({ op: 'setMigMode', gpu, enabled: true, reason: state.mig.pending ? 'MIG enable is pending; a resetless GPU activates it on a new request' : 'the target enables MIG', ...blocked(state.processes) });
  }
  plan.activationNeeded = !state.mig.current && (state.resetlessMig !== true || state.mig.pending);
  if (!model) {
    plan.deferred = true;
    return plan;
  }
  const demands = resolveTarget(model, target);
  if (typeof demands === 'string') return fail(demands);
  // While MIG is not active the GPU holds no instances: plan from empty.
  const existing = state.mig.current ? state.gpuInstances : [];
  const result = planInstances(model, existing, demands);
  if (typeof result === 'string') return fail(result);
  plan.kept = result.kept;
  plan.steps.push(...result.steps.map((s) => ({ ...s, gpu })));
  return plan;
}

function blocked(pids: number[]): { blockedBy?: number[] } {
  return pids.length ? { blockedBy: [...new Set(pids)].sort((a, b) => a - b) } : {};
}

/**
 * Chooses what to keep and where new instances go. Keeps as many existing CIs the target wants as possible
 * (busy ones first), destroying the fewest GIs needed to make the rest fit; returns a message when the target
 * cannot fit this GPU at all.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget, planInstances } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const [gpu] = await readNode(nvml);
 * const demands = gpu.model && resolveTarget(gpu.model, { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } });
 * if (gpu.model && Array.isArray(demands)) {
 *   const planned = planInstances(gpu.model, [], demands); // the steps, or why it cannot fit
 *   console.log(typeof planned === 'string' ? planned : planned.steps.map((s) => s.op));
 * }
 * await shutdown();
 * ```
 */
export function planInstances(model: DeviceModel, existing: GiState[], demands: Demand[]): { steps: PlanStep[]; kept: KeptInstance[] } | string {
  const want = new Map<string, number>();
  for (const d of demands) want.set(pairKey(d.giProfileId, d.ciProfileId), d.count);
  // Already there (the counts match exactly): nothing to change.
  const have = new Map<string, number>();
  for (const gi of existing) for (const ci of gi.computeInstances) have.set(pairKey(gi.profileId, ci.profileId), (have.get(pairKey(gi.profileId, ci.profileId)) ?? 0) + 1);
  if (have.size === want.size && [...want].every(([k, n]) => have.get(k) === n)) {
    return { steps: [], kept: existing.flatMap((gi) => gi.computeInstances.map((ci) => ({ gi: gi.id, ci: ci.id, profile: profileKeyOf(model, gi.profileId, ci.profileId), giPlacement: gi.placement, ciPlacement: ci.placement }))) };
  }
  const keys = [...want.keys()];
  const wantN = keys.map((k) => want.get(k)!);
  const candidates: GiState[] = existing.filter((gi) => gi.computeInstances.some((c) => want.has(pairKey(gi.profileId, c.profileId))));
  // Every useful CI once, in keeping preference: busy first, then the lowest GI and CI ids.
  const pool = candidates
    .flatMap((gi, c) => gi.computeInstances.filter((ci) => want.has(pairKey(gi.profileId, ci.profileId))).map((ci) => ({ c, ci, k: keys.indexOf(pairKey(gi.profileId, ci.profileId)), busy: ci.processes.length > 0 })))
    .sort((a, b) => Number(b.busy) - Number(a.busy) || candidates[a.c]!.id - candidates[b.c]!.id || a.ci.id - b.ci.id);
  const busyTotal = existing.reduce((n, gi) => n + gi.computeInstances.filter((c) => c.processes.length).length, 0);
  // Which CIs a subset of candidate GIs keeps: up to the wanted count per profile pair, in pool order.
  const keep = (mask: number, onKeep?: (e: (typeof pool)[number]) => void): { kept: number; busyKept: number; anchored: number } => {
    const used = new Array<number>(keys.length).fill(0);
    let kept = 0, busyKept = 0, anchoredBits = 0;
    for (const e of pool) {
      if (!(mask & (1 << e.c)) || used[e.k]! >= wantN[e.k]!) continue;
      used[e.k]!++;
      kept++;
      if (e.busy) busyKept++;
      anchoredBits |= 1 << e.c;
      onKeep?.(e);
    }
    return { kept, busyKept, anchored: anchoredBits };
  };
  // Every subset of candidate GIs to keep, best first: no busy CI destroyed, most CIs kept, fewest GIs lost.
  // A subset with a GI that keeps nothing is skipped: it is the smaller subset's case.
  const options: { mask: number; busyLost: number; kept: number; gisLost: number }[] = [];
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const r = keep(mask);
    if (r.anchored !== mask) continue;
    options.push({ mask, busyLost: busyTotal - r.busyKept, kept: r.kept, gisLost: existing.length - popcount(mask) });
  }
  options.sort((a, b) => a.busyLost - b.busyLost || b.kept - a.kept || a.gisLost - b.gisLost || a.mask - b.mask);
  for (const opt of options) {
    const anchored = new Map<GiState, Set<number>>();
    keep(opt.mask, (e) => {
      const gi = candidates[e.c]!;
      if (!anchored.has(gi)) anchored.set(gi, new Set());
      anchored.get(gi)!.add(e.ci.id);
    });
    const shells = existing.filter((gi) => !anchored.has(gi));
    const sol = solve(model, demands, anchored, shells);
    if (sol) return toSteps(model, existing, demands, sol);
  }
  return explainInfeasible(model, demands);
}

/** Says why a target cannot fit an empty GPU of this model: instance counts, compute slices, or placements. */
function explainInfeasible(model: DeviceModel, demands: Demand[]): string {
  const wanted = demands.map((d) => `${d.key}: ${d.count}`).join(', ');
  let slices = 0;
  for (const gp of model.giProfiles) {
    const cis = demands.filter((d) => d.giProfileId === gp.id).flatMap((d) => Array<CiProfileModel>(d.count).fill(gp.ciProfiles.find((c) => c.id === d.ciProfileId)!));
    if (!cis.length) continue;
    const gis = packCis(gp, cis, [])?.length ?? 0;
    if (gis > gp.instanceCount) return `the target (${wanted}) does not fit ${model.name}: it needs ${gis} GPU instances of ${gp.name}, which offers at most ${gp.instanceCount}`;
    slices += gis * gp.sliceCount;
  }
  if (slices > model.computeSlices) return `the target (${wanted}) does not fit ${model.name}: it needs ${slices} compute slices, the GPU has ${model.computeSlices}`;
  return `the target (${wanted}) does not fit ${model.name}: no valid placement exists on its ${model.slots}-slot memory grid`;
}

function toSteps(model: DeviceModel, existing: GiState[], demands: Demand[], sol: Solution): { steps: PlanStep[]; kept: KeptInstance[] } {
  const steps: PlanStep[] = [];
  const kept: KeptInstance[] = [];
  const reused = new Set(sol.newGis.filter((g) => g.reuse >= 0).map((g) => g.reuse));
  const wantText = (gi: number, ci: number): string => {
    const d = demands.find((x) => x.giProfileId === gi && x.ciProfileId === ci);
    return d ? `${d.key}: ${d.count}` : '';
  };
  // Per profile pair, how many existing CIs stay: a pair kept up to its count lost the rest as surplus,
  // a pair kept below its count lost CIs to make room (their placement was in the way).
  const keptPerPair = new Map<string, number>();
  for (const gi of existing) {
    for (const ci of gi.computeInstances) {
      if (sol.keptCis.get(gi.id)?.has(ci.id)) keptPerPair.set(pairKey(gi.profileId, ci.profileId), (keptPerPair.get(pairKey(gi.profileId, ci.profileId)) ?? 0) + 1);
    }
  }
  const surplus = (gi: GiState, ci: { profileId: number }): boolean => {
    const d = demands.find((x) => x.giProfileId === gi.profileId && x.ciProfileId === ci.profileId);
    return !d || (keptPerPair.get(pairKey(gi.profileId, ci.profileId)) ?? 0) >= d.count;
  };
  const destroyGis: PlanStep[] = [];
  for (const gi of existing) {
    const keep = sol.keptCis.get(gi.id);
    const giName = profileOf(model, gi.profileId)?.name ?? `gi-profile-${gi.profileId}`;
    for (const ci of gi.computeInstances) {
      const key = profileKeyOf(model, gi.profileId, ci.profileId);
      if (keep?.has(ci.id)) {
        kept.push({ gi: gi.id, ci: ci.id, profile: key, giPlacement: gi.placement, ciPlacement: ci.placement });
        continue;
      }
      const w = wantText(gi.profileId, ci.profileId);
      const reason = !w ? `${key} is not in the target` : surplus(gi, ci) ? `more ${key} than the target's ${w}` : `its GPU instance ${gi.id} is in the way of the target's placements`;
      steps.push({ op: 'destroyCi', gpu: 0, gi: gi.id, ci: ci.id, profile: key, placement: ci.placement, reason, ...blocked(ci.processes) });
    }
    if (!keep && !reused.has(gi.id)) {
      const inTheWay = gi.computeInstances.some((c) => !surplus(gi, c));
      const reason = inTheWay ? `keeping GPU instance ${gi.id} at ${gi.placement.start}:${gi.placement.size} leaves no valid placement for the target` : `${giName} holds nothing the target keeps`;
      destroyGis.push({ op: 'destroyGi', gpu: 0, gi: gi.id, profileId: gi.profileId, profile: giName, placement: gi.placement, reason, ...blocked(busyOf(gi)) });
    }
  }
  steps.push(...destroyGis);
  for (const add of sol.ciIntoExisting) {
    const giName = profileOf(model, add.gi.profileId)!.name;
    steps.push({ op: 'createCi', gpu: 0, gi: add.gi.id, giProfile: giName, profileId: add.ci.id, profile: add.ci.name, placement: add.placement, reason: `target ${wantText(add.gi.profileId, add.ci.id)}; fits the free slices of GPU instance ${add.gi.id}` });
  }
  let n = 0;
  for (const g of sol.newGis) {
    let giRef: number | string;
    if (g.reuse >= 0) giRef = g.reuse;
    else {
      giRef = `new${n++}`;
      steps.push({ op: 'createGi', gpu: 0, ref: giRef, profileId: g.profile.id, profile: g.profile.name, placement: g.placement, reason: `target ${g.cis.map((c) => wantText(g.profile.id, c.ci.id)).filter((v, i, a) => a.indexOf(v) === i).join(', ')}` });
    }
    for (const c of g.cis) {
      steps.push({ op: 'createCi', gpu: 0, gi: giRef, giProfile: g.profile.name, profileId: c.ci.id, profile: c.ci.name, placement: c.placement, reason: `target ${wantText(g.profile.id, c.ci.id)}${g.reuse >= 0 ? `; reuses the emptied GPU instance ${g.reuse} in place` : ''}` });
    }
  }
  return { steps, kept };
}
