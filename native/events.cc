// Event sets. A wait blocks one worker thread up to timeoutMs; each set has its own lock, held
// shared by waits and registrations and exclusively by free, so a set is never freed under a
// wait that is still using it.
#include "async.h"
#include "device.h"
#include "exports.h"

namespace nvmlmig {

namespace {

struct CreateOp : HandleAnswer<Op> {
  void Run() override {
    nvmlEventSet_t set = nullptr;
    if (NVML(nvmlEventSetCreate, &set)) id = handles().Register(kEventSet, set, 0);
  }
};

struct RegisterOp : Op {
  unsigned long long types = 0;
  void Parse(const Napi::CallbackInfo& info) {
    AddRef(info, 2, kEventSet, "set");  // first: its lock guards the set against a concurrent free
    AddRef(info, 0, kDevice, "device");
    types = ArgU64(info, 1, "eventTypes");
  }
  void Run() override { NVML(nvmlDeviceRegisterEvents, Ptr<nvmlDevice_t>(1), types, Ptr<nvmlEventSet_t>(0)); }
};

struct WaitOp : HandleOp<kEventSet> {
  unsigned int timeoutMs = 0;
  bool timedOut = false;
  nvmlEventData_t data = {};
  uint64_t deviceId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    HandleOp::Parse(info);
    timeoutMs = ArgU32(info, 1, "timeoutMs");
  }
  void Run() override {
    // An old nvmlEventSetWait fills only the first fields: the ids stay "not attributable".
    data.gpuInstanceId = data.computeInstanceId = NVML_INVALID_GPU_INSTANCE_ID;
    if (!lib().nvmlEventSetWait_v2) {
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlEventSetWait_v2");
      return;
    }
    nvmlReturn_t ret = lib().nvmlEventSetWait_v2(Ptr<nvmlEventSet_t>(0), &data, timeoutMs);
    if (ret == NVML_ERROR_TIMEOUT) {
      timedOut = true;
      return;
    }
    if (Check(ret, "nvmlEventSetWait_v2") && data.device) deviceId = handles().Register(kDevice, data.device, 0);
  }
  Napi::Value Build(Napi::Env env) override {
    if (timedOut) return env.Null();
    return ToObject(env, *this, WriteEventData<ObjectWriter, WaitOp>);
  }
};

// Exclusive (native/functions.cjs): waits out a wait in progress; not a GPU mutation.
struct FreeOp : HandleOp<kEventSet> {
  void Run() override {
    if (NVML(nvmlEventSetFree, Ptr<nvmlEventSet_t>(0))) handles().InvalidateSlot(refs[0].r.slot);
  }
};

}  // namespace

void RegisterEvents(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_events) }

}  // namespace nvmlmig
