// The floor for every binding: a C loop calling NVML through dlopen/dlsym, nothing in between.
// Compiled by bench/run.js at run time (cc -O2). Prints one JSON object per measured operation.
//
//   floor <libnvidia-ml.so.1> [--samples N] [--setup-mig N] [--gap-spin-ns N] [--gap-sleep-ns N] op...
//
// Every peer (this program, the Node binding, koffi, Python ctypes) measures the same way: a batch
// of K back-to-back calls is timed as one sample (K chosen so a batch lasts >= 20 us, which keeps
// the clock's own cost out of sub-microsecond calls), per-call time = batch / K, and the median and
// p99 are taken over the samples.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvml_abi.h"

static void* lib;
static nvmlDevice_t dev0;
static unsigned int giProfileIds[NVML_GPU_INSTANCE_PROFILE_COUNT];
static unsigned int giProfileCount;

static void* sym(const char* name) {
  void* p = dlsym(lib, name);
  if (!p) {
    fprintf(stderr, "floor: missing symbol %s\n", name);
    exit(2);
  }
  return p;
}

static void check(nvmlReturn_t r, const char* what) {
  if (r != NVML_SUCCESS) {
    fprintf(stderr, "floor: %s returned %d\n", what, r);
    exit(3);
  }
}

static long long nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define FN(name, params) static name##_fn p_##name;
NVML_FUNCTIONS(FN)
#undef FN

// ---- the measured operations: one call each (snapshot: a whole walk) ----
static char buf[256];

static void opCount(void) {
  unsigned int n;
  check(p_nvmlDeviceGetCount_v2(&n), "count");
}
static void opHandle(void) {
  nvmlDevice_t d;
  check(p_nvmlDeviceGetHandleByIndex_v2(0, &d), "handle");
}
static void opName(void) { check(p_nvmlDeviceGetName(dev0, buf, NVML_DEVICE_NAME_V2_BUFFER_SIZE), "name"); }
static void opUuid(void) { check(p_nvmlDeviceGetUUID(dev0, buf, NVML_DEVICE_UUID_V2_BUFFER_SIZE), "uuid"); }
static void opMemory(void) {
  nvmlMemory_t m;
  check(p_nvmlDeviceGetMemoryInfo(dev0, &m), "memory");
}
static void opMemoryV2(void) {
  nvmlMemory_v2_t m;
  m.version = nvmlMemory_v2;
  check(p_nvmlDeviceGetMemoryInfo_v2(dev0, &m), "memory_v2");
}
static void opMigMode(void) {
  unsigned int c, p;
  check(p_nvmlDeviceGetMigMode(dev0, &c, &p), "migMode");
}
static void opGiProfile(void) {
  nvmlGpuInstanceProfileInfo_t info;
  check(p_nvmlDeviceGetGpuInstanceProfileInfo(dev0, 0, &info), "giProfile");
}

static unsigned int processes(nvmlDevice_t d) {
  nvmlProcessInfo_t infos[64];
  unsigned int n = 0;
  nvmlReturn_t r = p_nvmlDeviceGetComputeRunningProcesses_v3(d, &n, NULL);
  if (r == NVML_ERROR_INSUFFICIENT_SIZE) {
    n = 64;
    r = p_nvmlDeviceGetComputeRunningProcesses_v3(d, &n, infos);
  }
  return r == NVML_SUCCESS ? n : 0;
}
static void opProcesses(void) { processes(dev0); }

static unsigned long long snapshotCalls;       // NVML calls the walks made
static unsigned int walkGpus, walkMigDevices;  // what the last walk found
static unsigned long long snapshotCallsPerWalk;
static int naiveWalk;  // re-read the static tables on every walk

// CI profile ids offered in GIs of one GI profile: static, so cached (as any binding would).
typedef struct {
  int known;
  unsigned int giProfileId, count, ids[NVML_COMPUTE_INSTANCE_PROFILE_COUNT];
} CiProfiles;
static CiProfiles ciCache[64];

static const CiProfiles* ciProfilesOf(nvmlGpuInstance_t gi, unsigned int giProfileId) {
  CiProfiles* c = &ciCache[giProfileId % 64];
  if (!naiveWalk && c->known && c->giProfileId == giProfileId) return c;
  c->known = 1;
  c->giProfileId = giProfileId;
  c->count = 0;
  for (unsigned int idx = 0; idx < NVML_COMPUTE_INSTANCE_PROFILE_COUNT; idx++) {
    nvmlComputeInstanceProfileInfo_t info;
    nvmlReturn_t r = p_nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, idx, 0, &info);
    snapshotCalls++;
    if (r == NVML_ERROR_INVALID_ARGUMENT) break;
    if (r == NVML_SUCCESS) c->ids[c->count++] = info.id;
  }
  return c;
}

