// The two forms a result struct takes on its way to JS, written by the same generated field list
// (writers.gen.h, from native/functions.cjs): Write<Name>(w, value) calls w.U32("id", v) and
// friends in field order.
//  - ObjectWriter: an N-API object with those keys (the single calls).
//  - JsonWriter: a JSON array of the values in that order, nested structs as nested arrays (the
//    snapshot): V8's JSON.parse and the object literals of lib/native.gen.ts's decoders build the
//    result several times faster than the addon could set the properties one by one through
//    Node-API, and the string is written on the worker; the JS thread only makes the string.
#pragma once

#include <napi.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon_state.h"
#include "errors.h"
#include "nvml_abi.h"
#include "writers.gen.h"

namespace nvmlmig {

class ObjectWriter {
 public:
  explicit ObjectWriter(Napi::Env env) : env_(env) {}
  void Begin(int id) { id_ = id; }
  // The object: the struct's factory called with the values in field order, or (no factory) the
  // properties set one by one.
  Napi::Object Result() {
    napi_value f = id_ >= 0 ? GetAddon(env_).Factory(env_, id_) : nullptr;
    if (f) {
      napi_value args[kMaxStructFields];
      napi_value undefined = env_.Undefined();
      for (int i = 0; i < n_; i++) args[i] = vals_[i] ? vals_[i] : undefined;
      napi_value o = nullptr;
      NAPI_THROW_IF_FAILED(env_, napi_call_function(env_, undefined, f, static_cast<size_t>(n_), args, &o),
                           Napi::Object());
      return Napi::Object(env_, o);
    }
    Napi::Object o = Napi::Object::New(env_);
    for (int i = 0; i < n_; i++)
      if (vals_[i]) o.Set(keys_[i], Napi::Value(env_, vals_[i]));
    return o;
  }

  void U32(const char* k, unsigned int v) { Put(k, Napi::Number::New(env_, v)); }
  void I32(const char* k, int v) { Put(k, Napi::Number::New(env_, v)); }
  void U64(const char* k, unsigned long long v) { Put(k, Napi::Number::New(env_, static_cast<double>(v))); }
  void F64(const char* k, double v) { Put(k, Napi::Number::New(env_, v)); }
  void Handle(const char* k, uint64_t id) { Put(k, Napi::Number::New(env_, static_cast<double>(id))); }
  void Bool(const char* k, unsigned int v) { Put(k, Napi::Boolean::New(env_, v != 0)); }
  void IdOrNull(const char* k, unsigned int v) { v == NVML_INVALID_GPU_INSTANCE_ID ? Null(k) : U32(k, v); }
  void U64OrNull(const char* k, unsigned long long v) { v == NVML_VALUE_NOT_AVAILABLE_ULL ? Null(k) : U64(k, v); }
  void Text(const char* k, const char* v) { Put(k, Napi::String::New(env_, v)); }
  void Chars(const char* k, const char* v, size_t n) { Put(k, Napi::String::New(env_, v, strnlen(v, n))); }
  void Ns(const char* k, uint64_t v) { BigU64(k, v); }
  void BigU64(const char* k, unsigned long long v) { Put(k, Napi::BigInt::New(env_, static_cast<uint64_t>(v))); }
  void Null(const char* k) { Put(k, env_.Null()); }
  void Absent(const char* k) { Put(k, nullptr); }
  template <class F>
  void Struct(const char* k, F write) {
    ObjectWriter w(env_);
    write(w);
    Put(k, w.Result());
  }
  template <class V, class F>
  void List(const char* k, const V& list, F write) {
    Put(k, Array(env_, list, write));
  }
  template <class V, class F>
  static Napi::Array Array(Napi::Env env, const V& list, F write) {
    Napi::Array a = Napi::Array::New(env, list.size());
    uint32_t i = 0;
    for (const auto& x : list) {
      ObjectWriter w(env);
      write(w, x);
      a.Set(i++, w.Result());
    }
    return a;
  }

