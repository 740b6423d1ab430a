// Argument checks of the native surface: wrong types throw TypeError, out-of-range values
// RangeError (thrown as C++ exceptions; node-addon-api turns them into JS exceptions).
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nvml_abi.h"

namespace nvmlmig {

// An integer in [0, 0xFFFFFFFF].
unsigned int ArgU32(const Napi::CallbackInfo& info, size_t i, const char* name);
// A handle id: an integer in [0, 2^53 - 1].
uint64_t ArgId(const Napi::CallbackInfo& info, size_t i, const char* name);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name);
// A string without NUL characters, at most maxLength UTF-8 bytes.
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name, size_t maxLength);
// An unsigned 64-bit mask from a bigint or a safe non-negative integer.
uint64_t ArgU64(const Napi::CallbackInfo& info, size_t i, const char* name);
// An array of at most maxLength u32 values.
std::vector<unsigned int> ArgU32Array(const Napi::CallbackInfo& info, size_t i, const char* name, size_t maxLength);
// undefined → false; else {start, size} of u32 values.
bool ArgPlacement(const Napi::CallbackInfo& info, size_t i, unsigned int* start, unsigned int* size);

}  // namespace nvmlmig
