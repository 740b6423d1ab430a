// A direct C-ABI client of the mock for its own tests (koffi FFI): the tests exercise the exported
// symbols and struct layouts exactly as any NVML client does, independent of the addon.
// Handles are read and passed as 64-bit integers, so tests can also forge stale/garbage ones.
import koffi from 'koffi';
import { fileURLToPath } from 'node:url';
import { NVML } from '../nvml-return-codes';

export const MOCK_PATH = fileURLToPath(new URL('../../build/Release/mock/libnvidia-ml.so.1', import.meta.url));
export const LEGACY_PATH = fileURLToPath(new URL('../../build/Release/mock-legacy/libnvidia-ml.so.1', import.meta.url));

// NVML's return codes: the tests' hand-written list (never the package's own table).
export { NVML };

const u32 = 'uint32_t';
const Placement = koffi.struct({ start: u32, size: u32 });
const giV1Fields = {
  id: u32, isP2pSupported: u32, sliceCount: u32, instanceCount: u32, multiprocessorCount: u32,
  copyEngineCount: u32, decoderCount: u32, encoderCount: u32, jpegCount: u32, ofaCount: u32,
  memorySizeMB: 'uint64_t',
};
const GiProfileV1 = koffi.struct(giV1Fields);
const GiProfileV2 = koffi.struct({ version: u32, ...giV1Fields, name: koffi.array('char', 96, 'String') });
const GiProfileV3 = koffi.struct({
  version: u32, id: u32, sliceCount: u32, instanceCount: u32, multiprocessorCount: u32, copyEngineCount: u32,
  decoderCount: u32, encoderCount: u32, jpegCount: u32, ofaCount: u32, memorySizeMB: 'uint64_t',
  name: koffi.array('char', 96, 'String'), capabilities: u32,
});
const GiInfo = koffi.struct({ device: 'uint64_t', id: u32, profileId: u32, placement: Placement });
const ciV1Fields = {
  id: u32, sliceCount: u32, instanceCount: u32, multiprocessorCount: u32, sharedCopyEngineCount: u32,
  sharedDecoderCount: u32, sharedEncoderCount: u32, sharedJpegCount: u32, sharedOfaCount: u32,
};
const CiProfileV1 = koffi.struct(ciV1Fields);
const CiProfileV2 = koffi.struct({ version: u32, ...ciV1Fields, name: koffi.array('char', 96, 'String') });
const CiInfo = koffi.struct({ device: 'uint64_t', gpuInstance: 'uint64_t', id: u32, profileId: u32, placement: Placement });
const Memory = koffi.struct({ total: 'uint64_t', free: 'uint64_t', used: 'uint64_t' });
const MemoryV2 = koffi.struct({ version: u32, total: 'uint64_t', reserved: 'uint64_t', free: 'uint64_t', used: 'uint64_t' });
const Utilization = koffi.struct({ gpu: u32, memory: u32 });
const ProcessInfo = koffi.struct({ pid: u32, usedGpuMemory: 'uint64_t', gpuInstanceId: u32, computeInstanceId: u32 });
const FieldValue = koffi.struct({
  fieldId: u32, scopeId: u32, timestamp: 'int64_t', latencyUsec: 'int64_t', valueType: 'int', nvmlReturn: 'int',
  value: 'uint64_t',
});
const Attributes = koffi.struct({
  multiprocessorCount: u32, sharedCopyEngineCount: u32, sharedDecoderCount: u32, sharedEncoderCount: u32,
  sharedJpegCount: u32, sharedOfaCount: u32, gpuInstanceSliceCount: u32, computeInstanceSliceCount: u32,
  memorySizeMB: 'uint64_t',
});
const PciInfo = koffi.struct({
  busIdLegacy: koffi.array('char', 16, 'String'), domain: u32, bus: u32, device: u32, pciDeviceId: u32,
  pciSubSystemId: u32, busId: koffi.array('char', 32, 'String'),
});
const EventData = koffi.struct({
  device: 'uint64_t', eventType: 'uint64_t', eventData: 'uint64_t', gpuInstanceId: u32, computeInstanceId: u32,
});

export const VERSION = {
  giV2: 0x02000098, giV3: 0x03000098, ciV2: 0x02000088, ciV3: 0x0300008c, memV2: (40 | (2 << 24)) >>> 0,
};

export type Handle = bigint;
export interface Placement { start: number; size: number }

