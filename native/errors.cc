#include "errors.h"

#include "addon_state.h"
#include "args.h"

namespace nvmlmig {

const char kErrLoadFailed[] = "ERR_NVML_LOAD_FAILED";
const char kErrNotInitialized[] = "ERR_NVML_NOT_INITIALIZED";
const char kErrReadOnly[] = "ERR_NVML_READ_ONLY";
const char kErrStaleHandle[] = "ERR_NVML_STALE_HANDLE";

namespace {

struct CodeEntry {
  nvmlReturn_t ret;
  const char* name;
  const char* text;
};

const CodeEntry kCodes[] = {
    {NVML_SUCCESS, "NVML_SUCCESS", "Success"},
    {NVML_ERROR_UNINITIALIZED, "NVML_ERROR_UNINITIALIZED", "Uninitialized"},
    {NVML_ERROR_INVALID_ARGUMENT, "NVML_ERROR_INVALID_ARGUMENT", "Invalid Argument"},
    {NVML_ERROR_NOT_SUPPORTED, "NVML_ERROR_NOT_SUPPORTED", "Not Supported"},
    {NVML_ERROR_NO_PERMISSION, "NVML_ERROR_NO_PERMISSION", "Insufficient Permissions"},
    {NVML_ERROR_ALREADY_INITIALIZED, "NVML_ERROR_ALREADY_INITIALIZED", "Already Initialized"},
    {NVML_ERROR_NOT_FOUND, "NVML_ERROR_NOT_FOUND", "Not Found"},
    {NVML_ERROR_INSUFFICIENT_SIZE, "NVML_ERROR_INSUFFICIENT_SIZE", "Insufficient Size"},
    {NVML_ERROR_INSUFFICIENT_POWER, "NVML_ERROR_INSUFFICIENT_POWER", "Insufficient External Power"},
    {NVML_ERROR_DRIVER_NOT_LOADED, "NVML_ERROR_DRIVER_NOT_LOADED", "Driver Not Loaded"},
    {NVML_ERROR_TIMEOUT, "NVML_ERROR_TIMEOUT", "Timeout"},
    {NVML_ERROR_IRQ_ISSUE, "NVML_ERROR_IRQ_ISSUE", "Interrupt request issue"},
    {NVML_ERROR_LIBRARY_NOT_FOUND, "NVML_ERROR_LIBRARY_NOT_FOUND", "NVML Shared Library Not Found"},
    {NVML_ERROR_FUNCTION_NOT_FOUND, "NVML_ERROR_FUNCTION_NOT_FOUND", "Function Not Found"},
    {NVML_ERROR_CORRUPTED_INFOROM, "NVML_ERROR_CORRUPTED_INFOROM", "Corrupted infoROM"},
    {NVML_ERROR_GPU_IS_LOST, "NVML_ERROR_GPU_IS_LOST", "GPU is lost"},
    {NVML_ERROR_RESET_REQUIRED, "NVML_ERROR_RESET_REQUIRED", "GPU requires restart"},
    {NVML_ERROR_OPERATING_SYSTEM, "NVML_ERROR_OPERATING_SYSTEM", "The operating system has blocked the request"},
    {NVML_ERROR_LIB_RM_VERSION_MISMATCH, "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
     "RM has detected an NVML/RM version mismatch"},
    {NVML_ERROR_IN_USE, "NVML_ERROR_IN_USE", "In use by another client"},
    {NVML_ERROR_MEMORY, "NVML_ERROR_MEMORY", "Insufficient Memory"},
    {NVML_ERROR_NO_DATA, "NVML_ERROR_NO_DATA", "No data"},
    {NVML_ERROR_VGPU_ECC_NOT_SUPPORTED, "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED", "ECC is not supported with vGPU"},
    {NVML_ERROR_INSUFFICIENT_RESOURCES, "NVML_ERROR_INSUFFICIENT_RESOURCES", "Insufficient Resources"},
    {NVML_ERROR_FREQ_NOT_SUPPORTED, "NVML_ERROR_FREQ_NOT_SUPPORTED", "Frequency not supported"},
    {NVML_ERROR_ARGUMENT_VERSION_MISMATCH, "NVML_ERROR_ARGUMENT_VERSION_MISMATCH", "Argument version mismatch"},
    {NVML_ERROR_DEPRECATED, "NVML_ERROR_DEPRECATED", "Deprecated"},
    {NVML_ERROR_NOT_READY, "NVML_ERROR_NOT_READY", "Not ready"},
    {NVML_ERROR_GPU_NOT_FOUND, "NVML_ERROR_GPU_NOT_FOUND", "GPU not found"},
    {NVML_ERROR_INVALID_STATE, "NVML_ERROR_INVALID_STATE", "Invalid state"},
    {NVML_ERROR_RESET_TYPE_NOT_SUPPORTED, "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED", "Reset type not supported"},
    {NVML_ERROR_UNKNOWN, "NVML_ERROR_UNKNOWN", "Unknown Error"},
};

const CodeEntry* FindCode(nvmlReturn_t ret) {
  for (const CodeEntry& e : kCodes)
    if (e.ret == ret) return &e;
  return nullptr;
}

}  // namespace

std::string ReturnCodeName(nvmlReturn_t ret) {
  const CodeEntry* e = FindCode(ret);
  return e ? e->name : "NVML_ERROR_UNKNOWN_" + std::to_string(ret);
}

const char* BuiltinErrorText(nvmlReturn_t ret) {
  const CodeEntry* e = FindCode(ret);
  return e ? e->text : "Unknown Error";
}

static std::string ErrorText(const Library* lib, nvmlReturn_t ret) {
  if (lib && lib->errorString) {
    const char* s = lib->errorString(ret);
    if (s && *s) return s;
  }
  return BuiltinErrorText(ret);
}

Failure NvmlFailure(const Library* lib, nvmlReturn_t ret, const char* fn) {
  Failure f;
  f.failed = true;
  f.isNvml = true;
  f.ret = ret;
  f.code = ReturnCodeName(ret);
  f.fn = fn;
  f.message = std::string(fn) + ": " + ErrorText(lib, ret);
  return f;
}

Failure LibraryFailure(const char* code, std::string message) {
  Failure f;
  f.failed = true;
  f.code = code;
  f.message = std::move(message);
  return f;
}

Napi::Value MakeError(Napi::Env env, const Failure& f) {
  Napi::Value code = Napi::String::New(env, f.code);
  Napi::Value ret = f.isNvml ? Napi::Number::New(env, f.ret) : env.Null();
  Napi::Value fn = f.fn.empty() ? env.Null() : Napi::String::New(env, f.fn);
  Napi::Value msg = Napi::String::New(env, f.message);
  Addon* addon = env.GetInstanceData<Addon>();
  if (addon && !addon->errorClass.IsEmpty()) {
    try {
      return addon->errorClass.New({code, ret, fn, msg});
    } catch (const Napi::Error& e) {
      // A throwing constructor must not lose the failure: fall through to a plain Error.
    }
  }
  Napi::Error err = Napi::Error::New(env, f.message);
  err.Set("code", code);
  err.Set("nvmlReturn", ret);
  err.Set("fn", fn);
  return err.Value();
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction())
    throw Napi::TypeError::New(info.Env(), "setErrorClass: argument must be a constructor function");
  Addon& addon = GetAddon(info.Env());
  addon.errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value ErrorString(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nvmlReturn_t ret = 0;
  // Never throws: anything that is not an int32 gets the "unknown" text.
  if (info.Length() >= 1 && info[0].IsNumber()) {
    double d = info[0].As<Napi::Number>().DoubleValue();
    if (d >= -2147483648.0 && d <= 2147483647.0 && d == static_cast<double>(static_cast<int>(d)))
      ret = static_cast<int>(d);
    else
      return Napi::String::New(env, BuiltinErrorText(NVML_ERROR_UNKNOWN));
  } else {
    return Napi::String::New(env, BuiltinErrorText(NVML_ERROR_UNKNOWN));
  }
  return Napi::String::New(env, ErrorText(GetAddon(env).lastLib(), ret));
}

}  // namespace nvmlmig
