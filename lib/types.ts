// Public value types of the facade. The classes that produce them live in lib/nvml.ts,
// lib/device.ts, lib/gpu-instance.ts, lib/compute-instance.ts, lib/mig-device.ts.

/** `{start, size}` on the GPU's memory-slot grid (GI) or on a GI's compute slices (CI). */
export interface Placement {
  start: number;
  size: number;
}

export interface InitOptions {
  /** Path of libnvidia-ml.so.1 to load; else env NVML_LIBRARY_PATH; else "libnvidia-ml.so.1". */
  libraryPath?: string;
  /** Every mutating call rejects with ERR_NVML_READ_ONLY before reaching NVML. Also env NVML_MIG_READONLY=1. */
  readOnly?: boolean;
  /** nvmlInitWithFlags flags (NVML_INIT_FLAG_NO_GPUS = 1, NO_ATTACH = 2). */
  flags?: number;
}

export interface MigMode {
  current: boolean;
  pending: boolean;
  /** current !== pending: a reset (Ampere) or other activation trigger is outstanding. */
  changePending: boolean;
}

export interface SetMigModeResult {
  /** The activation status as an NVML code name: 'NVML_SUCCESS', 'NVML_ERROR_IN_USE', 'NVML_ERROR_RESET_REQUIRED', ... */
  activationStatus: string;
  activationStatusReturn: number;
  /** The mode read back after the call. */
  mode: MigMode;
}

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

export interface MemoryInfo {
  total: number;
  free: number;
  used: number;
  reserved?: number;
}

export interface ProcessInfo {
  pid: number;
  usedGpuMemory: number | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
}

/** A GPU instance profile. `index` is what GetGpuInstanceProfileInfo takes; `id` is what create/list take. */
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

export interface GpuInstanceInfo {
  id: number;
  profileId: number;
  placement: Placement;
}

export interface ComputeInstanceInfo {
  id: number;
  gpuInstanceId: number;
  profileId: number;
  placement: Placement;
}

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

/** Which bound NVML functions the loaded library has: name → resolved symbol (e.g. "..._v2") or null. */
export type FunctionTable = Record<string, string | null>;
