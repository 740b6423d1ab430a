// An independent exhaustive search, written without the planner's code: it enumerates every set of
// non-overlapping (profile, placement) choices on a model's grid and records which multisets of GI profiles
// they realise. The planner must find a placement exactly for those multisets.
import type { DeviceModel, PlanStep } from '../../dist/layout/index.js';

export function realisableMultisets(model: DeviceModel): Set<string> {
  const options: { prof: number; slots: number[] }[] = [];
  model.giProfiles.forEach((g, prof) => {
    for (const p of g.placements) options.push({ prof, slots: Array.from({ length: p.size }, (_, i) => p.start + i) });
  });
  const out = new Set<string>();
  const used = new Array<boolean>(model.slots).fill(false);
  const counts = new Array<number>(model.giProfiles.length).fill(0);
  // Plain include/exclude recursion over the option list.
  const rec = (i: number, slices: number): void => {
    if (i === options.length) {
      out.add(counts.join(','));
      return;
    }
    rec(i + 1, slices);
    const o = options[i]!;
    const g = model.giProfiles[o.prof]!;
    if (o.slots.some((s) => used[s]) || counts[o.prof]! + 1 > g.instanceCount || slices + g.sliceCount > model.computeSlices) return;
    o.slots.forEach((s) => (used[s] = true));
    counts[o.prof]!++;
    rec(i + 1, slices + g.sliceCount);
    counts[o.prof]!--;
    o.slots.forEach((s) => (used[s] = false));
  };
  rec(0, 0);
  return out;
}

/** Every multiset of GI profiles within the per-profile instance counts whose memory slots fit the grid. */
export function candidateMultisets(model: DeviceModel): number[][] {
  const out: number[][] = [];
  const counts = new Array<number>(model.giProfiles.length).fill(0);
  const rec = (i: number, slots: number): void => {
    if (i === model.giProfiles.length) {
      out.push([...counts]);
      return;
    }
    const g = model.giProfiles[i]!;
    const size = g.placements[0]!.size;
    for (let n = 0; n <= g.instanceCount && slots + n * size <= model.slots; n++) {
      counts[i] = n;
      rec(i + 1, slots + n * size);
    }
    counts[i] = 0;
  };
  rec(0, 0);
  return out;
}

/** Checks that create steps put GIs only at offered, non-overlapping placements and CIs inside them. */
export function checkCreates(model: DeviceModel, steps: PlanStep[], occupied: { start: number; size: number }[] = []): string | null {
  const used = new Array<boolean>(model.slots).fill(false);
  for (const p of occupied) for (let s = p.start; s < p.start + p.size; s++) used[s] = true;
  const giSlices = new Map<string | number, boolean[]>();
  for (const st of steps) {
    if (st.op === 'createGi') {
      const g = model.giProfiles.find((x) => x.id === st.profileId)!;
      if (!g.placements.some((p) => p.start === st.placement.start && p.size === st.placement.size)) return `GI ${g.name} at ${st.placement.start} is not an offered placement`;
      for (let s = st.placement.start; s < st.placement.start + st.placement.size; s++) {
        if (used[s]) return `GI ${g.name} at ${st.placement.start} overlaps slot ${s}`;
        used[s] = true;
      }
      giSlices.set(st.ref, new Array<boolean>(g.sliceCount).fill(false));
    } else if (st.op === 'createCi') {
      const slices = giSlices.get(st.gi);
      if (!slices) continue;
      for (let s = st.placement.start; s < st.placement.start + st.placement.size; s++) {
        if (s >= slices.length || slices[s]) return `CI ${st.profile} at ${st.placement.start} overlaps or leaves its GI`;
        slices[s] = true;
      }
    }
  }
  return null;
}
