// The floor of any Node-API binding: the least a Node-API function can do to make an NVML call
// from JS. No argument checks, no handle table, no locks, no error objects: each function calls the
// dlsym'd NVML function and returns its answer (or the return code). Compared with the C floor
// (bench/floor.c) and the addon's Sync twins, it shows how much of a blocking call's overhead is
// Node-API's own (the JS-to-C transition, handle scope, value creation) and how much is the addon's.
// cloop(op, n) is the C floor itself inside the same process: n calls in a C loop, their total
// time in ns, so that the C loop can be measured alternately with the JS calls, minutes of machine
// drift apart (the H200 machine's speed changes between runs by up to 40%).
//
// Build (bench/diag/napi-floor.js does it): cc -O2 -shared -fPIC -I<node's include/node>
//   bench/diag/napi-floor.c -ldl -o napi_floor.node
#include <dlfcn.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

typedef int (*fnInit)(void);
typedef int (*fnCount)(unsigned int*);
typedef int (*fnHandle)(unsigned int, void**);
typedef int (*fnName)(void*, char*, unsigned int);
typedef int (*fnMem)(void*, void*);
typedef int (*fnProcs)(void*, unsigned int*, void*);

static fnCount pCount;
static fnHandle pHandle;
static fnName pName;
static fnName pUuid;
static fnMem pMem;
static fnProcs pProcs;
static void* dev0;

static napi_value Num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

// open(path): dlopen + nvmlInit_v2 + the first device's handle. Returns the init return code.
static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) return Num(env, -1);
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) return Num(env, -2);
  fnInit init = (fnInit)dlsym(lib, "nvmlInit_v2");
  pCount = (fnCount)dlsym(lib, "nvmlDeviceGetCount_v2");
  pHandle = (fnHandle)dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
  pName = (fnName)dlsym(lib, "nvmlDeviceGetName");
  pUuid = (fnName)dlsym(lib, "nvmlDeviceGetUUID");
  pMem = (fnMem)dlsym(lib, "nvmlDeviceGetMemoryInfo_v2");
  pProcs = (fnProcs)dlsym(lib, "nvmlDeviceGetComputeRunningProcesses_v3");
  if (!init || !pCount || !pHandle || !pName || !pUuid || !pMem || !pProcs) return Num(env, -3);
  int r = init();
  if (r == 0) r = pHandle(0, &dev0);
  return Num(env, r);
}

// noop(): the transition alone.
static napi_value Noop(napi_env env, napi_callback_info info) {
  (void)info;
  (void)env;
  return NULL;
}

// count(): nvmlDeviceGetCount_v2's answer.
static napi_value Count(napi_env env, napi_callback_info info) {
  (void)info;
  unsigned int n = 0;
  int r = pCount(&n);
  return Num(env, r == 0 ? n : -r);
}

// handle(i): nvmlDeviceGetHandleByIndex_v2; returns the pointer's low 32 bits (a number).
static napi_value Handle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t i = 0;
  void* h = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_uint32(env, argv[0], &i);
  int r = pHandle(i, &h);
  return Num(env, r == 0 ? (double)(uint32_t)(uintptr_t)h : -r);
}

// name(): nvmlDeviceGetName of the first device, as a string.
static napi_value Name(napi_env env, napi_callback_info info) {
  (void)info;
  char buf[96];
  napi_value v;
  if (pName(dev0, buf, sizeof buf) != 0) return NULL;
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &v);
  return v;
}

static long long NowNs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// cloop(op, n): n calls of one NVML function in a C loop (0 count, 1 handle, 2 name, 3 uuid,
// 4 memory, 5 processes, as bench/floor.c makes them); returns the loop's total nanoseconds.
static napi_value CLoop(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t op = 0, n = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_uint32(env, argv[0], &op);
  napi_get_value_uint32(env, argv[1], &n);
  char buf[96];
  unsigned int u = 0;
  void* h = NULL;
  struct {
    unsigned int version;
    unsigned long long total, reserved, free, used;
  } mem;
  char procs[64 * 64];
  long long t0 = NowNs();
  for (uint32_t i = 0; i < n; i++) {
    switch (op) {
      case 0: pCount(&u); break;
      case 1: pHandle(0, &h); break;
      case 2: pName(dev0, buf, sizeof buf); break;
      case 3: pUuid(dev0, buf, sizeof buf); break;
      case 4:
        mem.version = (unsigned int)sizeof mem | (2u << 24);
        pMem(dev0, &mem);
        break;
      default:
        u = 0;
        if (pProcs(dev0, &u, NULL) == 7) {  // NVML_ERROR_INSUFFICIENT_SIZE
          u = 64;
          pProcs(dev0, &u, procs);
        }
    }
  }
  return Num(env, (double)(NowNs() - t0));
}

static napi_value InitModule(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
      {"noop", NULL, Noop, NULL, NULL, NULL, napi_default, NULL},
      {"count", NULL, Count, NULL, NULL, NULL, napi_default, NULL},
      {"handle", NULL, Handle, NULL, NULL, NULL, napi_default, NULL},
      {"name", NULL, Name, NULL, NULL, NULL, napi_default, NULL},
      {"cloop", NULL, CLoop, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, InitModule)
