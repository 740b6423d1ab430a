// The whole surface of the native addon (native/*.cc), declared in one typed file next to the
// loader. Nothing outside lib/ imports this: the facade (lib/nvml.ts and friends) is the API.
//
// Conventions of the raw surface:
// - Handles are numbers: ids in the addon's handle table, never raw pointers. An id carries the
//   init epoch, so an id from before a shutdown, or of a destroyed GI/CI, rejects with
//   code 'ERR_NVML_STALE_HANDLE' instead of reaching the driver.
// - Every call returns a Promise and runs its NVML call on a worker thread. Read-only calls also
//   exist as `<name>Sync` (blocking, for hot polling loops that ask for it explicitly).
// - Failures reject with the NvmlError class handed over by setErrorClass().
// - Mutations on one GPU complete in the order they were issued.
// - The addon validates every argument again (types, ranges) and throws TypeError/RangeError.

export type DeviceHandle = number;
export type GpuInstanceHandle = number;
export type ComputeInstanceHandle = number;
export type EventSetHandle = number;
export type GpmSampleHandle = number;

export interface RawPlacement {
  start: number;
  size: number;
}

export interface RawPciInfo {
  busId: string;          // "00000000:07:00.0"
  busIdLegacy: string;
  domain: number;
  bus: number;
  device: number;
  pciDeviceId: number;    // device id << 16 | vendor id
  pciSubSystemId: number;
}

export interface RawMemory {
  total: number;          // bytes
  free: number;
  used: number;
  reserved?: number;      // present when nvmlDeviceGetMemoryInfo_v2 answered
}

export interface RawProcess {
  pid: number;
  usedGpuMemory: number | null;     // bytes; null when NVML reports "not available"
  gpuInstanceId: number | null;     // null for 0xFFFFFFFF (MIG off)
  computeInstanceId: number | null;
}

export interface RawFieldValue {
  fieldId: number;
  scopeId: number;
  nvmlReturn: number;
  valueType: number;
  value: number | bigint | null;    // null when nvmlReturn != 0
  timestamp: number;
}

export interface RawGpuInstanceProfileInfo {
  structVersion: 1 | 2 | 3;         // which struct the driver filled
  id: number;                       // profile ID (what create/list/placements take)
  isP2pSupported: boolean;
  capabilities: number;             // v3 bitmask; 0 for v1/v2 (P2P bit derived from isP2pSupported)
  sliceCount: number;
  instanceCount: number;
  multiprocessorCount: number;
  copyEngineCount: number;
  decoderCount: number;
  encoderCount: number;
  jpegCount: number;
  ofaCount: number;
  memorySizeMB: number;
  name: string | null;              // the driver's name ("MIG 1g.10gb"); null from the v1 struct
}

export interface RawComputeInstanceProfileInfo {
  structVersion: 1 | 2 | 3;
  id: number;
  sliceCount: number;
  instanceCount: number;
  multiprocessorCount: number;
  sharedCopyEngineCount: number;
  sharedDecoderCount: number;
  sharedEncoderCount: number;
  sharedJpegCount: number;
  sharedOfaCount: number;
  capabilities: number;
  name: string | null;
}

export interface RawGpuInstanceInfo {
  device: DeviceHandle;
  id: number;
  profileId: number;
  placement: RawPlacement;
}

export interface RawComputeInstanceInfo {
  device: DeviceHandle;             // the MIG device handle of this CI
  gpuInstance: GpuInstanceHandle;
  id: number;
  profileId: number;
  placement: RawPlacement;
}

export interface RawDeviceAttributes {
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

export interface RawEventData {
  device: DeviceHandle;
  eventType: bigint;
  eventData: bigint;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
}

/** One metric of nvmlGpmMetricsGet: value null when its own nvmlReturn is not 0. */
export interface RawGpmMetric {
  metricId: number;
  nvmlReturn: number;
  value: number | null;
  /** The driver's names and unit ('' when it gave none). */
  shortName: string;
  longName: string;
  unit: string;
}

/** One failed read inside a snapshot: the snapshot still completes. */
export interface RawSnapshotError {
  fn: string;
  nvmlReturn: number;
  code: string;
}

export interface RawSnapshotMigDevice {
  index: number;
  handle: DeviceHandle;
  uuid: string | null;
  name: string | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
  memory: RawMemory | null;
  attributes: RawDeviceAttributes | null;
  processes: RawProcess[];
}

export interface RawSnapshotDevice {
  index: number;
  handle: DeviceHandle;
  name: string | null;
  uuid: string | null;
  pciBusId: string | null;
  migMode: { current: number; pending: number } | null;   // null: NOT_SUPPORTED
  memory: RawMemory | null;
  utilization: { gpu: number; memory: number } | null;    // null where unsupported (MIG on)
  processes: RawProcess[];
  gpuInstances: Array<{
    id: number;
    profileId: number;
    placement: RawPlacement;
    computeInstances: Array<{ id: number; profileId: number; placement: RawPlacement }>;
  }>;
  migDevices: RawSnapshotMigDevice[];
  errors: RawSnapshotError[];
}

export interface RawSnapshot {
  /** process.hrtime-style monotonic nanoseconds when the native read started and ended */
  startedNs: bigint;
  finishedNs: bigint;
  devices: RawSnapshotDevice[];
}

export interface RawOpenResult {
  path: string;                                  // what was dlopen'ed
  /** every bound function: the symbol actually resolved (newest version first), or null */
  functions: Record<string, string | null>;
}

export interface NativeBinding {
  /** Hands the NvmlError class to native code, once, at module load. */
  setErrorClass(ctor: new (code: string, nvmlReturn: number | null, fn: string | null, message?: string) => Error): void;