// The reads a monitoring snapshot needs, for every GPU and MIG device. Failures of single reads
// (NOT_SUPPORTED utilization under MIG, say) are tolerated, as a snapshot must. Static answers
// (GI and CI profile ids) are read once (op "snapshot"), or on every walk as a poller that keeps
// nothing between walks reads them (op "snapshot-naive": every GPU's GI profile table and, for
// every GPU instance, its CI profile table).

// Every GPU's supported GI profile ids, read now (the naive walk), or the ids of GPU 0 read at start.
static unsigned int giProfilesOf(nvmlDevice_t d, unsigned int* ids) {
  if (!naiveWalk) {
    memcpy(ids, giProfileIds, sizeof giProfileIds);
    return giProfileCount;
  }
  unsigned int n = 0;
  for (unsigned int idx = 0; idx < NVML_GPU_INSTANCE_PROFILE_COUNT; idx++) {
    nvmlGpuInstanceProfileInfo_t info;
    nvmlReturn_t r = p_nvmlDeviceGetGpuInstanceProfileInfo(d, idx, &info);
    snapshotCalls++;
    if (r == NVML_ERROR_INVALID_ARGUMENT) break;
    if (r == NVML_SUCCESS) ids[n++] = info.id;
  }
  return n;
}

static void opSnapshot(void) {
  unsigned int count;
  check(p_nvmlDeviceGetCount_v2(&count), "count");
  walkGpus = count;
  walkMigDevices = 0;
  for (unsigned int i = 0; i < count; i++) {
    nvmlDevice_t d;
    check(p_nvmlDeviceGetHandleByIndex_v2(i, &d), "handle");
    nvmlPciInfo_t pci;
    nvmlMemory_v2_t mem;
    nvmlUtilization_t util;
    unsigned int cur = 0, pend = 0, maxMig = 0;
    mem.version = nvmlMemory_v2;
    p_nvmlDeviceGetName(d, buf, NVML_DEVICE_NAME_V2_BUFFER_SIZE);
    p_nvmlDeviceGetUUID(d, buf, NVML_DEVICE_UUID_V2_BUFFER_SIZE);
    p_nvmlDeviceGetPciInfo_v3(d, &pci);
    p_nvmlDeviceGetMigMode(d, &cur, &pend);
    p_nvmlDeviceGetMemoryInfo_v2(d, &mem);
    p_nvmlDeviceGetUtilizationRates(d, &util);
    processes(d);
    snapshotCalls += 9;
    if (cur != NVML_DEVICE_MIG_ENABLE) continue;
    unsigned int profiles[NVML_GPU_INSTANCE_PROFILE_COUNT];
    unsigned int nProfiles = giProfilesOf(d, profiles);
    for (unsigned int p = 0; p < nProfiles; p++) {
      nvmlGpuInstance_t gis[8];
      unsigned int nGi = 8;
      snapshotCalls++;
      if (p_nvmlDeviceGetGpuInstances(d, profiles[p], gis, &nGi) != NVML_SUCCESS) continue;
      for (unsigned int g = 0; g < nGi; g++) {
        nvmlGpuInstanceInfo_t gInfo;
        p_nvmlGpuInstanceGetInfo(gis[g], &gInfo);
        snapshotCalls++;
        const CiProfiles* cp = ciProfilesOf(gis[g], gInfo.profileId);
        for (unsigned int k = 0; k < cp->count; k++) {
          nvmlComputeInstance_t cis[8];
          unsigned int nCi = 8;
          snapshotCalls++;
          if (p_nvmlGpuInstanceGetComputeInstances(gis[g], cp->ids[k], cis, &nCi) != NVML_SUCCESS) continue;
          for (unsigned int c = 0; c < nCi; c++) {
            nvmlComputeInstanceInfo_t cInfo;
            p_nvmlComputeInstanceGetInfo_v2(cis[c], &cInfo);
            snapshotCalls++;
          }
        }
      }
    }
    p_nvmlDeviceGetMaxMigDeviceCount(d, &maxMig);
    snapshotCalls++;
    for (unsigned int m = 0; m < maxMig; m++) {
      nvmlDevice_t md;
      unsigned int id;
      nvmlDeviceAttributes_t attr;
      snapshotCalls++;
      if (p_nvmlDeviceGetMigDeviceHandleByIndex(d, m, &md) != NVML_SUCCESS) continue;
      walkMigDevices++;
      p_nvmlDeviceGetUUID(md, buf, NVML_DEVICE_UUID_V2_BUFFER_SIZE);
      p_nvmlDeviceGetName(md, buf, NVML_DEVICE_NAME_V2_BUFFER_SIZE);
      p_nvmlDeviceGetGpuInstanceId(md, &id);
      p_nvmlDeviceGetComputeInstanceId(md, &id);
      p_nvmlDeviceGetMemoryInfo_v2(md, &mem);
      p_nvmlDeviceGetAttributes_v2(md, &attr);
      processes(md);
      snapshotCalls += 7;
    }
  }
}

