// The two small exact searches the planner is built on, over bitmasks:
//  - packCis: compute instances of one GI profile into GIs (existing ones first, then the fewest new ones);
//  - placeGis: new GIs onto the memory-slot grid, complete (finds a placement whenever one exists) and choosing,
//    among all valid placements, the one that keeps the most later layouts possible (futureScore).
import type { Placement } from '../types.js';
import type { CiProfileModel, DeviceModel, GiProfileModel } from './types.js';

/**
 * The occupancy bit mask of a placement: bit i set for slot i.
 *
 * @example
 * ```ts
 * import { maskOf } from 'nvml-mig/layout';
 *
 * console.log(maskOf({ start: 4, size: 4 }).toString(2)); // '11110000': slots 4-7 as a bit mask
 * ```
 */
export const maskOf = (p: Placement): number => ((1 << p.size) - 1) << p.start;

// ---- compute instances inside GIs -------------------------------------------------------------------------

/**
 * A GPU instance as `packCis` fills it: its compute slices in use (`mask`) and the CIs it added.
 *
 * @example
 * ```ts
 * import type { CiBin } from 'nvml-mig/layout';
 *
 * const emptyNewGi: CiBin = { gi: -1, mask: 0, added: [] };
 * ```
 */
export interface CiBin {
  /** Existing GI id, or -1 for a GI to create. */
  gi: number;
  mask: number;
  added: { ci: CiProfileModel; placement: Placement }[];
}

/**
 * Puts `cis` (all of GI profile `gi`) into `existing` bins where they fit, the rest into as few new GIs as possible.
 * Returns null when a CI cannot fit even an empty GI (a profile with no placements).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, packCis } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const [{ model }] = await readNode(nvml);
 * const threeG = model?.giProfiles.find((p) => p.name === '3g.40gb');
 * const oneC = threeG?.ciProfiles.find((c) => c.name === '1c.3g.40gb');
 * if (threeG && oneC) console.log(packCis(threeG, [oneC, oneC, oneC], [])?.map((b) => [b.gi, b.added.map((a) => a.placement.start)])); // -1: a GI to create
 * ```
 */
export function packCis(gi: GiProfileModel, cis: CiProfileModel[], existing: { gi: number; mask: number }[]): CiBin[] | null {
  const items = [...cis].sort((a, b) => b.sliceCount - a.sliceCount || a.id - b.id);
  const bins: CiBin[] = existing.map((e) => ({ gi: e.gi, mask: e.mask, added: [] }));
  const nExisting = bins.length;
  const freeExisting = bins.reduce((s, b) => s + gi.sliceCount - popcount(b.mask), 0);
  const total = items.reduce((s, c) => s + c.sliceCount, 0);
  const lowerBound = Math.max(0, Math.ceil((total - freeExisting) / gi.sliceCount));
  let best: CiBin[] | null = null;
  let bestNew = Infinity;

  const dfs = (i: number, prevBin: number, prevStart: number): boolean => {
    const nNew = bins.length - nExisting;
    if (nNew >= bestNew) return false;
    if (i === items.length) {
      best = bins.map((b) => ({ gi: b.gi, mask: b.mask, added: [...b.added] }));
      bestNew = nNew;
      return nNew <= lowerBound;
    }
    const ci = items[i]!;
    const same = i > 0 && items[i - 1]!.id === ci.id;
    // Identical CIs are placed in (bin, start) order so each arrangement is visited once.
    for (let b = same ? prevBin : 0; b < bins.length; b++) {
      const bin = bins[b]!;
      for (const p of ci.placements) {
        if (same && b === prevBin && p.start <= prevStart) continue;
        const m = maskOf(p);
        if (bin.mask & m) continue;
        bin.mask |= m;
        bin.added.push({ ci, placement: p });
        const done = dfs(i + 1, b, p.start);
        bin.added.pop();
        bin.mask &= ~m;
        if (done) return true;
      }
    }
    // One new GI at a time: every new GI is alike, so opening the next one is the only new choice.
    if (nNew + 1 < bestNew) {
      for (const p of ci.placements) {
        bins.push({ gi: -1, mask: maskOf(p), added: [{ ci, placement: p }] });
        const done = dfs(i + 1, bins.length - 1, p.start);
        bins.pop();
        if (done) return true;
      }
    }
    return false;
  };
  dfs(0, 0, -1);
  return best;
}

// ---- GIs on the memory-slot grid --------------------------------------------------------------------------

export function popcount(x: number): number {
  let n = 0;
  while (x) {
    x &= x - 1;
    n++;
  }
  return n;
}

/**
 * Where `placeGis` puts one GPU instance of a profile, and whether it reuses an emptied one.
 *
 * @example
 * ```ts
 * import type { GiPlacementChoice } from 'nvml-mig/layout';
 *
 * const describe = (c: GiPlacementChoice): string =>
 *   `${c.profile.name} at ${c.placement.start}:${c.placement.size}${c.reuse >= 0 ? ` (GI ${c.reuse} reused)` : ''}`;
 * ```
 */
export interface GiPlacementChoice {
  profile: GiProfileModel;
  placement: Placement;
  /** Id of an existing (emptied) GI reused at this placement, or -1 to create one. */
  reuse: number;
}

const scoreByModel = new WeakMap<DeviceModel, Uint32Array>();
const scoreByContent = new Map<string, Uint32Array>();