 private:
  // Field values in order; nullptr: an absent optional field.
  void Put(const char* k, napi_value v) {
    if (n_ >= kMaxStructFields) throw std::logic_error("ObjectWriter: more fields than kMaxStructFields");
    keys_[n_] = k;
    vals_[n_++] = v;
  }

  Napi::Env env_;
  int id_ = -1;
  int n_ = 0;
  const char* keys_[kMaxStructFields];
  napi_value vals_[kMaxStructFields];
};

// JS object of one struct: ToObject(env, value, WriteMemory<ObjectWriter, MemoryValue>).
template <class S, class F>
Napi::Object ToObject(Napi::Env env, const S& value, F write) {
  ObjectWriter w(env);
  write(w, value);
  return w.Result();
}

class JsonWriter {
 public:
  std::string out;

  void Begin(int) {}
  void U32(const char*, unsigned int v) { Num(v); }
  void I32(const char*, int v) { Num(v); }
  void U64(const char*, unsigned long long v) { Num(v); }
  // JSON has no NaN or infinity: those are null.
  void F64(const char* k, double v) {
    if (!std::isfinite(v)) return Null(k);
    Sep();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out += buf;
  }
  void Handle(const char*, uint64_t id) { Num(id); }
  void Bool(const char*, unsigned int v) {
    Sep();
    out += v ? "true" : "false";
  }
  void IdOrNull(const char* k, unsigned int v) { v == NVML_INVALID_GPU_INSTANCE_ID ? Null(k) : Num(v); }
  void U64OrNull(const char* k, unsigned long long v) { v == NVML_VALUE_NOT_AVAILABLE_ULL ? Null(k) : Num(v); }
  void Text(const char*, const char* s) { Str(s, std::strlen(s)); }
  void Chars(const char*, const char* s, size_t n) { Str(s, strnlen(s, n)); }
  // 64-bit values exceed a double's integers: written as strings, read with BigInt().
  void Ns(const char* k, uint64_t v) { BigU64(k, v); }
  void BigU64(const char*, unsigned long long v) {
    char buf[24];
    char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    *end = '\0';
    Str(buf, static_cast<size_t>(end - buf));
  }
  void Null(const char*) {
    Sep();
    out += "null";
  }
  // Positional: an absent optional field still takes its place.
  void Absent(const char* k) { Null(k); }
  template <class F>
  void Struct(const char*, F write) {
    Open();
    write(*this);
    Close();
  }
  template <class V, class F>
  void List(const char*, const V& list, F write) {
    Open();
    for (const auto& x : list) {
      Open();
      write(*this, x);
      Close();
    }
    Close();
  }
  void Open() {
    Sep();
    out += '[';
    first_ = true;
  }
  void Close() {
    out += ']';
    first_ = false;
  }

 private:
  template <class N>
  void Num(N v) {
    Sep();
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }
  // Driver text: escaped; malformed UTF-8 becomes U+FFFD (as Napi::String::New would have it), so
  // a stray byte cannot swallow the closing quote.
  void Str(const char* s, size_t n) {
    Sep();
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s);
    const auto* end = p + n;
    while (p < end) {
      unsigned char c = *p;
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
        p++;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
        p++;
      } else if (c < 0x80) {
        out += static_cast<char>(c);
        p++;
      } else if (size_t len = Utf8Length(p, static_cast<size_t>(end - p))) {
        out.append(reinterpret_cast<const char*>(p), len);
        p += len;
      } else {
        out += "\xEF\xBF\xBD";
        p++;
      }
    }
    out += '"';
  }
  void Sep() {
    if (!first_) out += ',';
    first_ = false;
  }
  // The length of the well-formed UTF-8 sequence at p (no overlongs, surrogates or > U+10FFFF;
  // at most n bytes), or 0.
  static size_t Utf8Length(const unsigned char* p, size_t n) {
    unsigned char c = p[0];
    auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && p[1] < 0xA0) return 0;
      if (c == 0xED && p[1] >= 0xA0) return 0;
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && p[1] < 0x90) return 0;
      if (c == 0xF4 && p[1] >= 0x90) return 0;
      return 4;
    }
    return 0;
  }
  bool first_ = true;
};

}  // namespace nvmlmig

#include "writers.gen.h"
