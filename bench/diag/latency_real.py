#!/usr/bin/env python3
"""What each read call of a snapshot costs on a real driver, at both of its speeds.

Every call is timed back to back (the fast speed: the previous call just returned) and after a
1 ms sleep (the slow speed a polling agent gets: the calling thread slept since its last call).
Read calls only: nothing here changes the GPU. Calls a MIG-disabled GPU refuses are timed too
(their return code is in the row): how long a refusal takes is not what a MIG-enabled GPU's answer
takes, and the row says so.

    python3 bench/diag/latency_real.py [libnvidia-ml.so.1] > latency.json
"""
import ctypes
import json
import statistics
import sys
import time

lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else "libnvidia-ml.so.1")
u = ctypes.c_uint
ptr = ctypes.c_void_p
assert lib.nvmlInit_v2() == 0
dev = ptr()
assert lib.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(dev)) == 0
buf = ctypes.create_string_buffer(16384)
n = u(0)
m = u(0)
h2 = ptr()

# nvmlGpuInstanceProfileInfo_t starts with the profile id.
lib.nvmlDeviceGetGpuInstanceProfileInfo(dev, 0, buf)
profile_id = ctypes.c_uint.from_buffer(buf).value
mem2 = ctypes.create_string_buffer(40)
ctypes.c_uint.from_buffer(mem2).value = 40 | (2 << 24)  # nvmlMemory_v2_t version


def count_in(value):
    n.value = value
    return ctypes.byref(n)


CALLS = [
    ("nvmlDeviceGetCount_v2", lambda: lib.nvmlDeviceGetCount_v2(ctypes.byref(n))),
    ("nvmlDeviceGetHandleByIndex_v2", lambda: lib.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(h2))),
    ("nvmlDeviceGetName", lambda: lib.nvmlDeviceGetName(dev, buf, 96)),
    ("nvmlDeviceGetUUID", lambda: lib.nvmlDeviceGetUUID(dev, buf, 96)),
    ("nvmlDeviceGetPciInfo_v3", lambda: lib.nvmlDeviceGetPciInfo_v3(dev, buf)),
    ("nvmlDeviceGetMemoryInfo_v2", lambda: lib.nvmlDeviceGetMemoryInfo_v2(dev, mem2)),
    ("nvmlDeviceGetUtilizationRates", lambda: lib.nvmlDeviceGetUtilizationRates(dev, buf)),
    ("nvmlDeviceGetPowerUsage", lambda: lib.nvmlDeviceGetPowerUsage(dev, ctypes.byref(n))),
    ("nvmlDeviceGetComputeRunningProcesses_v3",
     lambda: lib.nvmlDeviceGetComputeRunningProcesses_v3(dev, count_in(64), buf)),
    ("nvmlDeviceGetMigMode", lambda: lib.nvmlDeviceGetMigMode(dev, ctypes.byref(n), ctypes.byref(m))),
    ("nvmlDeviceGetMaxMigDeviceCount", lambda: lib.nvmlDeviceGetMaxMigDeviceCount(dev, ctypes.byref(n))),
    ("nvmlDeviceIsMigDeviceHandle", lambda: lib.nvmlDeviceIsMigDeviceHandle(dev, ctypes.byref(n))),
    ("nvmlDeviceGetGpuInstanceProfileInfo", lambda: lib.nvmlDeviceGetGpuInstanceProfileInfo(dev, 0, buf)),
    ("nvmlDeviceGetGpuInstancePossiblePlacements_v2",
     lambda: lib.nvmlDeviceGetGpuInstancePossiblePlacements_v2(dev, profile_id, buf, count_in(16))),
    ("nvmlDeviceGetGpuInstanceRemainingCapacity",
     lambda: lib.nvmlDeviceGetGpuInstanceRemainingCapacity(dev, profile_id, ctypes.byref(m))),
    ("nvmlDeviceGetGpuInstances", lambda: lib.nvmlDeviceGetGpuInstances(dev, profile_id, buf, count_in(16))),
    ("nvmlDeviceGetMigDeviceHandleByIndex", lambda: lib.nvmlDeviceGetMigDeviceHandleByIndex(dev, 0, ctypes.byref(h2))),
    ("nvmlDeviceGetAttributes_v2", lambda: lib.nvmlDeviceGetAttributes_v2(dev, buf)),
]


def timed(fn):
    t0 = time.perf_counter_ns()
    r = fn()
    return time.perf_counter_ns() - t0, r


rows = []
for name, fn in CALLS:
    if not hasattr(lib, name):
        rows.append({"function": name, "missing": True})
        continue
    fn()
    fast, code = [], None
    for _ in range(200):
        d, code = timed(fn)
        fast.append(d)
    slow = []
    for _ in range(60):
        time.sleep(0.001)
        d, code = timed(fn)
        slow.append(d)
    rows.append({
        "function": name,
        "returnCode": code,
        "fastMedianUs": round(statistics.median(fast) / 1000, 2),
        "slowMedianUs": round(statistics.median(slow) / 1000, 2),
        "slowP90Us": round(sorted(slow)[int(len(slow) * 0.9)] / 1000, 2),
    })
lib.nvmlShutdown()
print(json.dumps({"tool": "bench/diag/latency_real.py", "rows": rows}, indent=1))
