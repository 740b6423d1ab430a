// Reads of one device shared by the single calls and snapshot(), as plain values (their JS
// forms: the writers of marshal.h).
#pragma once

#include <napi.h>

#include <vector>

#include "errors.h"
#include "library.h"
#include "marshal.h"

namespace nvmlmig {

struct MemoryValue {
  unsigned long long total = 0, free = 0, used = 0, reserved = 0;
  bool hasReserved = false;
};

struct MigModeValue {
  unsigned int current = 0, pending = 0;
};

// Each returns the NVML result and the function that gave it.
Status ReadMemory(const Library& lib, nvmlDevice_t dev, MemoryValue* out);
// Two-call protocol with headroom; *out reuses its capacity.
Status ReadProcesses(const Library& lib, nvmlDevice_t dev, std::vector<nvmlProcessInfo_t>* out);
Status ReadAttributes(const Library& lib, nvmlDevice_t dev, nvmlDeviceAttributes_t* out);

}  // namespace nvmlmig