/** Loads a mock library and exposes each NVML call as a small JS function returning {ret, ...}. */
export function openLibrary(path: string = MOCK_PATH) {
  const lib = koffi.load(path);
  const f = (proto: string) => lib.func(proto);
  const fn = {
    init: f('int nvmlInit_v2()'),
    initWithFlags: f('int nvmlInitWithFlags(uint32_t)'),
    shutdown: f('int nvmlShutdown()'),
    errorString: f('const char *nvmlErrorString(int)'),
    driverVersion: f('int nvmlSystemGetDriverVersion(_Out_ uint8_t *buf, uint32_t len)'),
    nvmlVersion: f('int nvmlSystemGetNVMLVersion(_Out_ uint8_t *buf, uint32_t len)'),
    cudaVersion: f('int nvmlSystemGetCudaDriverVersion_v2(_Out_ int *v)'),
    count: f('int nvmlDeviceGetCount_v2(_Out_ uint32_t *n)'),
    byIndex: f('int nvmlDeviceGetHandleByIndex_v2(uint32_t i, _Out_ uint64_t *h)'),
    byUuid: f('int nvmlDeviceGetHandleByUUID(const char *u, _Out_ uint64_t *h)'),
    byPci: f('int nvmlDeviceGetHandleByPciBusId_v2(const char *u, _Out_ uint64_t *h)'),
    name: f('int nvmlDeviceGetName(uint64_t h, _Out_ uint8_t *buf, uint32_t len)'),
    uuid: f('int nvmlDeviceGetUUID(uint64_t h, _Out_ uint8_t *buf, uint32_t len)'),
    index: f('int nvmlDeviceGetIndex(uint64_t h, _Out_ uint32_t *i)'),
    minor: f('int nvmlDeviceGetMinorNumber(uint64_t h, _Out_ uint32_t *i)'),
    pci: f('int nvmlDeviceGetPciInfo_v3(uint64_t h, void *p)'),
    memory: f('int nvmlDeviceGetMemoryInfo(uint64_t h, void *m)'),
    memoryV2: f('int nvmlDeviceGetMemoryInfo_v2(uint64_t h, void *m)'),
    utilization: f('int nvmlDeviceGetUtilizationRates(uint64_t h, void *u)'),
    processes: f('int nvmlDeviceGetComputeRunningProcesses_v3(uint64_t h, _Inout_ uint32_t *n, void *infos)'),
    fieldValues: f('int nvmlDeviceGetFieldValues(uint64_t h, int n, void *values)'),
    setMigMode: f('int nvmlDeviceSetMigMode(uint64_t h, uint32_t mode, _Out_ int *status)'),
    getMigMode: f('int nvmlDeviceGetMigMode(uint64_t h, _Out_ uint32_t *cur, _Out_ uint32_t *pend)'),
    giProfile: f('int nvmlDeviceGetGpuInstanceProfileInfo(uint64_t h, uint32_t i, void *info)'),
    giProfileV: f('int nvmlDeviceGetGpuInstanceProfileInfoV(uint64_t h, uint32_t i, void *info)'),
    giProfileByIdV: f('int nvmlDeviceGetGpuInstanceProfileInfoByIdV(uint64_t h, uint32_t id, void *info)'),
    giPlacements: f('int nvmlDeviceGetGpuInstancePossiblePlacements_v2(uint64_t h, uint32_t id, void *p, _Inout_ uint32_t *n)'),
    giCapacity: f('int nvmlDeviceGetGpuInstanceRemainingCapacity(uint64_t h, uint32_t id, _Out_ uint32_t *n)'),
    createGi: f('int nvmlDeviceCreateGpuInstance(uint64_t h, uint32_t id, _Out_ uint64_t *gi)'),
    createGiAt: f('int nvmlDeviceCreateGpuInstanceWithPlacement(uint64_t h, uint32_t id, void *p, _Out_ uint64_t *gi)'),
    destroyGi: f('int nvmlGpuInstanceDestroy(uint64_t gi)'),
    gis: f('int nvmlDeviceGetGpuInstances(uint64_t h, uint32_t id, void *out, _Inout_ uint32_t *n)'),
    giById: f('int nvmlDeviceGetGpuInstanceById(uint64_t h, uint32_t id, _Out_ uint64_t *gi)'),
    giInfo: f('int nvmlGpuInstanceGetInfo(uint64_t gi, void *info)'),
    ciProfile: f('int nvmlGpuInstanceGetComputeInstanceProfileInfo(uint64_t gi, uint32_t p, uint32_t e, void *info)'),
    ciProfileV: f('int nvmlGpuInstanceGetComputeInstanceProfileInfoV(uint64_t gi, uint32_t p, uint32_t e, void *info)'),
    ciCapacity: f('int nvmlGpuInstanceGetComputeInstanceRemainingCapacity(uint64_t gi, uint32_t id, _Out_ uint32_t *n)'),
    ciPlacements: f('int nvmlGpuInstanceGetComputeInstancePossiblePlacements(uint64_t gi, uint32_t id, void *p, _Inout_ uint32_t *n)'),
    createCi: f('int nvmlGpuInstanceCreateComputeInstance(uint64_t gi, uint32_t id, _Out_ uint64_t *ci)'),
    createCiAt: f('int nvmlGpuInstanceCreateComputeInstanceWithPlacement(uint64_t gi, uint32_t id, void *p, _Out_ uint64_t *ci)'),
    destroyCi: f('int nvmlComputeInstanceDestroy(uint64_t ci)'),
    cis: f('int nvmlGpuInstanceGetComputeInstances(uint64_t gi, uint32_t id, void *out, _Inout_ uint32_t *n)'),
    ciById: f('int nvmlGpuInstanceGetComputeInstanceById(uint64_t gi, uint32_t id, _Out_ uint64_t *ci)'),
    ciInfo: f('int nvmlComputeInstanceGetInfo_v2(uint64_t ci, void *info)'),
    isMig: f('int nvmlDeviceIsMigDeviceHandle(uint64_t h, _Out_ uint32_t *v)'),
    giId: f('int nvmlDeviceGetGpuInstanceId(uint64_t h, _Out_ uint32_t *v)'),
    ciId: f('int nvmlDeviceGetComputeInstanceId(uint64_t h, _Out_ uint32_t *v)'),
    maxMig: f('int nvmlDeviceGetMaxMigDeviceCount(uint64_t h, _Out_ uint32_t *v)'),
    migByIndex: f('int nvmlDeviceGetMigDeviceHandleByIndex(uint64_t h, uint32_t i, _Out_ uint64_t *m)'),
    parent: f('int nvmlDeviceGetDeviceHandleFromMigDeviceHandle(uint64_t h, _Out_ uint64_t *p)'),
    attributes: f('int nvmlDeviceGetAttributes_v2(uint64_t h, void *a)'),
    eventTypes: f('int nvmlDeviceGetSupportedEventTypes(uint64_t h, _Out_ uint64_t *t)'),
    eventSetCreate: f('int nvmlEventSetCreate(_Out_ uint64_t *s)'),
    registerEvents: f('int nvmlDeviceRegisterEvents(uint64_t h, uint64_t types, uint64_t s)'),
    eventWait: f('int nvmlEventSetWait_v2(uint64_t s, void *data, uint32_t ms)'),
    eventSetFree: f('int nvmlEventSetFree(uint64_t s)'),
    control: f('int nvmlMockControl(const char *req, uint8_t *resp, _Inout_ uint32_t *len)'),
  };
  return makeClient(lib, fn);
}

