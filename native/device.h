// Reads of one device shared by the single calls and snapshot(), as plain values, and their
// JS forms.
#pragma once

#include <napi.h>

#include <vector>

#include "errors.h"
#include "library.h"

namespace nvmlmig {

struct MemoryValue {
  unsigned long long total = 0, free = 0, used = 0, reserved = 0;
  bool hasReserved = false;
};

// Each returns the NVML result and the function that gave it.
Status ReadMemory(const Library& lib, nvmlDevice_t dev, MemoryValue* out);
// Two-call protocol with headroom; *out reuses its capacity.
Status ReadProcesses(const Library& lib, nvmlDevice_t dev, std::vector<nvmlProcessInfo_t>* out);
Status ReadAttributes(const Library& lib, nvmlDevice_t dev, nvmlDeviceAttributes_t* out);

Napi::Object MemoryToJs(Napi::Env env, const MemoryValue& m);
Napi::Array ProcessesToJs(Napi::Env env, const std::vector<nvmlProcessInfo_t>& procs);
Napi::Object AttributesToJs(Napi::Env env, const nvmlDeviceAttributes_t& a);
Napi::Object PlacementToJs(Napi::Env env, unsigned int start, unsigned int size);
// null for NVML's "not attributable" 0xFFFFFFFF.
Napi::Value IdOrNull(Napi::Env env, unsigned int id);

}  // namespace nvmlmig
