// Error values: NVML return-code names and texts, the library's own codes, and the JS error
// objects built from them with the NvmlError class handed over by setErrorClass().
#pragma once

#include <napi.h>

#include <string>

#include "nvml_abi.h"

namespace nvmlmig {

// Library codes (nvmlReturn null on the JS side).
extern const char kErrLoadFailed[];
extern const char kErrNotInitialized[];
extern const char kErrReadOnly[];
extern const char kErrStaleHandle[];

// "NVML_ERROR_IN_USE" for 19; "NVML_ERROR_UNKNOWN_<n>" for numbers NVML does not define.
std::string ReturnCodeName(nvmlReturn_t ret);
// The text of the built-in table ("In use by another client"); never null.
const char* BuiltinErrorText(nvmlReturn_t ret);

// The result of a helper that may make several NVML calls: the return and the function that
// gave it.
struct Status {
  nvmlReturn_t ret;
  const char* fn;
};

// Why an operation failed, as plain C++ values (built on a worker, turned into JS later).
struct Failure {
  bool failed = false;
  bool isNvml = false;  // true: code is an NVML return code, ret/fn are set
  nvmlReturn_t ret = NVML_SUCCESS;
  std::string code;
  std::string fn;
  std::string message;
};

struct Library;
// "nvmlGpuInstanceDestroy: In use by another client" (text from the loaded library if it has
// nvmlErrorString, else the built-in table).
Failure NvmlFailure(const Library* lib, nvmlReturn_t ret, const char* fn);
Failure LibraryFailure(const char* code, std::string message);

// new NvmlError(code, nvmlReturn, fn, message), or a plain Error with the same properties
// when no class was handed over. Never throws.
Napi::Value MakeError(Napi::Env env, const Failure& f);

Napi::Value SetErrorClass(const Napi::CallbackInfo& info);
Napi::Value ErrorString(const Napi::CallbackInfo& info);

}  // namespace nvmlmig
