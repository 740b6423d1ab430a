#include "library.h"

#include <dlfcn.h>

#include <cstring>
#include <map>
#include <mutex>

namespace nvmlmig {

const char* const kFunctionNames[kFnCount] = {
#define NVML_FN_NAME(name, params) #name,
    NVML_FUNCTIONS(NVML_FN_NAME)
#undef NVML_FN_NAME
};

namespace {

// Older exports with the SAME C signature, tried after the entry's own name (NVML_FALLBACKS,
// from native/functions.cjs). Entries whose older version takes another struct (memory, CI info,
// placements, CUDA version) are separate entries instead, so the call site picks the newest one
// that resolved.
struct Fallback {
  const char* name;
  const char* older;
};
const Fallback kFallbacks[] = {
#define NVML_FALLBACK(name, older) {#name, older},
    NVML_FALLBACKS(NVML_FALLBACK)
#undef NVML_FALLBACK
};

void* Resolve(void* handle, const char* name, const char** resolved) {
  void* sym = dlsym(handle, name);
  if (sym) {
    *resolved = name;
    return sym;
  }
  for (const Fallback& f : kFallbacks) {
    if (std::strcmp(f.name, name) != 0) continue;
    if ((sym = dlsym(handle, f.older))) {
      *resolved = f.older;
      return sym;
    }
  }
  *resolved = nullptr;
  return nullptr;
}

// dlopen handles by path: kept for the life of the process (NVML must not be unloaded while
// the driver may still call back into it, and a later open of the same path reuses it).
std::mutex gHandlesMutex;
std::map<std::string, void*> gHandles;

}  // namespace

bool LoadLibrary(const std::string& path, Library* lib, std::string* error) {
  void* handle;
  {
    std::lock_guard<std::mutex> lock(gHandlesMutex);
    auto it = gHandles.find(path);
    if (it != gHandles.end()) {
      handle = it->second;
    } else {
      dlerror();
      handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        const char* e = dlerror();
        *error = e ? e : "dlopen failed";
        return false;
      }
      gHandles[path] = handle;
    }
  }
  lib->path = path;
  lib->handle = handle;
#define NVML_FN_RESOLVE(name, params) \
  lib->name = reinterpret_cast<name##_fn>(Resolve(handle, #name, &lib->resolved[kFn_##name]));
  NVML_FUNCTIONS(NVML_FN_RESOLVE)
#undef NVML_FN_RESOLVE
  lib->errorString = reinterpret_cast<nvmlErrorString_fn>(dlsym(handle, "nvmlErrorString"));
  lib->mockControl = reinterpret_cast<nvmlMockControl_fn>(dlsym(handle, "nvmlMockControl"));
  return true;
}

}  // namespace nvmlmig
