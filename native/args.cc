#include "args.h"

#include <cmath>
#include <cstring>

namespace nvmlmig {

namespace {

Napi::Value At(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? info[i] : info.Env().Undefined();
}

[[noreturn]] void TypeErr(Napi::Env env, const char* name, const char* what) {
  throw Napi::TypeError::New(env, std::string(name) + " must be " + what);
}

unsigned int ToU32(Napi::Env env, Napi::Value v, const char* name) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) TypeErr(env, name, "a number");
  if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d > 4294967295.0)
    throw Napi::RangeError::New(env, std::string(name) + " must be an integer from 0 to 4294967295");
  return static_cast<unsigned int>(d);
}

}  // namespace

unsigned int ArgU32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return ToU32(info.Env(), At(info, i), name);
}

uint64_t ArgId(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = At(info, i);
  // One N-API call on every handle argument: napi_get_value_double itself tells a non-number.
  double d = 0;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok) TypeErr(info.Env(), name, "a handle (number)");
  if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be a non-negative safe integer handle");
  return static_cast<uint64_t>(d);
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = At(info, i);
  if (!v.IsBoolean()) TypeErr(info.Env(), name, "a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name, size_t maxLength) {
  Napi::Value v = At(info, i);
  if (!v.IsString()) TypeErr(info.Env(), name, "a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) TypeErr(info.Env(), name, "a string without NUL characters");
  if (s.size() > maxLength)
    throw Napi::RangeError::New(info.Env(),
                                std::string(name) + " is longer than " + std::to_string(maxLength) + " bytes");
  return s;
}

uint64_t ArgU64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = At(info, i);
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(info.Env(), std::string(name) + " must fit in 64 unsigned bits");
    return u;
  }
  if (!v.IsNumber()) TypeErr(info.Env(), name, "a bigint or a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be a non-negative safe integer");
  return static_cast<uint64_t>(d);
}

std::vector<unsigned int> ArgU32Array(const Napi::CallbackInfo& info, size_t i, const char* name, size_t maxLength) {
  Napi::Value v = At(info, i);
  if (!v.IsArray()) TypeErr(info.Env(), name, "an array of numbers");
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  if (n > maxLength)
    throw Napi::RangeError::New(info.Env(),
                                std::string(name) + " has more than " + std::to_string(maxLength) + " entries");
  std::vector<unsigned int> out;
  out.reserve(n);
  for (uint32_t k = 0; k < n; k++) out.push_back(ToU32(info.Env(), a.Get(k), name));
  return out;
}

bool ArgPlacement(const Napi::CallbackInfo& info, size_t i, unsigned int* start, unsigned int* size) {
  Napi::Value v = At(info, i);
  if (v.IsUndefined()) return false;
  if (!v.IsObject() || v.IsArray()) TypeErr(info.Env(), "placement", "an object {start, size}");
  Napi::Object o = v.As<Napi::Object>();
  // Getters may throw: the exception propagates to the caller as a JS exception.
  *start = ToU32(info.Env(), o.Get("start"), "placement.start");
  *size = ToU32(info.Env(), o.Get("size"), "placement.size");
  return true;
}

}  // namespace nvmlmig
