// Module entry: per-environment state (and its result-object factories) and the exports of every
// NVML concept.
#include "addon_state.h"
#include "exports.h"
#include "marshal.h"

namespace nvmlmig {

napi_value Addon::Factory(napi_env env, int id) {
  if (!factoriesTried) {
    factoriesTried = true;
    napi_value source = nullptr, list = nullptr;
    uint32_t n = 0;
    if (napi_create_string_utf8(env, kStructFactories, NAPI_AUTO_LENGTH, &source) == napi_ok &&
        napi_run_script(env, source, &list) == napi_ok && napi_get_array_length(env, list, &n) == napi_ok &&
        n == kStructCount) {
      for (uint32_t i = 0; i < n; i++) {
        napi_value f = nullptr;
        napi_valuetype t = napi_undefined;
        if (napi_get_element(env, list, i, &f) != napi_ok || napi_typeof(env, f, &t) != napi_ok || t != napi_function) {
          factories.clear();
          break;
        }
        factories.push_back(Napi::Persistent(Napi::Function(env, f)));
      }
    } else {
      // A pending exception (code generation refused, say) must not reach the caller's call.
      bool pending = false;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
    }
  }
  if (id < 0 || static_cast<size_t>(id) >= factories.size()) return nullptr;
  return factories[static_cast<size_t>(id)].Value();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Addon>(new Addon());
  RegisterLifecycle(env, exports);
  RegisterSystem(env, exports);
  RegisterGetters(env, exports);
  RegisterDevice(env, exports);
  RegisterGpuInstance(env, exports);
  RegisterComputeInstance(env, exports);
  RegisterMigDevice(env, exports);
  RegisterEvents(env, exports);
  RegisterGpm(env, exports);
  RegisterSnapshot(env, exports);
  RegisterMockControl(env, exports);
  return exports;
}

}  // namespace nvmlmig

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nvmlmig::Init(env, exports); }

NODE_API_MODULE(nvml_mig, InitModule)
