// The getters of native/functions.cjs: each is one line there (op name, NVML function, the
// handle it takes, its output) and one GetterOp here, made by the generated NVML_GETTERS list.
// A getter calls f(handle, &out) (or f(&out) without a handle; text: f(handle, buf, size)).
#include "async.h"
#include "exports.h"

namespace nvmlmig {

namespace {

// Outputs: the C out-parameter and its JS value.
struct OutU32 {
  using T = unsigned int;
  static Napi::Value Js(Napi::Env env, T v) { return Napi::Number::New(env, v); }
};
struct OutI32 {
  using T = int;
  static Napi::Value Js(Napi::Env env, T v) { return Napi::Number::New(env, v); }
};
struct OutBool {
  using T = unsigned int;
  static Napi::Value Js(Napi::Env env, T v) { return Napi::Boolean::New(env, v != 0); }
};
struct OutU64Big {
  using T = unsigned long long;
  static Napi::Value Js(Napi::Env env, T v) { return Napi::BigInt::New(env, static_cast<uint64_t>(v)); }
};
template <size_t N>
struct OutText {
  struct T {
    char buf[N];
  };
  static Napi::Value Js(Napi::Env env, const T& v) { return Napi::String::New(env, v.buf); }
};

template <class Out>
struct Invoke {
  template <class F, class... H>
  static nvmlReturn_t Call(F f, typename Out::T& v, H... h) {
    return f(h..., &v);
  }
};
template <size_t N>
struct Invoke<OutText<N>> {
  // One byte kept back: the text stays NUL-terminated whatever the library writes.
  template <class F, class... H>
  static nvmlReturn_t Call(F f, typename OutText<N>::T& v, H... h) {
    return f(h..., v.buf, static_cast<unsigned int>(N - 1));
  }
};

template <KindMask Want>
struct HandleOf {
  using T = nvmlDevice_t;
};
template <>
struct HandleOf<kGpuInstance> {
  using T = nvmlGpuInstance_t;
};

template <FnIndex I, KindMask Want, class Out>
struct GetterOp : Op {
  typename Out::T value{};
  void Parse(const Napi::CallbackInfo& info) {
    if constexpr (Want != 0) AddRef(info, 0, Want, HandleArgName(Want));
  }
  void Run() override {
    auto f = Fn<I>::Get(lib());
    if (!f) {
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, Fn<I>::kName);
    } else if constexpr (Want == 0) {
      Check(Invoke<Out>::Call(f, value), Fn<I>::kName);
    } else {
      Check(Invoke<Out>::Call(f, value, Ptr<typename HandleOf<Want>::T>(0)), Fn<I>::kName);
    }
  }
  Napi::Value Build(Napi::Env env) override { return Out::Js(env, value); }
};

}  // namespace

void RegisterGetters(Napi::Env env, Napi::Object exports) {
#define NVML_EXPORT_GETTER(js, fn, want, out, flags) ExportOp<GetterOp<kFn_##fn, want, out>>(env, exports, #js, flags);
  NVML_GETTERS(NVML_EXPORT_GETTER)
#undef NVML_EXPORT_GETTER
}

}  // namespace nvmlmig
