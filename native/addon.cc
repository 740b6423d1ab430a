// Module entry: per-environment state and the exports of every NVML concept.
#include "addon_state.h"
#include "exports.h"

namespace nvmlmig {

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
