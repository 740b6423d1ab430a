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

// The one return-code table (native/return_codes.json), shared with the mock and lib/return-codes.ts.
const CodeEntry kCodes[] = {
#define NVML_RETURN_CODE_ENTRY(name, value, text) {name, #name, text},
    NVML_RETURN_CODE_TABLE(NVML_RETURN_CODE_ENTRY)
#undef NVML_RETURN_CODE_ENTRY
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
