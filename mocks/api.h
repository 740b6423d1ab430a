// Shared helpers of the exported NVML entry points (api_*.cc).
#pragma once

#include "runtime.h"

// Every bound function, declared with default visibility from the project's X-macro list: a
// definition whose signature drifts from native/nvml_abi.h fails to compile (C linkage forbids
// overloads).
#define MOCK_DECLARE(name, params) MOCK_EXPORT nvmlReturn_t name params;
NVML_FUNCTIONS(MOCK_DECLARE)
#undef MOCK_DECLARE
MOCK_EXPORT const char* nvmlErrorString(nvmlReturn_t result);
MOCK_EXPORT nvmlReturn_t nvmlMockControl(const char* request, char* response, unsigned int* responseLength);

namespace mock {

inline const char* kDriverVersion = "580.159.04";
inline const char* kNvmlVersion = "13.580.159.04";
const int kCudaDriverVersion = 13000;

// Runs f(state, ref) for a GPU or MIG device handle; a stale or foreign handle is INVALID_ARGUMENT.
template <class F>
nvmlReturn_t onDevice(nvmlDevice_t device, F f) {
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    DeviceRef ref;
    if (!resolveDevice(m, device, &ref)) return NVML_ERROR_INVALID_ARGUMENT;
    return f(m, ref);
  });
}

// Same, for functions that only make sense on a whole GPU: a MIG device handle is NOT_SUPPORTED.
template <class F>
nvmlReturn_t onGpu(nvmlDevice_t device, F f) {
  return onDevice(device, [&](const MachineState& m, const DeviceRef& ref) -> nvmlReturn_t {
    if (ref.isMig()) return NVML_ERROR_NOT_SUPPORTED;
    return f(m, ref);
  });
}

template <class F>
nvmlReturn_t onGi(nvmlGpuInstance_t gi, F f) {
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    DeviceRef ref;
    if (!resolveGi(m, gi, &ref)) return NVML_ERROR_INVALID_ARGUMENT;
    return f(m, ref);
  });
}

// Mutations: resolve the handle in the state being changed, check privilege, then f.
template <class Resolve, class Handle, class F>
nvmlReturn_t mutate(Resolve resolve, Handle handle, F f) {
  return writeState([&](MachineState& m) -> nvmlReturn_t {
    DeviceRef ref;
    if (!resolve(m, handle, &ref)) return NVML_ERROR_INVALID_ARGUMENT;
    if (!privileged(m)) return NVML_ERROR_NO_PERMISSION;
    return f(m, ref);
  });
}

// The two-call protocol of list functions: with too small a count (or none), report the size.
template <class T, class Fill>
nvmlReturn_t fillList(size_t n, T* out, unsigned* count, Fill fill) {
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  if (*count < n) {
    *count = static_cast<unsigned>(n);
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  *count = static_cast<unsigned>(n);
  if (n == 0) return NVML_SUCCESS;
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++) fill(i, out[i]);
  return NVML_SUCCESS;
}

}  // namespace mock