// Enables MIG and fills every GPU with `perGpu` 1-slice GPU instances, one compute instance each
// (the mock only: the bench never passes --setup-mig on a real driver).
static void setupMig(unsigned int perGpu) {
  unsigned int count;
  check(p_nvmlDeviceGetCount_v2(&count), "count");
  for (unsigned int i = 0; i < count; i++) {
    nvmlDevice_t d;
    nvmlReturn_t activation;
    nvmlGpuInstanceProfileInfo_t gp;
    check(p_nvmlDeviceGetHandleByIndex_v2(i, &d), "handle");
    check(p_nvmlDeviceSetMigMode(d, NVML_DEVICE_MIG_ENABLE, &activation), "setMigMode");
    check(p_nvmlDeviceGetGpuInstanceProfileInfo(d, NVML_GPU_INSTANCE_PROFILE_1_SLICE, &gp), "giProfileInfo");
    for (unsigned int g = 0; g < perGpu; g++) {
      nvmlGpuInstance_t gi;
      nvmlComputeInstanceProfileInfo_t cp;
      nvmlComputeInstance_t ci;
      check(p_nvmlDeviceCreateGpuInstance(d, gp.id, &gi), "createGpuInstance");
      check(p_nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, NVML_COMPUTE_INSTANCE_PROFILE_1_SLICE, 0, &cp),
            "ciProfileInfo");
      check(p_nvmlGpuInstanceCreateComputeInstance(gi, cp.id, &ci), "createComputeInstance");
    }
  }
}

static int cmpLL(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return x < y ? -1 : x > y;
}

// A pause between samples (outside the timing), to see whether a call's cost depends on how
// recently the driver was called: spinning keeps the CPU busy, sleeping lets it idle.
static long long gapSpinNs, gapSleepNs;
static void gapPause(void) {
  if (gapSpinNs) {
    long long until = nowNs() + gapSpinNs;
    while (nowNs() < until) {
    }
  }
  if (gapSleepNs) {
    struct timespec ts = {gapSleepNs / 1000000000LL, gapSleepNs % 1000000000LL};
    nanosleep(&ts, NULL);
  }
}

static void measure(const char* op, const char* symbol, void (*fn)(void), int samples) {
  // Warm up and size the batch so one sample lasts at least 20 us.
  long long t0 = nowNs();
  int warm = 0;
  while (warm < 50 || nowNs() - t0 < 100000000) {
    fn();
    warm++;
    if (nowNs() - t0 > 200000000LL) break;
  }
  double perCall = (double)(nowNs() - t0) / warm;
  int batch = perCall >= 20000 ? 1 : (int)(20000 / perCall) + 1;
  if (batch > 1000) batch = 1000;
  double* per = malloc(sizeof(double) * samples);
  long long total = 0;
  for (int s = 0; s < samples; s++) {
    long long a = nowNs();
    for (int k = 0; k < batch; k++) fn();
    long long d = nowNs() - a;
    total += d;
    per[s] = (double)d / batch;
    gapPause();
  }
  long long* sorted = malloc(sizeof(long long) * samples);
  for (int s = 0; s < samples; s++) sorted[s] = (long long)(per[s] * 1000);  // picoseconds
  qsort(sorted, samples, sizeof(long long), cmpLL);
  int p99 = (int)(samples * 0.99);
  if (p99 >= samples) p99 = samples - 1;
  printf(
      "{\"peer\":\"c-floor\",\"op\":\"%s\",\"symbol\":\"%s\",\"medianNs\":%.1f,\"p99Ns\":%.1f,"
      "\"meanNs\":%.1f,\"batch\":%d,\"samples\":%d",
      op, symbol, sorted[samples / 2] / 1000.0, sorted[p99] / 1000.0, (double)total / batch / samples, batch, samples);
  if (fn == opSnapshot)
    printf(",\"gpus\":%u,\"migDevices\":%u,\"nvmlCalls\":%llu", walkGpus, walkMigDevices, snapshotCallsPerWalk);
  printf("}\n");
  fflush(stdout);
  free(per);
  free(sorted);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(
        stderr,
        "usage: floor <libnvidia-ml.so.1> [--samples N] [--setup-mig N] [--gap-spin-ns N] [--gap-sleep-ns N] op...\n");
    return 1;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "floor: %s\n", dlerror());
    return 2;
  }
