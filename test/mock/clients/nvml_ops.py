#!/usr/bin/env python3
"""A plain ctypes NVML client for the mock's tests: proves the C ABI needs nothing of Node.

usage: nvml_ops.py LIBRARY OP [OP ...]
Each OP runs in order and appends one result to a JSON list printed at the end:
  init | shutdown | count                       -> return code (count: [ret, n])
  name:GPU | uuid:GPU                           -> [ret, text]
  setmig:GPU:MODE                               -> [ret, activationStatus]
  migmode:GPU                                   -> [ret, current, pending]
  create:GPU:PROFILE_ID                         -> [ret, gi id or null]
  capacity:GPU:PROFILE_ID                       -> [ret, count]
  profile:GPU:INDEX                             -> [ret, {v1 fields}, v2 name]
  placements:GPU:PROFILE_ID                     -> [ret, [[start, size], ...]]
  createci:GPU:GI_ID:CI_PROFILE                 -> [ret, ci id or null]
  migdevices:GPU                                -> [[index, uuid, name, gi, ci, memory MiB], ...]
  processes:GPU                                 -> [ret, [[pid, MiB, gi, ci], ...]]
  timed:N:name:GPU                              -> seconds for N nvmlDeviceGetName calls
  errorstring:CODE                              -> text
  addproc:GPU:PID                               -> control addProcess answered ok (true/false)
  churn:GPU:MS                                  -> create/destroy 1-slice GIs for MS ms; iterations
"""
import ctypes
import json
import sys
import time

U = ctypes.c_uint
lib = ctypes.CDLL(sys.argv[1])
lib.nvmlErrorString.restype = ctypes.c_char_p


class GiProfileV1(ctypes.Structure):
    _fields_ = [(n, U) for n in ("id isP2pSupported sliceCount instanceCount multiprocessorCount "
                                 "copyEngineCount decoderCount encoderCount jpegCount ofaCount").split()] + \
               [("memorySizeMB", ctypes.c_ulonglong)]


class GiProfileV2(ctypes.Structure):
    _fields_ = [("version", U)] + GiProfileV1._fields_ + [("name", ctypes.c_char * 96)]


class Placement(ctypes.Structure):
    _fields_ = [("start", U), ("size", U)]


class GiInfo(ctypes.Structure):
    _fields_ = [("device", ctypes.c_void_p), ("id", U), ("profileId", U), ("placement", Placement)]


class CiInfo(ctypes.Structure):
    _fields_ = [("device", ctypes.c_void_p), ("gpuInstance", ctypes.c_void_p), ("id", U), ("profileId", U),
                ("placement", Placement)]


class Memory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


class Process(ctypes.Structure):
    _fields_ = [("pid", U), ("usedGpuMemory", ctypes.c_ulonglong), ("gpuInstanceId", U), ("computeInstanceId", U)]


def device(i):
    h = ctypes.c_void_p()
    ret = lib.nvmlDeviceGetHandleByIndex_v2(U(i), ctypes.byref(h))
    return h if ret == 0 else None


def text(fn, h):
    buf = ctypes.create_string_buffer(96)
    ret = fn(h, buf, U(96))
    return [ret, buf.value.decode() if ret == 0 else None]


def gi_id(gi):
    info = GiInfo()
    return info.id if lib.nvmlGpuInstanceGetInfo(gi, ctypes.byref(info)) == 0 else None