function cstr(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}

type Lib = ReturnType<typeof koffi.load>;
type Fn = ReturnType<Lib['func']>;
type CType = ReturnType<typeof koffi.struct>;
export interface ProcessRow { pid: number; usedGpuMemory: number; gpuInstanceId: number; computeInstanceId: number }

function makeClient(lib: Lib, fn: Record<string, Fn>) {
  const outStr = (call: (buf: Buffer, len: number) => number, len = 96) => {
    const buf = Buffer.alloc(len);
    const ret = call(buf, len);
    return { ret, value: ret === 0 ? cstr(buf) : '' };
  };
  const outVal = <T = number>(call: (out: [T | null]) => number) => {
    const out: [T | null] = [null];
    const ret = call(out);
    return { ret, value: out[0] as T };
  };
  const structOut = (type: CType, call: (buf: Buffer) => number, init?: (buf: Buffer) => void) => {
    const buf = Buffer.alloc(koffi.sizeof(type));
    init?.(buf);
    const ret = call(buf);
    return { ret, value: ret === 0 ? (koffi.decode(buf, type) as Record<string, any>) : null };
  };
  const withVersion = (v: number) => (buf: Buffer) => buf.writeUInt32LE(v >>> 0, 0);
  const placementList = (call: (buf: Buffer | null, n: [number]) => number) => {
    const n: [number] = [0];
    let ret = call(null, n);
    if (ret !== 0) return { ret, value: [] as Placement[] };
    const buf = Buffer.alloc(8 * Math.max(1, n[0]));
    ret = call(buf, n);
    const value = ret === 0 && n[0] ? (koffi.decode(buf, Placement, n[0]) as Placement[]) : [];
    return { ret, value: value.map((p) => ({ start: p.start, size: p.size })) };
  };
  const handleList = (call: (buf: Buffer, n: [number]) => number) => {
    const buf = Buffer.alloc(8 * 16);
    const n: [number] = [0];
    const ret = call(buf, n);
    const value: Handle[] = [];
    for (let i = 0; ret === 0 && i < n[0]; i++) value.push(buf.readBigUInt64LE(8 * i));
    return { ret, value };
  };
  const h = (x: Handle | number) => BigInt(x);
  const placementBuf = (p: Placement | null) => {
    if (!p) return null;
    const b = Buffer.alloc(8);
    b.writeUInt32LE(p.start, 0);
    b.writeUInt32LE(p.size, 4);
    return b;
  };

  const c = {
    lib,
    fn,
    init: () => fn.init() as number,
    shutdown: () => fn.shutdown() as number,
    errorString: (r: number) => fn.errorString(r) as string,
    driverVersion: () => outStr((b, l) => fn.driverVersion(b, l)),
    nvmlVersion: () => outStr((b, l) => fn.nvmlVersion(b, l)),
    cudaVersion: () => outVal((o) => fn.cudaVersion(o)),
    count: () => outVal((o) => fn.count(o)),
    device: (i: number) => outVal<Handle>((o) => fn.byIndex(i, o)),
    byUuid: (u: string) => outVal<Handle>((o) => fn.byUuid(u, o)),
    byPci: (u: string) => outVal<Handle>((o) => fn.byPci(u, o)),
    name: (d: Handle, len = 96) => outStr((b) => fn.name(h(d), b, len), Math.max(len, 1)),
    uuid: (d: Handle) => outStr((b, l) => fn.uuid(h(d), b, l)),
    index: (d: Handle) => outVal((o) => fn.index(h(d), o)),
    minor: (d: Handle) => outVal((o) => fn.minor(h(d), o)),
    pci: (d: Handle) => structOut(PciInfo, (b) => fn.pci(h(d), b)),
    memory: (d: Handle) => structOut(Memory, (b) => fn.memory(h(d), b)),
    memoryV2: (d: Handle, version = VERSION.memV2) => structOut(MemoryV2, (b) => fn.memoryV2(h(d), b), withVersion(version)),
    utilization: (d: Handle) => structOut(Utilization, (b) => fn.utilization(h(d), b)),
    /** The two-call protocol: ask for the count, then fetch. */
    processes: (d: Handle) => {
      const n: [number] = [0];
      let ret = fn.processes(h(d), n, null) as number;
      if (ret === 0) return { ret, value: [] as ProcessRow[], firstRet: 0 };
      const firstRet = ret;
      if (ret !== NVML.INSUFFICIENT_SIZE) return { ret, value: [] as ProcessRow[], firstRet };
      const buf = Buffer.alloc(koffi.sizeof(ProcessInfo) * n[0]);
      ret = fn.processes(h(d), n, buf) as number;
      const value = ret === 0 ? (koffi.decode(buf, ProcessInfo, n[0]) as ProcessRow[]) : [];
      return { ret, value: value.map((p) => ({ ...p, usedGpuMemory: Number(p.usedGpuMemory) })), firstRet };
    },
    processesRaw: (d: Handle, n: [number], buf: Buffer | null) => fn.processes(h(d), n, buf) as number,
    fieldValues: (d: Handle, ids: number[]) => {
      const size = koffi.sizeof(FieldValue);
      const buf = Buffer.alloc(size * ids.length);
      ids.forEach((id, i) => buf.writeUInt32LE(id, i * size));
      const ret = fn.fieldValues(h(d), ids.length, buf) as number;
      const values = ids.map((_, i) => koffi.decode(buf.subarray(i * size), FieldValue) as Record<string, any>);
      return { ret, value: values.map((v) => ({ fieldId: v.fieldId, nvmlReturn: v.nvmlReturn, value: Number(BigInt(v.value) & 0xffffffffn) })) };
    },
    setMigMode: (d: Handle, mode: number) => {
      const st: [number | null] = [null];
      const ret = fn.setMigMode(h(d), mode, st) as number;
      return { ret, status: st[0] as number };
    },
    migMode: (d: Handle) => {
      const cur: [number | null] = [null];
      const pend: [number | null] = [null];
      const ret = fn.getMigMode(h(d), cur, pend) as number;
      return { ret, current: cur[0] as number, pending: pend[0] as number };
    },
    giProfile: (d: Handle, index: number) => structOut(GiProfileV1, (b) => fn.giProfile(h(d), index, b)),
    giProfileV: (d: Handle, index: number, version = VERSION.giV2) =>
      structOut(version === VERSION.giV3 ? GiProfileV3 : GiProfileV2, (b) => fn.giProfileV(h(d), index, b), withVersion(version)),
    giProfileByIdV: (d: Handle, id: number, version = VERSION.giV2) =>
      structOut(version === VERSION.giV3 ? GiProfileV3 : GiProfileV2, (b) => fn.giProfileByIdV(h(d), id, b), withVersion(version)),
    giPlacements: (d: Handle, id: number) => placementList((b, n) => fn.giPlacements(h(d), id, b, n)),
    giCapacity: (d: Handle, id: number) => outVal((o) => fn.giCapacity(h(d), id, o)),
    createGi: (d: Handle, id: number, at?: Placement) =>
      outVal<Handle>((o) => (at ? fn.createGiAt(h(d), id, placementBuf(at), o) : fn.createGi(h(d), id, o))),
    destroyGi: (gi: Handle) => fn.destroyGi(h(gi)) as number,
    gis: (d: Handle, id: number) => handleList((b, n) => fn.gis(h(d), id, b, n)),
    giById: (d: Handle, id: number) => outVal<Handle>((o) => fn.giById(h(d), id, o)),
    giInfo: (gi: Handle) => structOut(GiInfo, (b) => fn.giInfo(h(gi), b)),
    ciProfile: (gi: Handle, index: number, eng = 0) => structOut(CiProfileV1, (b) => fn.ciProfile(h(gi), index, eng, b)),
    ciProfileV: (gi: Handle, index: number, version = VERSION.ciV2, eng = 0) =>
      structOut(CiProfileV2, (b) => fn.ciProfileV(h(gi), index, eng, b), withVersion(version)),
    ciCapacity: (gi: Handle, id: number) => outVal((o) => fn.ciCapacity(h(gi), id, o)),
    ciPlacements: (gi: Handle, id: number) => placementList((b, n) => fn.ciPlacements(h(gi), id, b, n)),
    createCi: (gi: Handle, id: number, at?: Placement) =>
      outVal<Handle>((o) => (at ? fn.createCiAt(h(gi), id, placementBuf(at), o) : fn.createCi(h(gi), id, o))),
    destroyCi: (ci: Handle) => fn.destroyCi(h(ci)) as number,
    cis: (gi: Handle, id: number) => handleList((b, n) => fn.cis(h(gi), id, b, n)),
    ciById: (gi: Handle, id: number) => outVal<Handle>((o) => fn.ciById(h(gi), id, o)),
    ciInfo: (ci: Handle) => structOut(CiInfo, (b) => fn.ciInfo(h(ci), b)),
    isMig: (d: Handle) => outVal((o) => fn.isMig(h(d), o)),
    giId: (d: Handle) => outVal((o) => fn.giId(h(d), o)),
    ciId: (d: Handle) => outVal((o) => fn.ciId(h(d), o)),
    maxMig: (d: Handle) => outVal((o) => fn.maxMig(h(d), o)),
    migByIndex: (d: Handle, i: number) => outVal<Handle>((o) => fn.migByIndex(h(d), i, o)),
    parent: (d: Handle) => outVal<Handle>((o) => fn.parent(h(d), o)),
    attributes: (d: Handle) => structOut(Attributes, (b) => fn.attributes(h(d), b)),
    eventTypes: (d: Handle) => outVal<bigint>((o) => fn.eventTypes(h(d), o)),
    eventSetCreate: () => outVal<Handle>((o) => fn.eventSetCreate(o)),
    registerEvents: (d: Handle, types: bigint, s: Handle) => fn.registerEvents(h(d), types, h(s)) as number,
    eventWait: (s: Handle, ms: number) => structOut(EventData, (b) => fn.eventWait(h(s), b, ms)),
    eventSetFree: (s: Handle) => fn.eventSetFree(h(s)) as number,
    /** The JSON control channel; retries with the size the mock asks for. */
    control: (req: object): any => {
      const text = JSON.stringify(req);
      const len: [number] = [256];
      let buf = Buffer.alloc(len[0]);
      let ret = fn.control(text, buf, len) as number;
      if (ret === NVML.INSUFFICIENT_SIZE) {
        buf = Buffer.alloc(len[0]);
        ret = fn.control(text, buf, len) as number;
      }
      if (ret !== 0) throw new Error(`nvmlMockControl returned ${ret}`);
      return JSON.parse(cstr(buf));
    },
  };
  return c;
}

export type MockClient = ReturnType<typeof openLibrary>;

/** Asserts success and returns the value: keeps the tests short. */
export function ok<T>(r: { ret: number; value: T }): T {
  if (r.ret !== 0) throw new Error(`expected NVML_SUCCESS, got ${r.ret}`);
  return r.value;
}
