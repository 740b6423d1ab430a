#!/usr/bin/env python3
"""What each read call of a snapshot costs on a real driver, at both of its speeds.

Every call is timed back to back (the fast speed: the previous call just returned) and after a
1 ms sleep (the slow speed a polling agent gets: the calling thread slept since its last call).
Read calls only: nothing here changes the GPU. Calls a MIG-disabled GPU refuses are timed too
(their return code is in the row): how long a refusal takes is not what a MIG-enabled GPU's answer
takes, and the row says so. Where GPU 0 already has MIG enabled with GPU instances, compute
instances and MIG devices (made beforehand: nothing here creates any), the reads of the first of
each are timed too, as `<function> (GPU instance)`, `(compute instance)` or `(MIG device)` rows:
the figures bench/latency/hopper-580.json marks inferred.

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

# The first GPU instance, compute instance and MIG device of GPU 0, where there are any.
GI_PROFILE_INDICES = 0x12  # NVML_GPU_INSTANCE_PROFILE_COUNT
CI_PROFILE_INDICES = 0x9  # NVML_COMPUTE_INSTANCE_PROFILE_COUNT


def first_handle(list_call):
    """The first handle a list call (out array, in/out count) gives, or None."""
    out = (ptr * 32)()
    count = u(32)
    if list_call(out, ctypes.byref(count)) != 0 or count.value == 0:
        return None
    return ptr(out[0])


gi = ci = mig = None
gi_profile = ci_profile = mig_index = None
for index in range(GI_PROFILE_INDICES):
    if lib.nvmlDeviceGetGpuInstanceProfileInfo(dev, index, buf) != 0:
        continue
    pid = ctypes.c_uint.from_buffer(buf).value
    gi = first_handle(lambda out, cnt, pid=pid: lib.nvmlDeviceGetGpuInstances(dev, pid, out, cnt))
    if gi:
        gi_profile = pid
        break
if gi:
    for index in range(CI_PROFILE_INDICES):
        if lib.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index, 0, buf) != 0:
            continue
        cid = ctypes.c_uint.from_buffer(buf).value
        ci_profile = cid if ci_profile is None else ci_profile
        ci = first_handle(lambda out, cnt, cid=cid: lib.nvmlGpuInstanceGetComputeInstances(gi, cid, out, cnt))
        if ci:
            ci_profile = cid
            break
lib.nvmlDeviceGetMaxMigDeviceCount(dev, ctypes.byref(m))
for index in range(m.value):
    handle = ptr()
    if lib.nvmlDeviceGetMigDeviceHandleByIndex(dev, index, ctypes.byref(handle)) == 0:
        mig, mig_index = handle, index
        break

if gi:
    CALLS += [
        ("nvmlGpuInstanceGetInfo (GPU instance)", lambda: lib.nvmlGpuInstanceGetInfo(gi, buf)),
        ("nvmlGpuInstanceGetComputeInstanceProfileInfo (GPU instance)",
         lambda: lib.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, 0, 0, buf)),
        ("nvmlDeviceGetGpuInstances (GPU instance)",
         lambda: lib.nvmlDeviceGetGpuInstances(dev, gi_profile, buf, count_in(16))),
    ]
if gi and ci_profile is not None:
    CALLS += [
        ("nvmlGpuInstanceGetComputeInstances (GPU instance)",
         lambda: lib.nvmlGpuInstanceGetComputeInstances(gi, ci_profile, buf, count_in(16))),
        ("nvmlGpuInstanceGetComputeInstancePossiblePlacements (GPU instance)",
         lambda: lib.nvmlGpuInstanceGetComputeInstancePossiblePlacements(gi, ci_profile, buf, count_in(16))),
        ("nvmlGpuInstanceGetComputeInstanceRemainingCapacity (GPU instance)",
         lambda: lib.nvmlGpuInstanceGetComputeInstanceRemainingCapacity(gi, ci_profile, ctypes.byref(m))),
    ]
if ci:
    CALLS += [("nvmlComputeInstanceGetInfo_v2 (compute instance)", lambda: lib.nvmlComputeInstanceGetInfo_v2(ci, buf))]
if mig:
    CALLS += [
        ("nvmlDeviceGetMigDeviceHandleByIndex (MIG device)",
         lambda: lib.nvmlDeviceGetMigDeviceHandleByIndex(dev, mig_index, ctypes.byref(h2))),
        ("nvmlDeviceGetName (MIG device)", lambda: lib.nvmlDeviceGetName(mig, buf, 96)),
        ("nvmlDeviceGetUUID (MIG device)", lambda: lib.nvmlDeviceGetUUID(mig, buf, 96)),
        ("nvmlDeviceGetGpuInstanceId (MIG device)", lambda: lib.nvmlDeviceGetGpuInstanceId(mig, ctypes.byref(n))),
        ("nvmlDeviceGetComputeInstanceId (MIG device)", lambda: lib.nvmlDeviceGetComputeInstanceId(mig, ctypes.byref(n))),
        ("nvmlDeviceGetMemoryInfo_v2 (MIG device)", lambda: lib.nvmlDeviceGetMemoryInfo_v2(mig, mem2)),
        ("nvmlDeviceGetAttributes_v2 (MIG device)", lambda: lib.nvmlDeviceGetAttributes_v2(mig, buf)),
        ("nvmlDeviceGetComputeRunningProcesses_v3 (MIG device)",
         lambda: lib.nvmlDeviceGetComputeRunningProcesses_v3(mig, count_in(64), buf)),
    ]


def timed(fn):
    t0 = time.perf_counter_ns()
    r = fn()
    return time.perf_counter_ns() - t0, r


rows = []
for name, fn in CALLS:
    if not hasattr(lib, name.split(" ")[0]):
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