/**
 * futureScore(model)[occupied] = how many distinct multisets of GI profiles could still be added on the slots
 * that `occupied` leaves free. Computed once per model (and cached) by enumerating every valid set of placements
 * from an empty GPU. The planner prefers the placement with the highest score: the one that keeps the most later
 * layouts possible without moving anything.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, futureScore } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const [{ model }] = await readNode(nvml);
 * if (model) console.log(futureScore(model)[0], futureScore(model).length); // the empty GPU's score; one per occupancy mask (256 for 8 slots)
 * ```
 */
export function futureScore(model: DeviceModel): Uint32Array {
  let table = scoreByModel.get(model);
  if (table) return table;
  // Models read again (another GPU of the same kind, a new read) share the table by content.
  const content = `${model.slots}/${model.computeSlices}/${model.giProfiles.map((g) => `${g.id}:${g.sliceCount}:${g.instanceCount}:${g.placements.map((p) => `${p.start}+${p.size}`).join(',')}`).join(';')}`;
  table = scoreByContent.get(content);
  if (table) {
    scoreByModel.set(model, table);
    return table;
  }
  const options: { prof: number; mask: number }[] = [];
  model.giProfiles.forEach((g, prof) => g.placements.forEach((p) => options.push({ prof, mask: maskOf(p) })));
  const counts = new Array<number>(model.giProfiles.length).fill(0);
  // multiset signature → the union masks that realise it
  const realisations = new Map<string, Set<number>>();
  const walk = (i: number, mask: number, slices: number): void => {
    const sig = counts.join(',');
    let set = realisations.get(sig);
    if (!set) realisations.set(sig, (set = new Set()));
    set.add(mask);
    for (let j = i; j < options.length; j++) {
      const o = options[j]!;
      const g = model.giProfiles[o.prof]!;
      if (mask & o.mask || counts[o.prof]! >= g.instanceCount || slices + g.sliceCount > model.computeSlices) continue;
      counts[o.prof]!++;
      walk(j + 1, mask | o.mask, slices + g.sliceCount);
      counts[o.prof]!--;
    }
  };
  walk(0, 0, 0);
  // Only the minimal realising masks matter: a superset fits wherever it does not.
  const lists = [...realisations.values()].map((set) => {
    const masks = [...set].sort((a, b) => popcount(a) - popcount(b));
    return masks.filter((m, i) => !masks.slice(0, i).some((k) => (k & m) === k));
  });
  table = new Uint32Array(1 << model.slots);
  for (let occupied = 0; occupied < table.length; occupied++) {
    let n = 0;
    for (const masks of lists) if (masks.some((m) => (m & occupied) === 0)) n++;
    table[occupied] = n;
  }
  scoreByModel.set(model, table);
  scoreByContent.set(content, table);
  return table;
}

/**
 * Places the GIs `items` (profiles, in any order) on the grid around `occupied`; `shells` are existing GIs that
 * may be reused in place. Complete: returns null only when no valid placement exists. Among valid ones it
 * prefers the most reused shells, then the highest futureScore (the most later layouts still addable), then
 * the lowest slots.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, placeGis } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const [{ model }] = await readNode(nvml);
 * const [oneG] = model?.giProfiles ?? [];
 * if (model && oneG) console.log(placeGis(model, [oneG, oneG], 0b11110000, [])?.map((c) => [c.placement.start, c.reuse])); // slots 4-7 taken
 * ```
 */
export function placeGis(model: DeviceModel, items: GiProfileModel[], occupied: number, shells: { gi: number; profileId: number; placement: Placement }[]): GiPlacementChoice[] | null {
  const order = [...items].sort((a, b) => b.placements[0]!.size - a.placements[0]!.size || a.id - b.id);
  const score = futureScore(model);
  const chosen: GiPlacementChoice[] = [];
  let best: GiPlacementChoice[] | null = null;
  let bestKey: [number, number, number] = [-1, -Infinity, -Infinity];
  const dead = new Set<string>();

  const full = 1 << model.slots;
  // Returns false only when no completion exists from here (memoised); a branch cut by the bound returns true.
  const dfs = (i: number, mask: number, prevIdx: number, reused: number, startSum: number): boolean => {
    if (best) {
      // Bound: more occupied slots never raise the score, so this branch can at best reach these values.
      const maxReuse = reused + order.length - i;
      const upper = score[mask]! * full - mask;
      if (maxReuse < bestKey[0] || (maxReuse === bestKey[0] && upper < bestKey[1])) return true;
    }
    if (i === order.length) {
      const key: [number, number, number] = [reused, score[mask]! * full - mask, -startSum];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && (key[1] > bestKey[1] || (key[1] === bestKey[1] && key[2] > bestKey[2])))) {
        bestKey = key;
        best = [...chosen];
      }
      return true;
    }
    const memo = `${i}:${mask}:${prevIdx}`;
    if (dead.has(memo)) return false;
    const g = order[i]!;
    const same = i > 0 && order[i - 1]!.id === g.id;
    let any = false;
    for (let k = same ? prevIdx + 1 : 0; k < g.placements.length; k++) {
      const p = g.placements[k]!;
      const m = maskOf(p);
      if (mask & m) continue;
      const shell = shells.find((s) => s.profileId === g.id && s.placement.start === p.start && !chosen.some((c) => c.reuse === s.gi));
      chosen.push({ profile: g, placement: p, reuse: shell ? shell.gi : -1 });
      if (dfs(i + 1, mask | m, k, reused + (shell ? 1 : 0), startSum + p.start)) any = true;
      chosen.pop();
    }
    if (!any) dead.add(memo);
    return any;
  };
  dfs(0, occupied, -1, 0, 0);
  return best;
}
