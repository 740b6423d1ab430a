// Value types of the monitoring API: one snapshot of every GPU and MIG device.

import type { DeviceAttributes, MemoryInfo, MigMode, Placement, ProcessInfo } from '../types';
import type { Activity } from '../activity';

/**
 * One read that failed while the snapshot was taken; the rest of the snapshot is still valid.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * for (const gpu of (await new Monitor(nvml).snapshot()).gpus) {
 *   for (const err of gpu.errors) console.warn(gpu.index, err.fn, err.code, err.nvmlReturn); // the rest of the snapshot is still read
 * }
 * ```
 */
export interface SnapshotReadError {
  /** The NVML function, e.g. 'nvmlDeviceGetMemoryInfo_v2'. */
  fn: string;
  /** The NVML enum name, e.g. 'NVML_ERROR_GPU_IS_LOST'. */
  code: string;
  nvmlReturn: number;
}

/**
 * A MIG device (one compute instance, seen as a device) under its parent GPU.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const [gpu] = (await new Monitor(nvml).snapshot()).gpus;
 * for (const mig of gpu?.migDevices ?? []) console.log(mig.index, mig.name, mig.memory?.total, mig.processes.length);
 * ```
 */
export interface MigDeviceSnapshot {
  /** Index under the parent (what nvmlDeviceGetMigDeviceHandleByIndex takes). */
  index: number;
  uuid: string | null;
  /** The driver's name, e.g. "NVIDIA H100 80GB HBM3 MIG 1g.10gb". */
  name: string | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
  /** Memory of the GPU instance (its compute instances share it). null: the read failed. */
  memory: MemoryInfo | null;
  attributes: DeviceAttributes | null;
  processes: ProcessInfo[];
}

/**
 * One compute instance in a {@link GpuInstanceSnapshot}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const [gpu] = (await new Monitor(nvml).snapshot()).gpus;
 * for (const ci of gpu?.gpuInstances[0]?.computeInstances ?? []) console.log(ci.id, ci.profileId, ci.placement, ci.migDevice?.uuid);
 * ```
 */
export interface ComputeInstanceSnapshot {
  id: number;
  profileId: number;
  placement: Placement;
  /** The MIG device of this compute instance; null if it was not found in the enumeration. */
  migDevice: MigDeviceSnapshot | null;
}

/**
 * One GPU instance in a {@link GpuSnapshot}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const [gpu] = (await new Monitor(nvml).snapshot()).gpus;
 * for (const gi of gpu?.gpuInstances ?? []) console.log(gi.id, gi.profileName, gi.placement, gi.memory?.used, gi.processes.map((p) => p.pid));
 * ```
 */
export interface GpuInstanceSnapshot {
  id: number;
  profileId: number;
  /** The profile name without "MIG ", e.g. "1g.10gb" (dcgm-exporter's GPU_I_PROFILE); null until known. */
  profileName: string | null;
  placement: Placement;
  computeInstances: ComputeInstanceSnapshot[];
  /** The MIG devices of this GPU instance, in index order. */
  migDevices: MigDeviceSnapshot[];
  /** The GPU instance's memory, read through one of its MIG devices; null if none answered. */
  memory: MemoryInfo | null;
  /** Every process on the GPU instance's MIG devices. */
  processes: ProcessInfo[];
  /**
   * The instance's activity over the sampler's last window (GPM; fractions of this instance's own
   * resources), or null: no GPM (before Hopper), activity sampling off, or no window finished yet.
   */
  activity: Activity | null;
}

/**
 * One GPU in a {@link Snapshot}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor, type GpuSnapshot } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const gpus: GpuSnapshot[] = (await new Monitor(nvml).snapshot()).gpus;
 * for (const g of gpus) console.log(g.index, g.name, g.pciBusId, g.migMode, g.gpuInstances.length, g.layoutKey);
 * ```
 */
export interface GpuSnapshot {
  index: number;
  uuid: string | null;
  /** The product name, e.g. "NVIDIA H100 80GB HBM3" (dcgm-exporter's modelName). */
  name: string | null;
  /** "00000000:07:00.0" */
  pciBusId: string | null;
  /** null: the GPU has no MIG support (NOT_SUPPORTED) or the read failed. */
  migMode: MigMode | null;
  memory: MemoryInfo | null;
  /** null where the driver does not report it (always, while MIG is enabled). */
  utilization: { gpu: number; memory: number } | null;
  /** Processes as the parent GPU reports them (aggregate; may need privileges under MIG). */
  processes: ProcessInfo[];
  gpuInstances: GpuInstanceSnapshot[];
  migDevices: MigDeviceSnapshot[];
  errors: SnapshotReadError[];
  /** Identifies the MIG layout (mode, GPU and compute instances): equal keys, equal layouts. */
  layoutKey: string;
  /** The whole GPU's activity over the sampler's last window (GPM), or null (see GpuInstanceSnapshot.activity). */
  activity: Activity | null;
}

/**
 * One reading of every GPU, from {@link Monitor.snapshot}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor, type Snapshot } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const snap: Snapshot = await new Monitor(nvml).snapshot();
 * console.log(new Date(snap.timestamp), snap.readNs / 1e6, 'ms', snap.gpus.length); // a plain JSON value
 * ```
 */
export interface Snapshot {
  /** Date.now() when the snapshot was taken. */
  timestamp: number;
  /** Nanoseconds the native read of every GPU took (the NVML calls themselves). */
  readNs: number;
  gpus: GpuSnapshot[];
}
