'use strict';
// The one description of the NVML functions the addon binds, the calls of its raw surface (ops)
// and the shapes of their results. scripts/gen-native.js turns it into
//   native/nvml_functions.gen.h  the NVML_FUNCTIONS X-macro (symbol table, typedefs, the mock's
//                                declarations), the fallbacks, the op registrations with their
//                                flags, and one writer per result struct (N-API object and the
//                                snapshot's positional JSON alike)
//   lib/native.gen.ts            the raw surface's types and the snapshot's decoder
// and the raw fault matrix (test/hardening/faults.test.ts) reads `fault` and `soft` from here.
// test/native/generated.test.ts fails when a generated file differs from what this gives
// (`npm run gen` rewrites them). How to add a function: docs/native.md.

// ---- result structs: one field list each ----
// kind: u32 | i32 | u64 | f64 (a number) | bool (u32 != 0) | idOrNull (0xFFFFFFFF → null) |
//   u64OrNull (NVML's "not available" → null) | handle (a handle id) | text (NUL-terminated) |
//   chars (fixed char array) | ns (u64 nanoseconds → bigint) | u64big (bigint) | Name (a struct
//   below) | Name[] (a std::vector of them) | ts (the struct is then written by hand).
// ts: the TS type, where it says more than the kind.
// c: the C++ expression relative to the value written (default: the field name).
// has: a C++ condition; when false the field is null (or, with optional, absent).
const structs = {
  Placement: [
    ['start', 'u32'],
    ['size', 'u32'],
  ],
  Memory: [
    ['total', 'u64', { doc: 'bytes' }],
    ['free', 'u64'],
    ['used', 'u64'],
    ['reserved', 'u64', { has: 'hasReserved', optional: true, doc: 'present when nvmlDeviceGetMemoryInfo_v2 answered' }],
  ],
  Process: [
    ['pid', 'u32'],
    ['usedGpuMemory', 'u64OrNull', { doc: 'bytes; null when NVML reports "not available"' }],
    ['gpuInstanceId', 'idOrNull', { doc: 'null for 0xFFFFFFFF (MIG off)' }],
    ['computeInstanceId', 'idOrNull'],
  ],
  Utilization: [
    ['gpu', 'u32', { doc: 'percent' }],
    ['memory', 'u32'],
  ],
  MigMode: [
    ['current', 'u32'],
    ['pending', 'u32'],
  ],
  DeviceAttributes: [
    ['multiprocessorCount', 'u32'],
    ['sharedCopyEngineCount', 'u32'],
    ['sharedDecoderCount', 'u32'],
    ['sharedEncoderCount', 'u32'],
    ['sharedJpegCount', 'u32'],
    ['sharedOfaCount', 'u32'],
    ['gpuInstanceSliceCount', 'u32'],
    ['computeInstanceSliceCount', 'u32'],
    ['memorySizeMB', 'u64'],
  ],
  PciInfo: [
    ['busId', 'chars', { doc: '"00000000:07:00.0"' }],
    ['busIdLegacy', 'chars'],
    ['domain', 'u32'],
    ['bus', 'u32'],
    ['device', 'u32'],
    ['pciDeviceId', 'u32', { doc: 'device id << 16 | vendor id' }],
    ['pciSubSystemId', 'u32'],
  ],
  GpuInstanceInfo: [
    ['device', 'handle', { c: 'deviceId', ts: 'DeviceHandle' }],
    ['id', 'u32', { c: 'info.id' }],
    ['profileId', 'u32', { c: 'info.profileId' }],
    ['placement', 'Placement', { c: 'info.placement' }],
  ],
  ComputeInstanceInfo: [
    ['device', 'handle', { c: 'deviceId', ts: 'DeviceHandle', doc: 'the MIG device handle of this CI' }],
    ['gpuInstance', 'handle', { c: 'giId', ts: 'GpuInstanceHandle' }],
    ['id', 'u32', { c: 'info.id' }],
    ['profileId', 'u32', { c: 'info.profileId' }],
    ['placement', 'Placement', { c: 'info.placement' }],
  ],
  GpuInstanceProfileInfo: [
    ['structVersion', 'i32', { ts: '1 | 2 | 3', doc: 'which struct the driver filled' }],
    ['id', 'u32', { doc: 'profile ID (what create/list/placements take)' }],
    ['isP2pSupported', 'bool'],
    ['capabilities', 'u32', { doc: 'v3 bitmask; 0 for v1/v2 (P2P bit derived from isP2pSupported)' }],
    ['sliceCount', 'u32'],
    ['instanceCount', 'u32'],
    ['multiprocessorCount', 'u32'],
    ['copyEngineCount', 'u32'],
    ['decoderCount', 'u32'],
    ['encoderCount', 'u32'],
    ['jpegCount', 'u32'],
    ['ofaCount', 'u32'],
    ['memorySizeMB', 'u64'],
    ['name', 'text', { has: 'hasName', doc: 'the driver\'s name ("MIG 1g.10gb"); null from the v1 struct' }],
  ],
  ComputeInstanceProfileInfo: [
    ['structVersion', 'i32', { ts: '1 | 2 | 3' }],
    ['id', 'u32'],
    ['sliceCount', 'u32'],
    ['instanceCount', 'u32'],
    ['multiprocessorCount', 'u32'],
    ['sharedCopyEngineCount', 'u32', { c: 'copyEngineCount' }],
    ['sharedDecoderCount', 'u32', { c: 'decoderCount' }],
    ['sharedEncoderCount', 'u32', { c: 'encoderCount' }],
    ['sharedJpegCount', 'u32', { c: 'jpegCount' }],
    ['sharedOfaCount', 'u32', { c: 'ofaCount' }],
    ['capabilities', 'u32'],
    ['name', 'text', { has: 'hasName' }],
  ],
  FieldValue: [
    ['fieldId', 'u32'],
    ['scopeId', 'u32'],
    ['nvmlReturn', 'i32'],
    ['valueType', 'i32'],
    ['value', 'ts', { ts: 'number | bigint | null', doc: 'null when nvmlReturn != 0' }],
    ['timestamp', 'ts', { ts: 'number' }],
  ],
  GpmMetric: [
    ['metricId', 'u32', { c: 'id' }],
    ['nvmlReturn', 'i32', { c: 'ret' }],
    ['value', 'f64', { has: 'ret == NVML_SUCCESS', doc: 'null when its own nvmlReturn is not 0' }],
    ['shortName', 'text', { c: 'shortName.c_str()', doc: 'the driver\'s names and unit (\'\' when it gave none)' }],
    ['longName', 'text', { c: 'longName.c_str()' }],
    ['unit', 'text', { c: 'unit.c_str()' }],
  ],
  EventData: [
    ['device', 'handle', { c: 'deviceId', ts: 'DeviceHandle' }],
    ['eventType', 'u64big', { c: 'data.eventType' }],
    ['eventData', 'u64big', { c: 'data.eventData' }],
    ['gpuInstanceId', 'idOrNull', { c: 'data.gpuInstanceId' }],
    ['computeInstanceId', 'idOrNull', { c: 'data.computeInstanceId' }],
  ],
  // ---- snapshot(): the addon writes these as nested arrays, positions instead of keys ----
  SnapshotError: [
    ['fn', 'text'],
    ['nvmlReturn', 'i32', { c: 'ret' }],
    ['code', 'text', { c: 'ReturnCodeName(s.ret).c_str()', raw: true }],
  ],
  SnapshotComputeInstance: [
    ['id', 'u32'],
    ['profileId', 'u32'],
    ['placement', 'Placement'],
  ],
  SnapshotGpuInstance: [
    ['id', 'u32'],
    ['profileId', 'u32'],
    ['placement', 'Placement'],
    ['computeInstances', 'SnapshotComputeInstance[]', { c: 'cis' }],
  ],
  SnapshotMigDevice: [
    ['index', 'u32'],
    ['handle', 'handle', { ts: 'DeviceHandle' }],
    ['uuid', 'text', { c: 'uuid.buf', has: 'uuid.ok' }],
    ['name', 'text', { c: 'name.buf', has: 'name.ok' }],
    ['gpuInstanceId', 'u32', { c: 'gi', has: 'hasGi' }],
    ['computeInstanceId', 'u32', { c: 'ci', has: 'hasCi' }],
    ['memory', 'Memory', { c: 'mem', has: 'hasMem' }],
    ['attributes', 'DeviceAttributes', { c: 'attrs', has: 'hasAttrs' }],
    ['processes', 'Process[]', { c: 'procs' }],
  ],
  SnapshotDevice: [
    ['index', 'u32'],
    ['handle', 'handle', { ts: 'DeviceHandle', doc: '0 (never a valid id) when the handle could not be had' }],
    ['name', 'text', { c: 'name.buf', has: 'name.ok' }],
    ['uuid', 'text', { c: 'uuid.buf', has: 'uuid.ok' }],
    ['pciBusId', 'text', { c: 'pciBusId.buf', has: 'pciBusId.ok' }],
    ['migMode', 'MigMode', { c: 'mig', has: 'hasMig', doc: 'null: NOT_SUPPORTED' }],
    ['memory', 'Memory', { c: 'mem', has: 'hasMem' }],
    ['utilization', 'Utilization', { c: 'util', has: 'hasUtil', doc: 'null where unsupported (MIG on)' }],
    ['processes', 'Process[]', { c: 'procs' }],
    ['gpuInstances', 'SnapshotGpuInstance[]', { c: 'gis' }],
    ['migDevices', 'SnapshotMigDevice[]', { c: 'migs' }],
    ['errors', 'SnapshotError[]', { doc: 'failed reads: the snapshot still completes' }],
  ],
  Snapshot: [
    ['startedNs', 'ns', { doc: 'monotonic nanoseconds when the native read started' }],
    ['finishedNs', 'ns'],
    ['devices', 'SnapshotDevice[]'],
  ],
};

