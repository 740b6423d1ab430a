// A diagnostic stand-in for libnvidia-ml.so.1 that forwards the calls a monitoring snapshot makes
// to the real library and times each one, so that two clients (the C floor and the addon) can be
// compared call by call on the same driver. Load it by path in place of the library; it opens
// $NVML_SHIM_TARGET (default "libnvidia-ml.so.1") and prints, at exit, one JSON line per function
// to stderr: calls, total and mean nanoseconds.
//
//   cc -O2 -shared -fPIC -I native bench/diag/nvml-timing-shim.c -ldl -o /tmp/libnvml-timing.so
//
// Functions it does not forward are absent, which the addon treats as NVML_ERROR_FUNCTION_NOT_FOUND.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nvml_abi.h"

#define EXPORT __attribute__((visibility("default")))

enum {
  F_INIT,
  F_INITFLAGS,
  F_SHUTDOWN,
  F_COUNT,
  F_HANDLE,
  F_NAME,
  F_UUID,
  F_PCI,
  F_MIGMODE,
  F_MEM,
  F_MEM2,
  F_UTIL,
  F_PROCS,
  F_DRIVER,
  F_N
};
static const char* names[F_N] = {"nvmlInit_v2",
                                 "nvmlInitWithFlags",
                                 "nvmlShutdown",
                                 "nvmlDeviceGetCount_v2",
                                 "nvmlDeviceGetHandleByIndex_v2",
                                 "nvmlDeviceGetName",
                                 "nvmlDeviceGetUUID",
                                 "nvmlDeviceGetPciInfo_v3",
                                 "nvmlDeviceGetMigMode",
                                 "nvmlDeviceGetMemoryInfo",
                                 "nvmlDeviceGetMemoryInfo_v2",
                                 "nvmlDeviceGetUtilizationRates",
                                 "nvmlDeviceGetComputeRunningProcesses_v3",
                                 "nvmlSystemGetDriverVersion"};
static void* fns[F_N];
static unsigned long long calls[F_N], totalNs[F_N];

static long long nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void* target(int f) {
  static void* lib;
  if (!lib) {
    const char* path = getenv("NVML_SHIM_TARGET");
    lib = dlopen(path ? path : "libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      fprintf(stderr, "nvml-timing-shim: %s\n", dlerror());
      abort();
    }
  }
  if (!fns[f]) fns[f] = dlsym(lib, names[f]);
  return fns[f];
}

// Calls the real function `f` with `args`, timing it.
#define FORWARD(f, type, args)                        \
  do {                                                \
    type fn = (type)target(f);                        \
    if (!fn) return NVML_ERROR_FUNCTION_NOT_FOUND;    \
    long long t0 = nowNs();                           \
    nvmlReturn_t r = fn args;                         \
    totalNs[f] += (unsigned long long)(nowNs() - t0); \
    calls[f]++;                                       \
    return r;                                         \
  } while (0)

EXPORT nvmlReturn_t nvmlInit_v2(void) { FORWARD(F_INIT, nvmlInit_v2_fn, ()); }
EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) { FORWARD(F_INITFLAGS, nvmlInitWithFlags_fn, (flags)); }
EXPORT nvmlReturn_t nvmlShutdown(void) { FORWARD(F_SHUTDOWN, nvmlShutdown_fn, ()); }
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* n) { FORWARD(F_COUNT, nvmlDeviceGetCount_v2_fn, (n)); }
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t* d) {
  FORWARD(F_HANDLE, nvmlDeviceGetHandleByIndex_v2_fn, (i, d));
}
EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* s, unsigned int n) {
  FORWARD(F_NAME, nvmlDeviceGetName_fn, (d, s, n));
}
EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* s, unsigned int n) {
  FORWARD(F_UUID, nvmlDeviceGetUUID_fn, (d, s, n));
}
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* p) {
  FORWARD(F_PCI, nvmlDeviceGetPciInfo_v3_fn, (d, p));
}
EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int* c, unsigned int* p) {
  FORWARD(F_MIGMODE, nvmlDeviceGetMigMode_fn, (d, c, p));
}
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  FORWARD(F_MEM, nvmlDeviceGetMemoryInfo_fn, (d, m));
}
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t* m) {
  FORWARD(F_MEM2, nvmlDeviceGetMemoryInfo_v2_fn, (d, m));
}
EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t* u) {
  FORWARD(F_UTIL, nvmlDeviceGetUtilizationRates_fn, (d, u));
}
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* n, nvmlProcessInfo_t* p) {
  FORWARD(F_PROCS, nvmlDeviceGetComputeRunningProcesses_v3_fn, (d, n, p));
}
EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* s, unsigned int n) {
  FORWARD(F_DRIVER, nvmlSystemGetDriverVersion_fn, (s, n));
}

__attribute__((destructor)) static void report(void) {
  const char* who = getenv("NVML_SHIM_LABEL");
  for (int f = 0; f < F_N; f++) {
    if (!calls[f]) continue;
    fprintf(stderr, "{\"client\":\"%s\",\"fn\":\"%s\",\"calls\":%llu,\"totalNs\":%llu,\"meanNs\":%.1f}\n",
            who ? who : "?", names[f], calls[f], totalNs[f], (double)totalNs[f] / calls[f]);
  }
}