  /**
   * dlopen(path, RTLD_NOW|RTLD_LOCAL), resolve every symbol, then nvmlInitWithFlags(flags) on a
   * worker. A load failure rejects with code 'ERR_NVML_LOAD_FAILED' and the dlerror() text.
   * readOnly: every mutating call rejects with 'ERR_NVML_READ_ONLY' before reaching NVML.
   */
  open(path: string, flags: number, readOnly: boolean): Promise<RawOpenResult>;
  /** Waits for calls in flight, then nvmlShutdown; every handle id becomes stale. */
  close(): Promise<void>;
  isOpen(): boolean;
  setReadOnly(readOnly: boolean): void;
  /** Function name → resolved symbol or null; {} before open. No NVML call. */
  functions(): Record<string, string | null>;
  /** nvmlErrorString when loaded, else the built-in text; never throws. */
  errorString(nvmlReturn: number): string;
  /** Number of calls queued or running (used by tests of shutdown). */
  pendingCalls(): number;

  // ---- system ----
  systemGetDriverVersion(): Promise<string>;
  systemGetNvmlVersion(): Promise<string>;
  systemGetCudaDriverVersion(): Promise<number>;
  deviceGetCount(): Promise<number>;
  deviceGetHandleByIndex(index: number): Promise<DeviceHandle>;
  deviceGetHandleByUuid(uuid: string): Promise<DeviceHandle>;
  deviceGetHandleByPciBusId(busId: string): Promise<DeviceHandle>;
  deviceGetName(device: DeviceHandle): Promise<string>;
  deviceGetUuid(device: DeviceHandle): Promise<string>;
  deviceGetIndex(device: DeviceHandle): Promise<number>;
  deviceGetMinorNumber(device: DeviceHandle): Promise<number>;
  deviceGetPciInfo(device: DeviceHandle): Promise<RawPciInfo>;
  deviceGetMemoryInfo(device: DeviceHandle): Promise<RawMemory>;
  deviceGetUtilizationRates(device: DeviceHandle): Promise<{ gpu: number; memory: number }>;
  deviceGetBar1MemoryInfo(device: DeviceHandle): Promise<RawMemory>;
  deviceGetComputeRunningProcesses(device: DeviceHandle): Promise<RawProcess[]>;
  deviceGetFieldValues(device: DeviceHandle, fieldIds: number[]): Promise<RawFieldValue[]>;

  // ---- MIG mode ----
  deviceGetMigMode(device: DeviceHandle): Promise<{ current: number; pending: number }>;
  /** Resolves with the activation status (an nvmlReturn number) when the request succeeded. */
  deviceSetMigMode(device: DeviceHandle, mode: 0 | 1): Promise<{ activationStatus: number }>;

  // ---- GPU instance profiles ----
  /**
   * version 0 = newest the driver takes (v3, then v2, then the v1 call). A v3 answer with an empty
   * name (driver 580 on H100) is completed from v2: structVersion 2, capabilities from v3.
   */
  deviceGetGpuInstanceProfileInfo(device: DeviceHandle, profileIndex: number, version: 0 | 1 | 2 | 3): Promise<RawGpuInstanceProfileInfo>;
  deviceGetGpuInstanceProfileInfoById(device: DeviceHandle, profileId: number, version: 0 | 2 | 3): Promise<RawGpuInstanceProfileInfo>;
  deviceGetGpuInstancePossiblePlacements(device: DeviceHandle, profileId: number): Promise<RawPlacement[]>;
  deviceGetGpuInstanceRemainingCapacity(device: DeviceHandle, profileId: number): Promise<number>;

  // ---- GPU instances ----
  deviceCreateGpuInstance(device: DeviceHandle, profileId: number, placement?: RawPlacement): Promise<GpuInstanceHandle>;
  gpuInstanceDestroy(gi: GpuInstanceHandle): Promise<void>;
  deviceGetGpuInstances(device: DeviceHandle, profileId: number): Promise<GpuInstanceHandle[]>;
  deviceGetGpuInstanceById(device: DeviceHandle, id: number): Promise<GpuInstanceHandle>;
  gpuInstanceGetInfo(gi: GpuInstanceHandle): Promise<RawGpuInstanceInfo>;