// ---- the calls of the raw surface ----
// Each op is one JS export (and `<name>Sync` with sync). Either a getter, made entirely from this
// line by native/getters.cc: `getter` is the output (u32 | i32 | bool | u64big | text:<buffer size
// constant>), `on` the handle it takes (none | device | anyDevice | migDevice | gpuInstance), `fn`
// the NVML function it calls as f(handle, &out) or f(handle, buf, size); or an op class `cls`
// written by hand in native/<group>.cc, with its JS `args` and `returns` (a TS type).
// mutates: refused in read-only mode, exclusive GPU lock, per-GPU issue order.
// exclusive: exclusive lock only. pooled: runs on libuv's pool (may block for long).
const ops = {
  // system
  systemGetDriverVersion: { getter: 'text:NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE', on: 'none', fn: 'nvmlSystemGetDriverVersion' },
  systemGetNvmlVersion: { getter: 'text:NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE', on: 'none', fn: 'nvmlSystemGetNVMLVersion' },
  systemGetCudaDriverVersion: { group: 'system', cls: 'CudaVersionOp', args: '', returns: 'number' },
  deviceGetCount: { getter: 'u32', on: 'none', fn: 'nvmlDeviceGetCount_v2', sync: true },
  deviceGetHandleByIndex: { group: 'system', cls: 'ByIndexOp', args: 'index: number', returns: 'DeviceHandle', sync: true },
  deviceGetHandleByUuid: { group: 'system', cls: 'ByUuidOp', args: 'uuid: string', returns: 'DeviceHandle' },
  deviceGetHandleByPciBusId: { group: 'system', cls: 'ByPciBusIdOp', args: 'busId: string', returns: 'DeviceHandle' },
  // device
  deviceGetName: { getter: 'text:NVML_DEVICE_NAME_V2_BUFFER_SIZE', on: 'anyDevice', fn: 'nvmlDeviceGetName', sync: true },
  deviceGetUuid: { getter: 'text:NVML_DEVICE_UUID_V2_BUFFER_SIZE', on: 'anyDevice', fn: 'nvmlDeviceGetUUID', sync: true },
  deviceGetIndex: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetIndex' },
  deviceGetMinorNumber: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetMinorNumber' },
  deviceGetPowerUsage: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetPowerUsage', doc: 'Milliwatts drawn by the whole board (NOT_SUPPORTED on a MIG device handle).' },
  deviceGetPciInfo: { group: 'device', cls: 'PciInfoOp', args: 'device: DeviceHandle', returns: 'RawPciInfo' },
  deviceGetMemoryInfo: { group: 'device', cls: 'MemoryOp', args: 'device: DeviceHandle', returns: 'RawMemory', sync: true },
  deviceGetUtilizationRates: { group: 'device', cls: 'UtilizationOp', args: 'device: DeviceHandle', returns: 'RawUtilization' },
  deviceGetBar1MemoryInfo: { group: 'device', cls: 'Bar1Op', args: 'device: DeviceHandle', returns: 'RawMemory' },
  deviceGetComputeRunningProcesses: { group: 'device', cls: 'ProcessesOp', args: 'device: DeviceHandle', returns: 'RawProcess[]', sync: true },
  deviceGetFieldValues: { group: 'device', cls: 'FieldValuesOp', args: 'device: DeviceHandle, fieldIds: number[]', returns: 'RawFieldValue[]' },
  deviceGetMigMode: { group: 'device', cls: 'GetMigModeOp', args: 'device: DeviceHandle', returns: 'RawMigMode', sync: true },
  deviceSetMigMode: { group: 'device', cls: 'SetMigModeOp', args: 'device: DeviceHandle, mode: 0 | 1', returns: '{ activationStatus: number }', mutates: true, doc: 'Resolves with the activation status (an nvmlReturn number) when the request succeeded.' },
  // GPU instance profiles and GPU instances
  deviceGetGpuInstanceProfileInfo: { group: 'gpu_instance', cls: 'ProfileInfoOp', args: 'device: DeviceHandle, profileIndex: number, version: 0 | 1 | 2 | 3', returns: 'RawGpuInstanceProfileInfo', sync: true, doc: 'version 0 = newest the driver takes (v3, then v2, then the v1 call). A v3 answer with an empty name (driver 580 on H100) is completed from v2: structVersion 2, capabilities from v3.' },
  deviceGetGpuInstanceProfileInfoById: { group: 'gpu_instance', cls: 'ProfileInfoByIdOp', args: 'device: DeviceHandle, profileId: number, version: 0 | 2 | 3', returns: 'RawGpuInstanceProfileInfo' },
  deviceGetGpuInstancePossiblePlacements: { group: 'gpu_instance', cls: 'PlacementsOp', args: 'device: DeviceHandle, profileId: number', returns: 'RawPlacement[]' },
  deviceGetGpuInstanceRemainingCapacity: { group: 'gpu_instance', cls: 'RemainingCapacityOp', args: 'device: DeviceHandle, profileId: number', returns: 'number' },
  deviceCreateGpuInstance: { group: 'gpu_instance', cls: 'CreateOp', args: 'device: DeviceHandle, profileId: number, placement?: RawPlacement', returns: 'GpuInstanceHandle', mutates: true },
  gpuInstanceDestroy: { group: 'gpu_instance', cls: 'DestroyOp', args: 'gi: GpuInstanceHandle', returns: 'void', mutates: true },
  deviceGetGpuInstances: { group: 'gpu_instance', cls: 'ListOp', args: 'device: DeviceHandle, profileId: number', returns: 'GpuInstanceHandle[]' },
  deviceGetGpuInstanceById: { group: 'gpu_instance', cls: 'ByIdOp', args: 'device: DeviceHandle, id: number', returns: 'GpuInstanceHandle' },
  gpuInstanceGetInfo: { group: 'gpu_instance', cls: 'InfoOp', args: 'gi: GpuInstanceHandle', returns: 'RawGpuInstanceInfo' },
  // compute instance profiles and compute instances
  gpuInstanceGetComputeInstanceProfileInfo: { group: 'compute_instance', cls: 'ProfileInfoOp', args: 'gi: GpuInstanceHandle, profileIndex: number, engProfile: number, version: 0 | 1 | 2 | 3', returns: 'RawComputeInstanceProfileInfo' },
  gpuInstanceGetComputeInstanceRemainingCapacity: { group: 'compute_instance', cls: 'RemainingCapacityOp', args: 'gi: GpuInstanceHandle, profileId: number', returns: 'number' },
  gpuInstanceGetComputeInstancePossiblePlacements: { group: 'compute_instance', cls: 'PlacementsOp', args: 'gi: GpuInstanceHandle, profileId: number', returns: 'RawPlacement[]' },
  gpuInstanceCreateComputeInstance: { group: 'compute_instance', cls: 'CreateOp', args: 'gi: GpuInstanceHandle, profileId: number, placement?: RawPlacement', returns: 'ComputeInstanceHandle', mutates: true },
  computeInstanceDestroy: { group: 'compute_instance', cls: 'DestroyOp', args: 'ci: ComputeInstanceHandle', returns: 'void', mutates: true },
  gpuInstanceGetComputeInstances: { group: 'compute_instance', cls: 'ListOp', args: 'gi: GpuInstanceHandle, profileId: number', returns: 'ComputeInstanceHandle[]' },
  gpuInstanceGetComputeInstanceById: { group: 'compute_instance', cls: 'ByIdOp', args: 'gi: GpuInstanceHandle, id: number', returns: 'ComputeInstanceHandle' },
  computeInstanceGetInfo: { group: 'compute_instance', cls: 'InfoOp', args: 'ci: ComputeInstanceHandle', returns: 'RawComputeInstanceInfo' },
  // MIG devices
  deviceIsMigDeviceHandle: { getter: 'bool', on: 'anyDevice', fn: 'nvmlDeviceIsMigDeviceHandle' },
  deviceGetGpuInstanceId: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetGpuInstanceId' },
  deviceGetComputeInstanceId: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetComputeInstanceId' },
  deviceGetMaxMigDeviceCount: { getter: 'u32', on: 'anyDevice', fn: 'nvmlDeviceGetMaxMigDeviceCount' },
  deviceGetMigDeviceHandleByIndex: { group: 'mig_device', cls: 'ByIndexOp', args: 'device: DeviceHandle, index: number', returns: 'DeviceHandle', doc: 'Rejects NOT_FOUND for an empty (sparse) index.' },
  deviceGetDeviceHandleFromMigDeviceHandle: { group: 'mig_device', cls: 'ParentOp', args: 'migDevice: DeviceHandle', returns: 'DeviceHandle' },
  deviceGetAttributes: { group: 'mig_device', cls: 'AttributesOp', args: 'device: DeviceHandle', returns: 'RawDeviceAttributes' },
  // events
  deviceGetSupportedEventTypes: { getter: 'u64big', on: 'device', fn: 'nvmlDeviceGetSupportedEventTypes' },
  eventSetCreate: { group: 'events', cls: 'CreateOp', args: '', returns: 'EventSetHandle' },
  deviceRegisterEvents: { group: 'events', cls: 'RegisterOp', args: 'device: DeviceHandle, eventTypes: bigint, set: EventSetHandle', returns: 'void' },
  eventSetWait: { group: 'events', cls: 'WaitOp', args: 'set: EventSetHandle, timeoutMs: number', returns: 'RawEventData | null', pooled: true, doc: 'Resolves null on NVML_ERROR_TIMEOUT. Blocks one worker thread up to timeoutMs.' },
  eventSetFree: { group: 'events', cls: 'FreeOp', args: 'set: EventSetHandle', returns: 'void', exclusive: true, doc: 'Waits out a wait in progress on the set; not a GPU mutation (no read-only interlock).' },
  // GPM (GPU Performance Monitoring; Hopper and newer)
  gpmQueryDeviceSupport: { group: 'gpm', cls: 'SupportOp', args: 'device: DeviceHandle', returns: 'boolean' },
  gpmSampleAlloc: { group: 'gpm', cls: 'AllocOp', args: '', returns: 'GpmSampleHandle', doc: 'A sample buffer of the driver\'s; free it with gpmSampleFree (close() frees those left).' },
  gpmSampleFree: { group: 'gpm', cls: 'FreeOp', args: 'sample: GpmSampleHandle', returns: 'void', exclusive: true, doc: 'Waits out reads of the sample; not a GPU mutation (no read-only interlock).' },
  gpmSampleGet: { group: 'gpm', cls: 'SampleGetOp', args: 'device: DeviceHandle, sample: GpmSampleHandle', returns: 'void', sync: true, doc: 'Fills `sample` with the GPU\'s counters now.' },
  gpmMigSampleGet: { group: 'gpm', cls: 'MigSampleGetOp', args: 'device: DeviceHandle, gpuInstanceId: number, sample: GpmSampleHandle', returns: 'void', sync: true, doc: 'Fills `sample` with one GPU instance\'s counters now (MIG on; INVALID_ARGUMENT with MIG off).' },
  gpmMetricsGet: { group: 'gpm', cls: 'MetricsGetOp', args: 'sample1: GpmSampleHandle, sample2: GpmSampleHandle, metricIds: number[]', returns: 'RawGpmMetric[]', pooled: true, doc: 'Metrics between two samples of the same GPU or GPU instance, at least 100 ms apart (1-333 ids). Pooled: milliseconds per call on a real GPU.' },
  // every GPU and MIG device in one worker trip (lib/binding.ts gives it to JS as snapshot())
  snapshotJson: { group: 'snapshot', cls: 'SnapshotOp', args: 'parallelGpus?: number', returns: 'string', sync: true, pooled: true, doc: 'The snapshot as nested arrays (RawSnapshot by position); lib/binding.ts decodes it. parallelGpus (1-64, default 1): GPUs read at once, one thread each.' },
  // the bundled mock's control channel (FUNCTION_NOT_FOUND on a real driver); nvmlMockControl is not an
  // NVML function and not in `functions`: the addon resolves it apart (Library::mockControl)
  mockControl: { group: 'mock_control', cls: 'MockControlOp', args: 'requestJson: string', returns: 'string', sync: true, pooled: true },
};

