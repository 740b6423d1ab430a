#!/usr/bin/env python3
"""The pynvml peer of bench/gpm.js: GPM activity of GPU 0 over the same windows, and the cost of a
sample and of a metrics call. Read-only. Prints one JSON object.

  python3 bench/gpm_pynvml.py --windows N --interval-ms MS --start-at UNIX_MS [--reps N]

--start-at: wall-clock time (ms) at which the first window starts, so that the Node binding and
pynvml sample the same windows side by side.
"""
import argparse
import ctypes
import json
import time

import pynvml as N

METRICS = [1, 2, 3, 5, 10, 11, 12, 13, 20, 21]


def metrics_get(s1, s2, ids):
    m = N.c_nvmlGpmMetricsGet_t()
    m.version = N.NVML_GPM_METRICS_GET_VERSION
    m.numMetrics = len(ids)
    m.sample1 = s1
    m.sample2 = s2
    for i, mid in enumerate(ids):
        m.metrics[i].metricId = mid
    N.nvmlGpmMetricsGet(m)
    out = {}
    for i, mid in enumerate(ids):
        x = m.metrics[i]
        out[str(mid)] = x.value if x.nvmlReturn == 0 else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--windows', type=int, default=5)
    ap.add_argument('--interval-ms', type=int, default=1000)
    ap.add_argument('--start-at', type=float, default=0)
    ap.add_argument('--reps', type=int, default=50)
    a = ap.parse_args()
    N.nvmlInit()
    h = N.nvmlDeviceGetHandleByIndex(0)
    s1, s2 = N.nvmlGpmSampleAlloc(), N.nvmlGpmSampleAlloc()
    res = {'peer': 'pynvml', 'windows': []}
    try:
        res['supported'] = bool(N.nvmlGpmQueryDeviceSupport(h).isSupportedDevice)
        res['structSize'] = ctypes.sizeof(N.c_nvmlGpmMetricsGet_t)
        if a.start_at:
            time.sleep(max(0.0, a.start_at / 1000 - time.time()))
        for w in range(a.windows):
            t0 = time.time()
            N.nvmlGpmSampleGet(h, s1)
            time.sleep(a.interval_ms / 1000)
            N.nvmlGpmSampleGet(h, s2)
            res['windows'].append({'startMs': t0 * 1000, 'metrics': metrics_get(s1, s2, METRICS)})
        # Cost of one sample, and of one metrics call for the same ids.
        t = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            N.nvmlGpmSampleGet(h, s2)
            t.append((time.perf_counter() - t0) * 1e6)
        res['sampleUs'] = sorted(t)
        N.nvmlGpmSampleGet(h, s1)
        time.sleep(0.2)
        N.nvmlGpmSampleGet(h, s2)
        t = []
        for _ in range(max(5, a.reps // 5)):
            t0 = time.perf_counter()
            metrics_get(s1, s2, METRICS)
            t.append((time.perf_counter() - t0) * 1e6)
        res['metricsUs'] = sorted(t)
    finally:
        N.nvmlGpmSampleFree(s1)
        N.nvmlGpmSampleFree(s2)
        N.nvmlShutdown()
    print(json.dumps(res))


if __name__ == '__main__':
    main()
