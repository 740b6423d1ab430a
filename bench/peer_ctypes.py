"""Python peers of the NVML binding: plain ctypes (what pynvml does underneath) and, when it is
importable, pynvml itself. Same measurement protocol as bench/floor.c: batches of K back-to-back
calls (a batch lasts >= 20 us), per-call time = batch / K, median and p99 over the samples.

    python3 peer_ctypes.py <libnvidia-ml.so.1> <samples> op...

Prints one JSON object per line and operation.
"""
import ctypes
import json
import os
import sys
import time

lib_path, samples, ops = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
lib = ctypes.CDLL(lib_path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
now = time.perf_counter_ns


class Memory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


class MemoryV2(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("total", ctypes.c_ulonglong), ("reserved", ctypes.c_ulonglong),
                ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


class GiProfileInfo(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint) for n in ("id", "isP2pSupported", "sliceCount", "instanceCount",
                                              "multiprocessorCount", "copyEngineCount", "decoderCount",
                                              "encoderCount", "jpegCount", "ofaCount")] + \
               [("memorySizeMB", ctypes.c_ulonglong)]


class ProcessInfo(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_uint), ("usedGpuMemory", ctypes.c_ulonglong),
                ("gpuInstanceId", ctypes.c_uint), ("computeInstanceId", ctypes.c_uint)]


def check(ret, what):
    if ret != 0:
        raise RuntimeError(f"{what} returned {ret}")


check(lib.nvmlInit_v2(), "nvmlInit_v2")
dev = ctypes.c_void_p()
check(lib.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(dev)), "handle")
name_buf = ctypes.create_string_buffer(96)
count = ctypes.c_uint()
cur, pend = ctypes.c_uint(), ctypes.c_uint()
gi_info = GiProfileInfo()
has_mem_v2 = hasattr(lib, "nvmlDeviceGetMemoryInfo_v2")
mem = MemoryV2(version=ctypes.sizeof(MemoryV2) | (2 << 24)) if has_mem_v2 else Memory()
procs = (ProcessInfo * 64)()


# Each op is what a user of ctypes writes: look the function up once, call it, check the return.
def make_ops():
    get_count = lib.nvmlDeviceGetCount_v2
    get_handle = lib.nvmlDeviceGetHandleByIndex_v2
    get_name = lib.nvmlDeviceGetName
    get_uuid = lib.nvmlDeviceGetUUID
    get_mem = lib.nvmlDeviceGetMemoryInfo_v2 if has_mem_v2 else lib.nvmlDeviceGetMemoryInfo
    get_mig = lib.nvmlDeviceGetMigMode
    get_gip = lib.nvmlDeviceGetGpuInstanceProfileInfo
    get_procs = lib.nvmlDeviceGetComputeRunningProcesses_v3

    def op_count():
        check(get_count(ctypes.byref(count)), "count")

    def op_handle():
        h = ctypes.c_void_p()
        check(get_handle(0, ctypes.byref(h)), "handle")

    def op_name():
        check(get_name(dev, name_buf, 96), "name")
        return name_buf.value.decode()

    def op_uuid():
        check(get_uuid(dev, name_buf, 96), "uuid")
        return name_buf.value.decode()

    def op_memory():
        check(get_mem(dev, ctypes.byref(mem)), "memory")

    def op_mig():
        check(get_mig(dev, ctypes.byref(cur), ctypes.byref(pend)), "migMode")

    def op_gip():
        check(get_gip(dev, 0, ctypes.byref(gi_info)), "giProfile")

    def op_procs():
        n = ctypes.c_uint(0)
        r = get_procs(dev, ctypes.byref(n), None)
        if r == 7:
            n.value = 64
            r = get_procs(dev, ctypes.byref(n), procs)
        check(r, "processes")

    return {
        "count": ("nvmlDeviceGetCount_v2", op_count),
        "handle": ("nvmlDeviceGetHandleByIndex_v2", op_handle),
        "name": ("nvmlDeviceGetName", op_name),
        "uuid": ("nvmlDeviceGetUUID", op_uuid),
        "memory": ("nvmlDeviceGetMemoryInfo_v2" if has_mem_v2 else "nvmlDeviceGetMemoryInfo", op_memory),
        "migMode": ("nvmlDeviceGetMigMode", op_mig),
        "giProfile": ("nvmlDeviceGetGpuInstanceProfileInfo", op_gip),
        "processes": ("nvmlDeviceGetComputeRunningProcesses_v3", op_procs),
    }


def pynvml_ops():
    try:
        import pynvml
    except ImportError:
        return None
    # pynvml opens "libnvidia-ml.so.1" by name: the bench points LD_LIBRARY_PATH at the library's folder.
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(0)
    return {
        "count": ("nvmlDeviceGetCount", pynvml.nvmlDeviceGetCount),
        "handle": ("nvmlDeviceGetHandleByIndex", lambda: pynvml.nvmlDeviceGetHandleByIndex(0)),
        "name": ("nvmlDeviceGetName", lambda: pynvml.nvmlDeviceGetName(h)),
        "uuid": ("nvmlDeviceGetUUID", lambda: pynvml.nvmlDeviceGetUUID(h)),
        "memory": ("nvmlDeviceGetMemoryInfo", lambda: pynvml.nvmlDeviceGetMemoryInfo(h)),
        "migMode": ("nvmlDeviceGetMigMode", lambda: pynvml.nvmlDeviceGetMigMode(h)),
        "giProfile": ("nvmlDeviceGetGpuInstanceProfileInfo", lambda: pynvml.nvmlDeviceGetGpuInstanceProfileInfo(h, 0)),
        "processes": ("nvmlDeviceGetComputeRunningProcesses", lambda: pynvml.nvmlDeviceGetComputeRunningProcesses(h)),
    }


def measure(peer, op, symbol, fn):
    t0 = now()
    warm = 0
    while warm < 50 or now() - t0 < 100_000_000:
        fn()
        warm += 1
        if now() - t0 > 200_000_000:
            break
    per_call = (now() - t0) / warm
    batch = 1 if per_call >= 20_000 else min(1000, int(20_000 / per_call) + 1)
    per = []
    total = 0
    for _ in range(samples):
        a = now()
        for _ in range(batch):
            fn()
        d = now() - a
        total += d
        per.append(d / batch)
    per.sort()
    p99 = min(samples - 1, int(samples * 0.99))
    print(json.dumps({"peer": peer, "op": op, "symbol": symbol, "medianNs": round(per[samples // 2], 1),
                      "p99Ns": round(per[p99], 1), "meanNs": round(total / batch / samples, 1),
                      "batch": batch, "samples": samples}), flush=True)


def run(peer, table):
    for op in ops:
        if op not in table:
            continue
        try:
            measure(peer, op, *table[op])
        except Exception as e:  # one refused call costs its row, not the others
            print(f"{peer} {op}: {e!r}", file=sys.stderr)


run("python-ctypes", make_ops())
try:
    py = pynvml_ops()
except Exception as e:
    print(f"pynvml: {e!r}", file=sys.stderr)
    py = None
if py is not None:
    run("pynvml", py)