// ---- the NVML functions bound, in symbol-table order ----
// params: the C parameter list (the mock implements exactly this signature). fallbacks: older
// exports with the same signature, tried in order when the name itself is missing. op: the call
// that reaches it (a getter's own fn needs no op here). fault: how the raw fault matrix reaches it
// with the fixture's handles ('unreached' or 'lifecycle' when it cannot or is tested apart;
// free: the call that frees what it made; custom: the test writes the call itself);
// legacy: through the legacy mock (the newer symbol missing). soft: return codes the call does
// not turn into an NvmlError, with what it answers instead.
const functions = [
  { name: 'nvmlInit_v2', params: 'void', fallbacks: ['nvmlInit'], op: 'open', fault: 'unreached' },
  { name: 'nvmlInitWithFlags', params: 'unsigned int flags', op: 'open', fault: 'lifecycle' },
  { name: 'nvmlShutdown', params: 'void', op: 'close', fault: 'lifecycle' },
  { name: 'nvmlSystemGetDriverVersion', params: 'char *version, unsigned int length', fault: {} },
  { name: 'nvmlSystemGetNVMLVersion', params: 'char *version, unsigned int length', fault: {} },
  { name: 'nvmlSystemGetCudaDriverVersion', params: 'int *cudaDriverVersion', op: 'systemGetCudaDriverVersion', fault: 'unreached' },
  { name: 'nvmlSystemGetCudaDriverVersion_v2', params: 'int *cudaDriverVersion', op: 'systemGetCudaDriverVersion', fault: {} },
  { name: 'nvmlDeviceGetCount_v2', params: 'unsigned int *deviceCount', fallbacks: ['nvmlDeviceGetCount'], fault: {} },
  { name: 'nvmlDeviceGetHandleByIndex_v2', params: 'unsigned int index, nvmlDevice_t *device', fallbacks: ['nvmlDeviceGetHandleByIndex'], op: 'deviceGetHandleByIndex', fault: { args: [0] } },
  { name: 'nvmlDeviceGetHandleByUUID', params: 'const char *uuid, nvmlDevice_t *device', op: 'deviceGetHandleByUuid', fault: { args: ['$uuid'] } },
  { name: 'nvmlDeviceGetHandleByPciBusId_v2', params: 'const char *pciBusId, nvmlDevice_t *device', fallbacks: ['nvmlDeviceGetHandleByPciBusId'], op: 'deviceGetHandleByPciBusId', fault: { args: ['$busId'] } },
  { name: 'nvmlDeviceGetName', params: 'nvmlDevice_t device, char *name, unsigned int length', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetUUID', params: 'nvmlDevice_t device, char *uuid, unsigned int length', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetIndex', params: 'nvmlDevice_t device, unsigned int *index', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetMinorNumber', params: 'nvmlDevice_t device, unsigned int *minorNumber', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetPowerUsage', params: 'nvmlDevice_t device, unsigned int *power', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetPciInfo_v3', params: 'nvmlDevice_t device, nvmlPciInfo_t *pci', fallbacks: ['nvmlDeviceGetPciInfo_v2'], op: 'deviceGetPciInfo', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetMemoryInfo', params: 'nvmlDevice_t device, nvmlMemory_t *memory', op: 'deviceGetMemoryInfo', fault: { on: 'device', legacy: true } },
  { name: 'nvmlDeviceGetMemoryInfo_v2', params: 'nvmlDevice_t device, nvmlMemory_v2_t *memory', op: 'deviceGetMemoryInfo', fault: { on: 'device' },
    soft: [{ code: 25, answer: 'ok', why: 'ARGUMENT_VERSION_MISMATCH: the addon retries the v1 struct' }] },
  { name: 'nvmlDeviceGetUtilizationRates', params: 'nvmlDevice_t device, nvmlUtilization_t *utilization', op: 'deviceGetUtilizationRates', fault: { on: 'plain' } },
  { name: 'nvmlDeviceGetBAR1MemoryInfo', params: 'nvmlDevice_t device, nvmlBAR1Memory_t *bar1Memory', op: 'deviceGetBar1MemoryInfo', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetComputeRunningProcesses_v3', params: 'nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos', fallbacks: ['nvmlDeviceGetComputeRunningProcesses_v2'], op: 'deviceGetComputeRunningProcesses', fault: { on: 'device' },
    soft: [{ code: 7, answer: 'ok', why: 'INSUFFICIENT_SIZE with a count of 0 means "no processes"' }] },
  { name: 'nvmlDeviceGetFieldValues', params: 'nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values', op: 'deviceGetFieldValues', fault: { on: 'device', args: [[184, 199]] } },
  { name: 'nvmlDeviceSetMigMode', params: 'nvmlDevice_t device, unsigned int mode, nvmlReturn_t *activationStatus', op: 'deviceSetMigMode', fault: { on: 'device', args: [1] } },
  { name: 'nvmlDeviceGetMigMode', params: 'nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode', op: 'deviceGetMigMode', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetGpuInstanceProfileInfo', params: 'nvmlDevice_t device, unsigned int profile, nvmlGpuInstanceProfileInfo_t *info', op: 'deviceGetGpuInstanceProfileInfo', fault: { on: 'device', args: [0, 1] } },
  { name: 'nvmlDeviceGetGpuInstanceProfileInfoV', params: 'nvmlDevice_t device, unsigned int profile, nvmlGpuInstanceProfileInfo_v2_t *info', op: 'deviceGetGpuInstanceProfileInfo', fault: { on: 'device', args: [0, 3] } },
  { name: 'nvmlDeviceGetGpuInstanceProfileInfoByIdV', params: 'nvmlDevice_t device, unsigned int profileId, nvmlGpuInstanceProfileInfo_v2_t *info', op: 'deviceGetGpuInstanceProfileInfoById', fault: { on: 'device', args: [19, 3] } },
  { name: 'nvmlDeviceGetGpuInstancePossiblePlacements_v2', params: 'nvmlDevice_t device, unsigned int profileId, nvmlGpuInstancePlacement_t *placements, unsigned int *count', op: 'deviceGetGpuInstancePossiblePlacements', fault: { on: 'device', args: [19] },
    soft: [{ code: 7, answer: 'ok', why: 'INSUFFICIENT_SIZE on the size query with the count left at 0: nothing to list' }] },
  { name: 'nvmlDeviceGetGpuInstancePossiblePlacements', params: 'nvmlDevice_t device, unsigned int profileId, nvmlGpuInstancePlacement_t *placements, unsigned int *count', op: 'deviceGetGpuInstancePossiblePlacements', fault: { on: 'device', args: [19], legacy: true },
    soft: [{ code: 7, answer: 'ok', why: 'INSUFFICIENT_SIZE on the size query with the count left at 0: nothing to list' }] },
  { name: 'nvmlDeviceGetGpuInstanceRemainingCapacity', params: 'nvmlDevice_t device, unsigned int profileId, unsigned int *count', op: 'deviceGetGpuInstanceRemainingCapacity', fault: { on: 'device', args: [19] } },
  { name: 'nvmlDeviceCreateGpuInstance', params: 'nvmlDevice_t device, unsigned int profileId, nvmlGpuInstance_t *gpuInstance', op: 'deviceCreateGpuInstance', fault: { on: 'device', args: [19] } },
  { name: 'nvmlDeviceCreateGpuInstanceWithPlacement', params: 'nvmlDevice_t device, unsigned int profileId, const nvmlGpuInstancePlacement_t *placement, nvmlGpuInstance_t *gpuInstance', op: 'deviceCreateGpuInstance', fault: { on: 'device', args: [19, { start: 0, size: 1 }] } },
  { name: 'nvmlGpuInstanceDestroy', params: 'nvmlGpuInstance_t gpuInstance', op: 'gpuInstanceDestroy', fault: { on: 'spareGi' } },
  { name: 'nvmlDeviceGetGpuInstances', params: 'nvmlDevice_t device, unsigned int profileId, nvmlGpuInstance_t *gpuInstances, unsigned int *count', op: 'deviceGetGpuInstances', fault: { on: 'device', args: [19] } },
  { name: 'nvmlDeviceGetGpuInstanceById', params: 'nvmlDevice_t device, unsigned int id, nvmlGpuInstance_t *gpuInstance', op: 'deviceGetGpuInstanceById', fault: { on: 'device', args: ['$giId'] } },
  { name: 'nvmlGpuInstanceGetInfo', params: 'nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t *info', op: 'gpuInstanceGetInfo', fault: { on: 'gi' } },
  { name: 'nvmlGpuInstanceGetComputeInstanceProfileInfo', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profile, unsigned int engProfile, nvmlComputeInstanceProfileInfo_t *info', op: 'gpuInstanceGetComputeInstanceProfileInfo', fault: { on: 'gi', args: [0, 0, 1] } },
  { name: 'nvmlGpuInstanceGetComputeInstanceProfileInfoV', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profile, unsigned int engProfile, nvmlComputeInstanceProfileInfo_v2_t *info', op: 'gpuInstanceGetComputeInstanceProfileInfo', fault: { on: 'gi', args: [0, 0, 3] } },
  { name: 'nvmlGpuInstanceGetComputeInstanceRemainingCapacity', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profileId, unsigned int *count', op: 'gpuInstanceGetComputeInstanceRemainingCapacity', fault: { on: 'spareGi', args: [0] } },
  { name: 'nvmlGpuInstanceGetComputeInstancePossiblePlacements', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profileId, nvmlComputeInstancePlacement_t *placements, unsigned int *count', op: 'gpuInstanceGetComputeInstancePossiblePlacements', fault: { on: 'spareGi', args: [0] },
    soft: [{ code: 7, answer: 'ok', why: 'INSUFFICIENT_SIZE on the size query with the count left at 0: nothing to list' }] },
  { name: 'nvmlGpuInstanceCreateComputeInstance', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profileId, nvmlComputeInstance_t *computeInstance', op: 'gpuInstanceCreateComputeInstance', fault: { on: 'spareGi', args: [0] } },
  { name: 'nvmlGpuInstanceCreateComputeInstanceWithPlacement', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profileId, const nvmlComputeInstancePlacement_t *placement, nvmlComputeInstance_t *computeInstance', op: 'gpuInstanceCreateComputeInstance', fault: { on: 'spareGi', args: [0, { start: 0, size: 1 }] } },
  { name: 'nvmlComputeInstanceDestroy', params: 'nvmlComputeInstance_t computeInstance', op: 'computeInstanceDestroy', fault: { on: 'ci' } },
  { name: 'nvmlGpuInstanceGetComputeInstances', params: 'nvmlGpuInstance_t gpuInstance, unsigned int profileId, nvmlComputeInstance_t *computeInstances, unsigned int *count', op: 'gpuInstanceGetComputeInstances', fault: { on: 'gi', args: [0] } },
  { name: 'nvmlGpuInstanceGetComputeInstanceById', params: 'nvmlGpuInstance_t gpuInstance, unsigned int id, nvmlComputeInstance_t *computeInstance', op: 'gpuInstanceGetComputeInstanceById', fault: { on: 'gi', args: [0] } },
  { name: 'nvmlComputeInstanceGetInfo_v2', params: 'nvmlComputeInstance_t computeInstance, nvmlComputeInstanceInfo_t *info', op: 'computeInstanceGetInfo', fault: { on: 'ci' } },
  { name: 'nvmlComputeInstanceGetInfo', params: 'nvmlComputeInstance_t computeInstance, nvmlComputeInstanceInfo_t *info', op: 'computeInstanceGetInfo', fault: { on: 'ci', legacy: true } },
  { name: 'nvmlDeviceIsMigDeviceHandle', params: 'nvmlDevice_t device, unsigned int *isMigDevice', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetGpuInstanceId', params: 'nvmlDevice_t device, unsigned int *id', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetComputeInstanceId', params: 'nvmlDevice_t device, unsigned int *id', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetMaxMigDeviceCount', params: 'nvmlDevice_t device, unsigned int *count', fault: { on: 'device' } },
  { name: 'nvmlDeviceGetMigDeviceHandleByIndex', params: 'nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice', op: 'deviceGetMigDeviceHandleByIndex', fault: { on: 'device', args: [0] } },
  { name: 'nvmlDeviceGetDeviceHandleFromMigDeviceHandle', params: 'nvmlDevice_t migDevice, nvmlDevice_t *device', op: 'deviceGetDeviceHandleFromMigDeviceHandle', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetAttributes_v2', params: 'nvmlDevice_t device, nvmlDeviceAttributes_t *attributes', fallbacks: ['nvmlDeviceGetAttributes'], op: 'deviceGetAttributes', fault: { on: 'mig' } },
  { name: 'nvmlDeviceGetSupportedEventTypes', params: 'nvmlDevice_t device, unsigned long long *eventTypes', fault: { on: 'device' } },
  { name: 'nvmlEventSetCreate', params: 'nvmlEventSet_t *set', op: 'eventSetCreate', fault: { free: 'eventSetFree' } },
  { name: 'nvmlDeviceRegisterEvents', params: 'nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set', op: 'deviceRegisterEvents', fault: { on: 'device', args: ['$eventTypes', '$eventSet'] } },
  { name: 'nvmlEventSetWait_v2', params: 'nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms', fallbacks: ['nvmlEventSetWait'], op: 'eventSetWait', fault: { on: 'eventSet', args: [0] },
    soft: [{ code: 10, answer: 'ok', why: 'TIMEOUT: a wait that times out resolves null' }] },
  { name: 'nvmlEventSetFree', params: 'nvmlEventSet_t set', op: 'eventSetFree', fault: { on: 'eventSet', consumes: true } },
  { name: 'nvmlGpmQueryDeviceSupport', params: 'nvmlDevice_t device, nvmlGpmSupport_t *gpmSupport', op: 'gpmQueryDeviceSupport', fault: { on: 'device' } },
  { name: 'nvmlGpmSampleAlloc', params: 'nvmlGpmSample_t *gpmSample', op: 'gpmSampleAlloc', fault: { free: 'gpmSampleFree' } },
  { name: 'nvmlGpmSampleFree', params: 'nvmlGpmSample_t gpmSample', op: 'gpmSampleFree', fault: { custom: true } },
  { name: 'nvmlGpmSampleGet', params: 'nvmlDevice_t device, nvmlGpmSample_t gpmSample', op: 'gpmSampleGet', fault: { on: 'device', args: ['$gpm.s3'] } },
  { name: 'nvmlGpmMigSampleGet', params: 'nvmlDevice_t device, unsigned int gpuInstanceId, nvmlGpmSample_t gpmSample', op: 'gpmMigSampleGet', fault: { on: 'device', args: ['$giId', '$gpm.s3'] } },
  { name: 'nvmlGpmMetricsGet', params: 'nvmlGpmMetricsGet_t *metricsGet', op: 'gpmMetricsGet', fault: { args: ['$gpm.s1', '$gpm.s2', [1, 2, 5]] } },
];

module.exports = { structs, ops, functions };