def run(op):
    name, *args = op.split(":")
    a = [int(x) for x in args] if name not in ("timed",) else args
    if name == "init":
        return lib.nvmlInit_v2()
    if name == "shutdown":
        return lib.nvmlShutdown()
    if name == "count":
        n = U()
        return [lib.nvmlDeviceGetCount_v2(ctypes.byref(n)), n.value]
    if name == "errorstring":
        return lib.nvmlErrorString(a[0]).decode()
    if name == "timed":
        count, _, gpu = int(a[0]), a[1], int(a[2])
        h = device(gpu)
        buf = ctypes.create_string_buffer(96)
        t = time.perf_counter()
        for _ in range(count):
            lib.nvmlDeviceGetName(h, buf, U(96))
        return time.perf_counter() - t
    h = device(a[0])
    if name == "name":
        return text(lib.nvmlDeviceGetName, h)
    if name == "uuid":
        return text(lib.nvmlDeviceGetUUID, h)
    if name == "setmig":
        st = ctypes.c_int(-1)
        return [lib.nvmlDeviceSetMigMode(h, U(a[1]), ctypes.byref(st)), st.value]
    if name == "migmode":
        cur, pend = U(), U()
        return [lib.nvmlDeviceGetMigMode(h, ctypes.byref(cur), ctypes.byref(pend)), cur.value, pend.value]
    if name == "create":
        gi = ctypes.c_void_p()
        ret = lib.nvmlDeviceCreateGpuInstance(h, U(a[1]), ctypes.byref(gi))
        return [ret, gi_id(gi) if ret == 0 else None]
    if name == "capacity":
        n = U()
        return [lib.nvmlDeviceGetGpuInstanceRemainingCapacity(h, U(a[1]), ctypes.byref(n)), n.value]
    if name == "profile":
        p1, p2 = GiProfileV1(), GiProfileV2()
        p2.version = 0x02000098
        ret = lib.nvmlDeviceGetGpuInstanceProfileInfo(h, U(a[1]), ctypes.byref(p1))
        lib.nvmlDeviceGetGpuInstanceProfileInfoV(h, U(a[1]), ctypes.byref(p2))
        fields = {f: getattr(p1, f) for f, _ in GiProfileV1._fields_}
        return [ret, fields if ret == 0 else None, p2.name.decode() if ret == 0 else None]
    if name == "placements":
        n = U(0)
        ret = lib.nvmlDeviceGetGpuInstancePossiblePlacements_v2(h, U(a[1]), None, ctypes.byref(n))
        arr = (Placement * max(n.value, 1))()
        ret = ret or lib.nvmlDeviceGetGpuInstancePossiblePlacements_v2(h, U(a[1]), arr, ctypes.byref(n))
        return [ret, [[arr[i].start, arr[i].size] for i in range(n.value)] if ret == 0 else []]
    if name == "createci":
        gi, ci = ctypes.c_void_p(), ctypes.c_void_p()
        ret = lib.nvmlDeviceGetGpuInstanceById(h, U(a[1]), ctypes.byref(gi))
        ret = ret or lib.nvmlGpuInstanceCreateComputeInstance(gi, U(a[2]), ctypes.byref(ci))
        info = CiInfo()
        return [ret, info.id if ret == 0 and lib.nvmlComputeInstanceGetInfo_v2(ci, ctypes.byref(info)) == 0 else None]
    if name == "migdevices":
        out, n = [], U()
        lib.nvmlDeviceGetMaxMigDeviceCount(h, ctypes.byref(n))
        for i in range(n.value):
            mig = ctypes.c_void_p()
            if lib.nvmlDeviceGetMigDeviceHandleByIndex(h, U(i), ctypes.byref(mig)) != 0:
                continue
            g, c, mem = U(), U(), Memory()
            lib.nvmlDeviceGetGpuInstanceId(mig, ctypes.byref(g))
            lib.nvmlDeviceGetComputeInstanceId(mig, ctypes.byref(c))
            lib.nvmlDeviceGetMemoryInfo(mig, ctypes.byref(mem))
            out.append([i, text(lib.nvmlDeviceGetUUID, mig)[1], text(lib.nvmlDeviceGetName, mig)[1], g.value, c.value,
                        mem.total // (1 << 20)])
        return out
    if name == "addproc":
        req = json.dumps({"cmd": "addProcess", "gpu": a[0], "pid": a[1], "usedMemoryMiB": 1}).encode()
        buf, n = ctypes.create_string_buffer(4096), U(4096)
        ret = lib.nvmlMockControl(req, buf, ctypes.byref(n))
        return ret == 0 and json.loads(buf.value.decode())["ok"]
    if name == "churn":
        end, count, gi = time.monotonic() + a[1] / 1000.0, 0, ctypes.c_void_p()
        while time.monotonic() < end:
            if lib.nvmlDeviceCreateGpuInstance(h, U(19), ctypes.byref(gi)) == 0:
                lib.nvmlGpuInstanceDestroy(gi)
            count += 1
        return count
    if name == "processes":
        n = U(0)
        ret = lib.nvmlDeviceGetComputeRunningProcesses_v3(h, ctypes.byref(n), None)
        if ret == 0:
            return [0, []]
        arr = (Process * n.value)()
        ret = lib.nvmlDeviceGetComputeRunningProcesses_v3(h, ctypes.byref(n), arr)
        return [ret, [[p.pid, p.usedGpuMemory // (1 << 20), p.gpuInstanceId, p.computeInstanceId] for p in arr[:n.value]]]
    raise SystemExit("unknown op " + op)


print(json.dumps([run(op) for op in sys.argv[2:]]))
