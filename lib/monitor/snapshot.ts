// Turns the addon's raw snapshot (one trip into native code) into the typed Snapshot objects.
// Runs on every poll of a hot loop, so it is plain loops over arrays: no regular expressions,
// no intermediate copies. The memory, process, attributes, utilization and error objects of the
// raw snapshot are fresh for each snapshot (lib/native.gen.ts decodes them from the addon's JSON)
// and already have the public shapes, so they are used as they are.

import type { RawSnapshot, RawSnapshotDevice, RawSnapshotMigDevice } from '../native';
import type { MemoryInfo, ProcessInfo } from '../types';
import type {
  ComputeInstanceSnapshot,
  GpuInstanceSnapshot,
  GpuSnapshot,
  MigDeviceSnapshot,
  Snapshot,
} from './types';

/** GPU instance profile id → short name ("1g.10gb"), per GPU; undefined when not (yet) known. */
export type ProfileNameLookup = (gpuUuid: string | null, profileId: number) => string | undefined;

function migDevice(m: RawSnapshotMigDevice): MigDeviceSnapshot {
  return {
    index: m.index,
    uuid: m.uuid,
    name: m.name,
    gpuInstanceId: m.gpuInstanceId,
    computeInstanceId: m.computeInstanceId,
    memory: m.memory,
    attributes: m.attributes,
    processes: m.processes,
  };
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
/** The list in id order; the addon already returns it so, which makes this a check only. */
function inIdOrder<T extends { id: number }>(list: T[]): T[] {
  for (let i = 1; i < list.length; i++) if (list[i - 1].id > list[i].id) return list.slice().sort(byId);
  return list;
}

/** Mode, GPU instances and compute instances in a canonical order, as one string. */
export function layoutKey(d: RawSnapshotDevice): string {
  let key = d.migMode === null ? '-' : String(d.migMode.current * 2 + d.migMode.pending);
  for (const gi of inIdOrder(d.gpuInstances)) {
    const p = gi.placement;
    key += '|' + gi.id + ':' + gi.profileId + '@' + p.start + '+' + p.size;
    for (const ci of inIdOrder(gi.computeInstances)) {
      const c = ci.placement;
      key += ',' + ci.id + ':' + ci.profileId + '@' + c.start + '+' + c.size;
    }
  }
  return key;
}

function gpu(d: RawSnapshotDevice, names: ProfileNameLookup): GpuSnapshot {
  const migDevices = d.migDevices.map(migDevice);
  const gpuInstances: GpuInstanceSnapshot[] = [];
  for (const gi of d.gpuInstances) {
    const own: MigDeviceSnapshot[] = [];
    for (const m of migDevices) if (m.gpuInstanceId === gi.id) own.push(m);
    const computeInstances: ComputeInstanceSnapshot[] = gi.computeInstances.map((ci) => ({
      id: ci.id,
      profileId: ci.profileId,
      placement: { start: ci.placement.start, size: ci.placement.size },
      migDevice: own.find((m) => m.computeInstanceId === ci.id) ?? null,
    }));
    let mem: MemoryInfo | null = null;
    const procs: ProcessInfo[] = [];
    for (const m of own) {
      if (mem === null && m.memory !== null) mem = m.memory;
      // The MIG device a process was listed on says which instance it runs in, if NVML did not.
      for (const p of m.processes) {
        procs.push(p.gpuInstanceId !== null ? p : { ...p, gpuInstanceId: gi.id, computeInstanceId: m.computeInstanceId });
      }
    }
    gpuInstances.push({
      id: gi.id,
      profileId: gi.profileId,
      profileName: names(d.uuid, gi.profileId) ?? null,
      placement: { start: gi.placement.start, size: gi.placement.size },
      computeInstances,
      migDevices: own,
      memory: mem,
      processes: procs,
      activity: null,
    });
  }
  gpuInstances.sort((a, b) => a.id - b.id);
  const mode = d.migMode;
  return {
    index: d.index,
    uuid: d.uuid,
    name: d.name,
    pciBusId: d.pciBusId,
    migMode:
      mode === null
        ? null
        : { current: mode.current === 1, pending: mode.pending === 1, changePending: mode.current !== mode.pending },
    memory: d.memory,
    utilization: d.utilization,
    processes: d.processes,
    gpuInstances,
    migDevices,
    errors: d.errors,
    layoutKey: layoutKey(d),
    activity: null,
  };
}

export function fromRaw(raw: RawSnapshot, names: ProfileNameLookup, timestamp: number): Snapshot {
  return {
    timestamp,
    readNs: Number(raw.finishedNs - raw.startedNs),
    gpus: raw.devices.map((d) => gpu(d, names)),
  };
}
