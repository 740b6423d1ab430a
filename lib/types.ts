// Public value types of the facade. The classes that produce them live in lib/nvml.ts,
// lib/device.ts, lib/gpu-instance.ts, lib/compute-instance.ts, lib/mig-device.ts.

/**
 * `{start, size}` on the GPU's memory-slot grid (GI) or on a GI's compute slices (CI).
 *
 * @example
 * ```ts
 * import { init, type Placement } from 'nvml-mig';
 *
 * const nvml = await init();
 * const gpu = await nvml.device(0);
 * const where: Placement = { start: 4, size: 4 };
 * await gpu.createGpuInstance(9, where); // 3g.40gb on an H100, in the upper half
 * await nvml.shutdown();
 * ```
 */
export interface Placement {
  start: number;
  size: number;
}

/**
 * Options of {@link init}.
 *
 * @example
 * ```ts
 * import { init, type InitOptions } from 'nvml-mig';
 *
 * const options: InitOptions = { libraryPath: '/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1', readOnly: true };
 * const nvml = await init(options);
 * await nvml.shutdown();
 * ```
 */
export interface InitOptions {
  /** Path of libnvidia-ml.so.1 to load; else env NVML_LIBRARY_PATH; else "libnvidia-ml.so.1". */
  libraryPath?: string;
  /** Every mutating call rejects with ERR_NVML_READ_ONLY before reaching NVML. Also env NVML_MIG_READONLY=1. */
  readOnly?: boolean;
  /** nvmlInitWithFlags flags (NVML_INIT_FLAG_NO_GPUS = 1, NO_ATTACH = 2). */
  flags?: number;
}

/**
 * The MIG mode of a GPU: current, pending (after the next reset on Ampere) and whether they differ.
 *
 * @example
 * ```ts
 * import { init, type MigMode } from 'nvml-mig';
 *
 * const nvml = await init();
 * const mode: MigMode = await (await nvml.device(0)).migMode();
 * if (mode.changePending) console.log('a GPU reset is needed for MIG mode', mode.pending);
 * await nvml.shutdown();
 * ```
 */
export interface MigMode {
  current: boolean;
  pending: boolean;
  /** current !== pending: a reset (Ampere) or other activation trigger is outstanding. */
  changePending: boolean;
}

/**
 * What {@link Device.setMigMode} resolves with: the activation status and the mode read back.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const { activationStatus, mode } = await (await nvml.device(0)).setMigMode(true);
 * if (activationStatus !== 'NVML_SUCCESS') console.log('pending:', activationStatus, mode); // e.g. NVML_ERROR_RESET_REQUIRED on an A100
 * await nvml.shutdown();
 * ```
 */
export interface SetMigModeResult {
  /** The activation status as an NVML code name: 'NVML_SUCCESS', 'NVML_ERROR_IN_USE', 'NVML_ERROR_RESET_REQUIRED', ... */
  activationStatus: string;
  activationStatusReturn: number;
  /** The mode read back after the call. */
  mode: MigMode;
}

/**
 * PCI identity of a GPU (nvmlDeviceGetPciInfo).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const pci = await (await nvml.device(0)).pciInfo();
 * console.log(pci.busId); // '00000000:07:00.0'
 * await nvml.shutdown();
 * ```
 */
export interface PciInfo {
  busId: string;
  busIdLegacy: string;
  domain: number;
  bus: number;
  device: number;
  /** 0xDDDDVVVV: device id high 16 bits, vendor id low 16 bits (what mig-parted's device-filter matches). */
  pciDeviceId: number;
  pciSubSystemId: number;
}

/**
 * Memory of a GPU or MIG device, in bytes.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const { total, used, free } = await (await nvml.device(0)).memoryInfo();
 * console.log(total, used, free);
 * await nvml.shutdown();
 * ```
 */
export interface MemoryInfo {
  total: number;
  free: number;
  used: number;
  reserved?: number;
}

/**
 * A compute process on a GPU or MIG device, with the GPU and compute instance ids it runs in.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * for (const p of await (await nvml.device(0)).computeProcesses()) console.log(p.pid, p.usedGpuMemory, p.gpuInstanceId, p.computeInstanceId);
 * await nvml.shutdown();
 * ```
 */
