#!/usr/bin/env python3
"""Read-only pynvml listing of whatever libnvidia-ml.so.1 the process loads (run by mock-clients.sh
with LD_LIBRARY_PATH pointing at the mock). Prints one JSON document; reports which library file
was mapped, so the caller can tell the mock from the real driver."""
import json

import pynvml as N


def attempt(fn, *args):
    try:
        value = fn(*args)
        return value.decode() if isinstance(value, bytes) else value
    except N.NVMLError as e:
        return {"error": str(e), "code": e.value}


def main():
    out = {"pynvml": getattr(N, "__version__", None) or N.__file__}
    N.nvmlInit()
    out["loaded"] = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libnvidia-ml" in line})
    out["driver"] = attempt(N.nvmlSystemGetDriverVersion)
    out["nvml"] = attempt(N.nvmlSystemGetNVMLVersion)
    out["gpus"] = []
    for i in range(N.nvmlDeviceGetCount()):
        h = N.nvmlDeviceGetHandleByIndex(i)
        gpu = {"index": i, "name": attempt(N.nvmlDeviceGetName, h), "uuid": attempt(N.nvmlDeviceGetUUID, h),
               "pciBusId": attempt(lambda: N.nvmlDeviceGetPciInfo(h).busId),
               "migMode": attempt(N.nvmlDeviceGetMigMode, h),
               "maxMigDevices": attempt(N.nvmlDeviceGetMaxMigDeviceCount, h)}
        profiles = []
        for index in range(0x12):
            p = attempt(N.nvmlDeviceGetGpuInstanceProfileInfo, h, index)
            if isinstance(p, dict):
                profiles.append({"index": index, **p})
            else:
                profiles.append({"index": index, "id": p.id, "slices": p.sliceCount, "instances": p.instanceCount,
                                 "sm": p.multiprocessorCount, "memoryMiB": p.memorySizeMB,
                                 "name": getattr(p, "name", b"").decode() if isinstance(getattr(p, "name", b""), bytes) else None})
        gpu["giProfiles"] = profiles
        migs = []
        count = gpu["maxMigDevices"] if isinstance(gpu["maxMigDevices"], int) else 0
        for j in range(count):
            m = attempt(N.nvmlDeviceGetMigDeviceHandleByIndex, h, j)
            if isinstance(m, dict):
                continue
            mem = attempt(N.nvmlDeviceGetMemoryInfo, m)
            migs.append({"index": j, "name": attempt(N.nvmlDeviceGetName, m), "uuid": attempt(N.nvmlDeviceGetUUID, m),
                         "gi": attempt(N.nvmlDeviceGetGpuInstanceId, m), "ci": attempt(N.nvmlDeviceGetComputeInstanceId, m),
                         "memoryTotalMiB": mem.total // (1 << 20) if not isinstance(mem, dict) else mem})
        gpu["migDevices"] = migs
        procs = attempt(N.nvmlDeviceGetComputeRunningProcesses, h)
        gpu["processes"] = procs if isinstance(procs, dict) else [
            {"pid": p.pid, "usedMiB": (p.usedGpuMemory or 0) // (1 << 20), "gi": p.gpuInstanceId, "ci": p.computeInstanceId}
            for p in procs]
        out["gpus"].append(gpu)
    N.nvmlShutdown()
    print(json.dumps(out, indent=1))


main()
