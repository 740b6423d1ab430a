// What the exporter's page at `/` draws, built once per refresh from the snapshot (so viewers cost
// no driver calls): each GPU's memory-slot grid, its GPU instances at their placements with their
// compute instances, processes and activity, and the free capacity per GPU instance profile. The
// profile table and placements are static (the facade caches them); remaining capacities are read
// again only when a GPU's layout changed.

import type { Nvml } from '../nvml';
import type { Activity } from '../activity';
import type { GpuSnapshot, Snapshot } from './types';

/** @internal the page's JSON (/layout.json) */
export interface LayoutView {
  timestamp: number;
  gpus: Array<{
    index: number;
    name: string | null;
    uuid: string | null;
    migEnabled: boolean | null;
    /** Columns of the grid: memory slots (8 on H100, 4 on A30); 0 when the profiles are unknown. */
    memorySlots: number;
    profiles: Array<{ id: number; name: string; slices: number; placements: Array<{ start: number; size: number }>; free: number | null }>;
    gpuInstances: Array<{
      id: number;
      profile: string;
      placement: { start: number; size: number };
      computeInstances: Array<{ id: number; profileId: number; placement: { start: number; size: number }; uuid: string | null }>;
      processes: Array<{ pid: number; computeInstanceId: number | null; usedMiB: number | null }>;
      activity: Record<string, number | null> | null;
    }>;
    processes: Array<{ pid: number; usedMiB: number | null }>;
    activity: Record<string, number | null> | null;
  }>;
}

const MIB = 1024 * 1024;
const activityOf = (a: Activity | null): Record<string, number | null> | null =>
  a === null ? null : Object.fromEntries(Object.entries(a.metrics).map(([k, v]) => [k, v?.value ?? null]));

interface GpuStatic {
  memorySlots: number;
  profiles: Array<{ id: number; name: string; slices: number; placements: Array<{ start: number; size: number }> }>;
  layoutKey: string | null;
  free: Map<number, number | null>;
}

/** @internal builds LayoutViews, keeping what does not change between refreshes */
export class LayoutViewBuilder {
  private readonly gpus = new Map<string, GpuStatic>();

  constructor(private readonly nvml: Nvml) {}

  async build(snap: Snapshot): Promise<LayoutView> {
    const gpus = await Promise.all(snap.gpus.map((g) => this.gpu(g)));
    return { timestamp: snap.timestamp, gpus };
  }

  private async statics(g: GpuSnapshot): Promise<GpuStatic> {
    const key = g.uuid ?? `#${g.index}`;
    let st = this.gpus.get(key);
    if (!st) {
      st = { memorySlots: 0, profiles: [], layoutKey: null, free: new Map() };
      try {
        const device = await this.nvml.device(g.index);
        const profiles = await device.gpuInstanceProfiles();
        for (const p of profiles) {
          const placements = await device.gpuInstancePlacements(p.id);
          st.profiles.push({ id: p.id, name: p.shortName, slices: p.sliceCount, placements });
          for (const pl of placements) st.memorySlots = Math.max(st.memorySlots, pl.start + pl.size);
        }
        this.gpus.set(key, st);
      } catch {
        // No MIG profiles (no MIG, or MIG off where the driver will not list them): no grid; retried next refresh.
        return st;
      }
    }
    if (st.layoutKey !== g.layoutKey && g.migMode?.current) {
      const device = await this.nvml.device(g.index);
      const free = await Promise.all(st.profiles.map((p) => device.gpuInstanceRemainingCapacity(p.id).catch(() => null)));
      st.profiles.forEach((p, i) => st.free.set(p.id, free[i]));
      st.layoutKey = g.layoutKey;
    }
    return st;
  }

  private async gpu(g: GpuSnapshot): Promise<LayoutView['gpus'][number]> {
    const st = await this.statics(g);
    const mig = g.migMode?.current ?? null;
    return {
      index: g.index,
      name: g.name,
      uuid: g.uuid,
      migEnabled: mig,
      memorySlots: st.memorySlots,
      profiles: st.profiles.map((p) => ({ ...p, free: mig ? (st.free.get(p.id) ?? null) : null })),
      gpuInstances: g.gpuInstances.map((gi) => ({
        id: gi.id,
        profile: gi.profileName ?? `profile ${gi.profileId}`,
        placement: gi.placement,
        computeInstances: gi.computeInstances.map((ci) => ({ id: ci.id, profileId: ci.profileId, placement: ci.placement, uuid: ci.migDevice?.uuid ?? null })),
        processes: gi.processes.map((p) => ({ pid: p.pid, computeInstanceId: p.computeInstanceId, usedMiB: p.usedGpuMemory === null ? null : p.usedGpuMemory / MIB })),
        activity: activityOf(gi.activity),
      })),
      processes: g.processes.map((p) => ({ pid: p.pid, usedMiB: p.usedGpuMemory === null ? null : p.usedGpuMemory / MIB })),
      activity: activityOf(g.activity),
    };
  }
}