export interface ProcessInfo {
  pid: number;
  usedGpuMemory: number | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
}

/**
 * A GPU instance profile. `index` is what GetGpuInstanceProfileInfo takes; `id` is what create/list take.
 *
 * @example
 * ```ts
 * import { init, type GpuInstanceProfile } from 'nvml-mig';
 *
 * const nvml = await init();
 * const profiles: GpuInstanceProfile[] = await (await nvml.device(0)).gpuInstanceProfiles();
 * for (const p of profiles) console.log(p.index, p.id, p.name, p.sliceCount, p.instanceCount, p.memorySizeMB);
 * await nvml.shutdown();
 * ```
 */
export interface GpuInstanceProfile {
  index: number;
  id: number;
  /** The driver's name, e.g. "MIG 1g.10gb" (from the v2/v3 struct). */
  name: string;
  /** name without the "MIG " prefix, e.g. "1g.10gb". */
  shortName: string;
  structVersion: 1 | 2 | 3;
  isP2pSupported: boolean;
  capabilities: number;
  sliceCount: number;
  instanceCount: number;
  multiprocessorCount: number;
  copyEngineCount: number;
  decoderCount: number;
  encoderCount: number;
  jpegCount: number;
  ofaCount: number;
  memorySizeMB: number;
}

/**
 * A compute instance profile inside a GPU instance: index, the id to create with, the driver's name, slices and shared engines.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * for (const p of await gi.computeInstanceProfiles()) console.log(p.index, p.id, p.name, p.sliceCount);
 * await nvml.shutdown();
 * ```
 */
export interface ComputeInstanceProfile {
  index: number;
  id: number;
  /** e.g. "MIG 1c.3g.40gb"; the full-GI CI is named like the GI ("MIG 3g.40gb"). */
  name: string;
  shortName: string;
  structVersion: 1 | 2 | 3;
  sliceCount: number;
  instanceCount: number;
  multiprocessorCount: number;
  sharedCopyEngineCount: number;
  sharedDecoderCount: number;
  sharedEncoderCount: number;
  sharedJpegCount: number;
  sharedOfaCount: number;
  capabilities: number;
  /** true for the CI profile that spans the whole GI (nvidia-smi marks it with '*'). */
  isDefault: boolean;
}

/**
 * What the driver says about a GPU instance (nvmlGpuInstanceGetInfo).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * const info = await gi.info();
 * console.log(info.id, info.profileId, info.placement);
 * await nvml.shutdown();
 * ```
 */
export interface GpuInstanceInfo {
  id: number;
  profileId: number;
  placement: Placement;
}

/**
 * What the driver says about a compute instance (nvmlComputeInstanceGetInfo_v2).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * const [ci] = await gi.computeInstances();
 * const info = await ci.info();
 * console.log(info.id, info.profileId, info.placement);
 * await nvml.shutdown();
 * ```
 */
export interface ComputeInstanceInfo {
  id: number;
  gpuInstanceId: number;
  profileId: number;
  placement: Placement;
}

/**
 * Attributes of a MIG device (nvmlDeviceGetAttributes_v2): SMs, shared engines, slices, memory.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [mig] = await (await nvml.device(0)).migDevices();
 * const a = await mig.attributes();
 * console.log(a.multiprocessorCount, a.gpuInstanceSliceCount, a.computeInstanceSliceCount, a.memorySizeMB);
 * await nvml.shutdown();
 * ```
 */
export interface DeviceAttributes {
  multiprocessorCount: number;
  sharedCopyEngineCount: number;
  sharedDecoderCount: number;
  sharedEncoderCount: number;
  sharedJpegCount: number;
  sharedOfaCount: number;
  gpuInstanceSliceCount: number;
  computeInstanceSliceCount: number;
  memorySizeMB: number;
}

/**
 * Which bound NVML functions the loaded library has: name → resolved symbol (e.g. "..._v2") or null.
 *
 * @example
 * ```ts
 * import { init, type FunctionTable } from 'nvml-mig';
 *
 * const nvml = await init();
 * const table: FunctionTable = nvml.functions();
 * console.log(table.nvmlDeviceGetGpuInstanceProfileInfoV); // the symbol resolved, or null on a driver without it
 * await nvml.shutdown();
 * ```
 */
export type FunctionTable = Record<string, string | null>;
