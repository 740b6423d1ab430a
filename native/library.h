// The loaded NVML library: one dlopen'ed handle and one symbol table, resolved once with dlsym,
// newest version first.
#pragma once

#include <array>
#include <string>

#include "nvml_abi.h"

namespace nvmlmig {

enum FnIndex {
#define NVML_FN_INDEX(name, params) kFn_##name,
  NVML_FUNCTIONS(NVML_FN_INDEX)
#undef NVML_FN_INDEX
      kFnCount
};

struct Library {
  std::string path;
  void* handle = nullptr;
#define NVML_FN_MEMBER(name, params) name##_fn name = nullptr;
  NVML_FUNCTIONS(NVML_FN_MEMBER)
#undef NVML_FN_MEMBER
  nvmlErrorString_fn errorString = nullptr;
  // The bundled mock's control channel (not in NVML_FUNCTIONS: not an NVML function); null on a driver.
  nvmlMockControl_fn mockControl = nullptr;
  // The symbol each entry resolved to (a static string), or null.
  std::array<const char*, kFnCount> resolved{};
};

extern const char* const kFunctionNames[kFnCount];

// Fn<kFn_x>::Get(lib) is lib.x, Fn<kFn_x>::kName "x": what a template needs to call an entry.
template <FnIndex I>
struct Fn;
#define NVML_FN_TRAITS(name, params)                          \
  template <>                                                 \
  struct Fn<kFn_##name> {                                     \
    static name##_fn Get(const Library& l) { return l.name; } \
    static constexpr const char* kName = #name;               \
  };
NVML_FUNCTIONS(NVML_FN_TRAITS)
#undef NVML_FN_TRAITS

// dlopen (reusing a handle this process already opened for the same path; never dlclose), then
// resolve every entry. False with *error set (the dlerror() text) when the library cannot load.
bool LoadLibrary(const std::string& path, Library* lib, std::string* error);

}  // namespace nvmlmig