#define FN(name, params) p_##name = (name##_fn)dlsym(lib, #name);
  NVML_FUNCTIONS(FN)
#undef FN
  check(((nvmlInit_v2_fn)sym("nvmlInit_v2"))(), "nvmlInit_v2");
  int samples = 200;
  int a = 2;
  for (; a < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
    if (a + 1 >= argc) return 1;
    if (strcmp(argv[a], "--samples") == 0)
      samples = atoi(argv[a + 1]);
    else if (strcmp(argv[a], "--setup-mig") == 0)
      setupMig((unsigned int)atoi(argv[a + 1]));
    else if (strcmp(argv[a], "--gap-spin-ns") == 0)
      gapSpinNs = atoll(argv[a + 1]);
    else if (strcmp(argv[a], "--gap-sleep-ns") == 0)
      gapSleepNs = atoll(argv[a + 1]);
  }
  check(p_nvmlDeviceGetHandleByIndex_v2(0, &dev0), "handle 0");
  for (unsigned int idx = 0; p_nvmlDeviceGetGpuInstanceProfileInfo && idx < NVML_GPU_INSTANCE_PROFILE_COUNT; idx++) {
    nvmlGpuInstanceProfileInfo_t info;
    if (p_nvmlDeviceGetGpuInstanceProfileInfo(dev0, idx, &info) == NVML_SUCCESS)
      giProfileIds[giProfileCount++] = info.id;
  }
  for (; a < argc; a++) {
    const char* op = argv[a];
    if (!strcmp(op, "count"))
      measure(op, "nvmlDeviceGetCount_v2", opCount, samples);
    else if (!strcmp(op, "handle"))
      measure(op, "nvmlDeviceGetHandleByIndex_v2", opHandle, samples);
    else if (!strcmp(op, "name"))
      measure(op, "nvmlDeviceGetName", opName, samples);
    else if (!strcmp(op, "uuid"))
      measure(op, "nvmlDeviceGetUUID", opUuid, samples);
    else if (!strcmp(op, "memory")) {
      if (p_nvmlDeviceGetMemoryInfo_v2)
        measure(op, "nvmlDeviceGetMemoryInfo_v2", opMemoryV2, samples);
      else
        measure(op, "nvmlDeviceGetMemoryInfo", opMemory, samples);
    } else if (!strcmp(op, "migMode"))
      measure(op, "nvmlDeviceGetMigMode", opMigMode, samples);
    else if (!strcmp(op, "giProfile"))
      measure(op, "nvmlDeviceGetGpuInstanceProfileInfo", opGiProfile, samples);
    else if (!strcmp(op, "processes"))
      measure(op, "nvmlDeviceGetComputeRunningProcesses_v3", opProcesses, samples);
    else if (!strcmp(op, "snapshot") || !strcmp(op, "snapshot-naive")) {
      naiveWalk = !strcmp(op, "snapshot-naive");
      opSnapshot();  // fills the caches of op "snapshot": count the walk after
      snapshotCalls = 0;
      opSnapshot();
      unsigned long long perWalk = snapshotCalls;
      snapshotCallsPerWalk = perWalk;
      char label[64];
      snprintf(label, sizeof label, "%llu NVML calls per walk", perWalk);
      measure(op, label, opSnapshot, samples);
    } else {
      fprintf(stderr, "floor: unknown op %s\n", op);
      return 1;
    }
  }
  return 0;
}