  // ---- compute instance profiles and compute instances ----
  gpuInstanceGetComputeInstanceProfileInfo(gi: GpuInstanceHandle, profileIndex: number, engProfile: number, version: 0 | 1 | 2 | 3): Promise<RawComputeInstanceProfileInfo>;
  gpuInstanceGetComputeInstanceRemainingCapacity(gi: GpuInstanceHandle, profileId: number): Promise<number>;
  gpuInstanceGetComputeInstancePossiblePlacements(gi: GpuInstanceHandle, profileId: number): Promise<RawPlacement[]>;
  gpuInstanceCreateComputeInstance(gi: GpuInstanceHandle, profileId: number, placement?: RawPlacement): Promise<ComputeInstanceHandle>;
  computeInstanceDestroy(ci: ComputeInstanceHandle): Promise<void>;
  gpuInstanceGetComputeInstances(gi: GpuInstanceHandle, profileId: number): Promise<ComputeInstanceHandle[]>;
  gpuInstanceGetComputeInstanceById(gi: GpuInstanceHandle, id: number): Promise<ComputeInstanceHandle>;
  computeInstanceGetInfo(ci: ComputeInstanceHandle): Promise<RawComputeInstanceInfo>;

  // ---- MIG devices ----
  deviceIsMigDeviceHandle(device: DeviceHandle): Promise<boolean>;
  deviceGetGpuInstanceId(device: DeviceHandle): Promise<number>;
  deviceGetComputeInstanceId(device: DeviceHandle): Promise<number>;
  deviceGetMaxMigDeviceCount(device: DeviceHandle): Promise<number>;
  /** Rejects NOT_FOUND for an empty (sparse) index. */
  deviceGetMigDeviceHandleByIndex(device: DeviceHandle, index: number): Promise<DeviceHandle>;
  deviceGetDeviceHandleFromMigDeviceHandle(migDevice: DeviceHandle): Promise<DeviceHandle>;
  deviceGetAttributes(device: DeviceHandle): Promise<RawDeviceAttributes>;

  // ---- events ----
  deviceGetSupportedEventTypes(device: DeviceHandle): Promise<bigint>;
  eventSetCreate(): Promise<EventSetHandle>;
  deviceRegisterEvents(device: DeviceHandle, eventTypes: bigint, set: EventSetHandle): Promise<void>;
  /** Resolves null on NVML_ERROR_TIMEOUT. Blocks one worker thread up to timeoutMs. */
  eventSetWait(set: EventSetHandle, timeoutMs: number): Promise<RawEventData | null>;
  eventSetFree(set: EventSetHandle): Promise<void>;

  // ---- GPM (GPU Performance Monitoring; Hopper and newer) ----
  gpmQueryDeviceSupport(device: DeviceHandle): Promise<boolean>;
  /** A sample buffer of the driver's; free it with gpmSampleFree (close() frees those left). */
  gpmSampleAlloc(): Promise<GpmSampleHandle>;
  gpmSampleFree(sample: GpmSampleHandle): Promise<void>;
  /** Fills `sample` with the GPU's counters now. */
  gpmSampleGet(device: DeviceHandle, sample: GpmSampleHandle): Promise<void>;
  /** Fills `sample` with one GPU instance's counters now (MIG on; INVALID_ARGUMENT with MIG off). */
  gpmMigSampleGet(device: DeviceHandle, gpuInstanceId: number, sample: GpmSampleHandle): Promise<void>;
  /** Metrics between two samples of the same GPU or GPU instance, at least 100 ms apart (1-333 ids). */
  gpmMetricsGet(sample1: GpmSampleHandle, sample2: GpmSampleHandle, metricIds: number[]): Promise<RawGpmMetric[]>;

  // ---- monitoring: every GPU and MIG device in one worker trip ----
  /** The addon answers as JSON (snapshotJson); lib/binding.ts builds these objects from it. */
  snapshot(): Promise<RawSnapshot>;

  // ---- the mock library's control channel (FUNCTION_NOT_FOUND on a real driver) ----
  mockControl(requestJson: string): Promise<string>;

  // ---- blocking twins of the read-only calls ----
  deviceGetCountSync(): number;
  deviceGetHandleByIndexSync(index: number): DeviceHandle;
  deviceGetNameSync(device: DeviceHandle): string;
  deviceGetUuidSync(device: DeviceHandle): string;
  deviceGetMemoryInfoSync(device: DeviceHandle): RawMemory;
  deviceGetMigModeSync(device: DeviceHandle): { current: number; pending: number };
  deviceGetComputeRunningProcessesSync(device: DeviceHandle): RawProcess[];
  snapshotSync(): RawSnapshot;
  mockControlSync(requestJson: string): string;
}
