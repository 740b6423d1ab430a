// Placement lists: the count first (placements = NULL), then the buffer.
#pragma once

#include <napi.h>

#include <vector>

#include "marshal.h"
#include "nvml_abi.h"

namespace nvmlmig {

// f(handle, profileId, buf, &count). The first call passes NULL for the count; a library that
// refuses NULL (INVALID_ARGUMENT, the pre-12 protocol) gets a buffer of kMaxPlacements.
template <class H, class P, class F>
nvmlReturn_t ReadPlacements(F f, H handle, unsigned int profileId, std::vector<P>* out) {
  constexpr unsigned int kMaxPlacements = 64;
  out->clear();
  unsigned int count = 0;
  nvmlReturn_t ret = f(handle, profileId, nullptr, &count);
  if (ret == NVML_ERROR_INVALID_ARGUMENT)
    count = kMaxPlacements;
  else if (ret != NVML_SUCCESS && ret != NVML_ERROR_INSUFFICIENT_SIZE)
    return ret;
  if (count == 0) return NVML_SUCCESS;
  for (int attempt = 0; attempt < 3; attempt++) {
    out->resize(count);
    unsigned int n = count;
    ret = f(handle, profileId, out->data(), &n);
    if (ret == NVML_SUCCESS) {
      out->resize(n < count ? n : count);
      return ret;
    }
    if (ret != NVML_ERROR_INSUFFICIENT_SIZE) break;
    count = n > count ? n : count * 2;
  }
  out->clear();
  return ret;
}

template <class P>
Napi::Array PlacementsToJs(Napi::Env env, const std::vector<P>& list) {
  return ObjectWriter::Array(env, list, WritePlacement<ObjectWriter, P>);
}

// GetGpuInstances / GetComputeInstances: f(parent, profileId, buf, &count) with count = the
// buffer size in; grows on INSUFFICIENT_SIZE.
template <class H, class T, class F>
nvmlReturn_t ReadInstances(F f, H parent, unsigned int profileId, unsigned int initial, std::vector<T>* out) {
  unsigned int capacity = initial;
  nvmlReturn_t ret = NVML_ERROR_INSUFFICIENT_SIZE;
  for (int attempt = 0; attempt < 4 && ret == NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
    out->assign(capacity, nullptr);
    unsigned int n = capacity;
    ret = f(parent, profileId, out->data(), &n);
    if (ret == NVML_SUCCESS) out->resize(n < capacity ? n : capacity);
    capacity = n > capacity ? n : capacity * 2;
  }
  if (ret != NVML_SUCCESS) out->clear();
  return ret;
}

}  // namespace nvmlmig
