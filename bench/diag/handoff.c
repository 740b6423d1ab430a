// Does a MIG read get the driver's slow speed when another thread makes it and hands the answer
// back? A promise call is such a hand-off: the JS thread queues the call and sleeps in its event
// loop while a call thread makes it, then wakes for the answer. Read calls only. Four ways, one
// process, for nvmlDeviceGetGpuInstanceProfileInfo and nvmlDeviceGetMigMode:
//   direct        the calling thread loops (the blocking call);
//   handoff-wait  a worker makes each call; worker and caller sleep on a condition variable
//                 between calls (a promise awaited one at a time, threads that sleep);
//   handoff-spin  the worker spins between calls, the caller sleeps while a call runs (the
//                 addon's call threads since NVML_MIG_SPIN_US, and an idle JS thread);
//   both-spin     neither thread ever sleeps.
//
//   cc -O2 -pthread bench/diag/handoff.c -ldl -o handoff && ./handoff <libnvidia-ml.so.1> [calls]
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*fnInit)(void);
typedef int (*fnHandle)(unsigned int, void**);
typedef int (*fnGip)(void*, unsigned int, void*);
typedef int (*fnMig)(void*, unsigned int*, unsigned int*);
static fnGip pGip;
static fnMig pMig;
static void* dev;
static char buf[4096];
static int which;  // 0: GI profile, 1: MIG mode

static void call(void) {
  unsigned int a, b;
  if (which == 0)
    pGip(dev, 0, buf);
  else
    pMig(dev, &a, &b);
}

static long long nowNs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static atomic_int req, done, stop;
static int workerSpins, callerSpins;

static void* worker(void* arg) {
  (void)arg;
  int seen = 0;
  for (;;) {
    if (workerSpins) {
      while (atomic_load(&req) == seen && !atomic_load(&stop)) {
      }
    } else {
      pthread_mutex_lock(&mu);
      while (atomic_load(&req) == seen && !atomic_load(&stop)) pthread_cond_wait(&cv, &mu);
      pthread_mutex_unlock(&mu);
    }
    if (atomic_load(&stop)) return NULL;
    seen = atomic_load(&req);
    call();
    pthread_mutex_lock(&mu);
    atomic_store(&done, seen);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
  }
}

static int cmp(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return x < y ? -1 : x > y;
}

static void run(const char* fn, const char* mode, int calls, int handoff) {
  long long* per = calloc((size_t)calls, sizeof *per);
  pthread_t t;
  atomic_store(&req, 0);
  atomic_store(&done, 0);
  atomic_store(&stop, 0);
  if (handoff) pthread_create(&t, NULL, worker, NULL);
  for (int round = 0; round < 2; round++) {  // the first round warms up
    int base = round * calls;
    for (int i = 1; i <= calls; i++) {
      long long t0 = nowNs();
      if (!handoff) {
        call();
      } else {
        pthread_mutex_lock(&mu);
        atomic_store(&req, base + i);
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
        if (callerSpins) {
          while (atomic_load(&done) != base + i) {
          }
        } else {
          pthread_mutex_lock(&mu);
          while (atomic_load(&done) != base + i) pthread_cond_wait(&cv, &mu);
          pthread_mutex_unlock(&mu);
        }
      }
      per[i - 1] = nowNs() - t0;
    }
  }
  if (handoff) {
    pthread_mutex_lock(&mu);
    atomic_store(&stop, 1);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
  }
  qsort(per, (size_t)calls, sizeof *per, cmp);
  printf("{\"function\":\"%s\",\"mode\":\"%s\",\"medianUs\":%.1f,\"p90Us\":%.1f,\"calls\":%d}\n", fn, mode,
         per[calls / 2] / 1000.0, per[calls * 9 / 10] / 1000.0, calls);
  free(per);
}

int main(int argc, char** argv) {
  void* lib = dlopen(argc > 1 ? argv[1] : "libnvidia-ml.so.1", RTLD_NOW);
  if (!lib) return 2;
  int calls = argc > 2 ? atoi(argv[2]) : 200;
  fnInit init = (fnInit)dlsym(lib, "nvmlInit_v2");
  fnHandle handle = (fnHandle)dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
  pGip = (fnGip)dlsym(lib, "nvmlDeviceGetGpuInstanceProfileInfo");
  pMig = (fnMig)dlsym(lib, "nvmlDeviceGetMigMode");
  if (!init || !handle || !pGip || !pMig || init() != 0 || handle(0, &dev) != 0) return 3;
  const char* names[2] = {"nvmlDeviceGetGpuInstanceProfileInfo", "nvmlDeviceGetMigMode"};
  for (which = 0; which < 2; which++) {
    run(names[which], "direct", calls, 0);
    workerSpins = 0, callerSpins = 0;
    run(names[which], "handoff-wait", calls, 1);
    workerSpins = 1, callerSpins = 0;
    run(names[which], "handoff-spin", calls, 1);
    workerSpins = 1, callerSpins = 1;
    run(names[which], "both-spin", calls, 1);
  }
  return 0;
}
