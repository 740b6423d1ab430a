// MIG device handles: count, by index, parent, is-MIG, GI/CI ids, attributes.
#include "async.h"
#include "device.h"
#include "exports.h"

namespace nvmlmig {

namespace {

struct DeviceOp : Op {
  void Parse(const Napi::CallbackInfo& info) { AddRef(info, 0, kAnyDevice, "device"); }
  nvmlDevice_t dev() const { return Ptr<nvmlDevice_t>(0); }
};

struct IsMigOp : DeviceOp {
  unsigned int value = 0;
  void Run() override { NVML(nvmlDeviceIsMigDeviceHandle, dev(), &value); }
  Napi::Value Build(Napi::Env env) override { return Napi::Boolean::New(env, value != 0); }
};

struct GpuInstanceIdOp : DeviceOp {
  unsigned int value = 0;
  void Run() override { NVML(nvmlDeviceGetGpuInstanceId, dev(), &value); }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, value); }
};

struct ComputeInstanceIdOp : DeviceOp {
  unsigned int value = 0;
  void Run() override { NVML(nvmlDeviceGetComputeInstanceId, dev(), &value); }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, value); }
};

struct MaxCountOp : DeviceOp {
  unsigned int value = 0;
  void Run() override { NVML(nvmlDeviceGetMaxMigDeviceCount, dev(), &value); }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, value); }
};

struct ByIndexOp : Op {
  unsigned int index = 0;
  uint64_t id = 0;
  void Parse(const Napi::CallbackInfo& info) {
    AddRef(info, 0, kDevice, "device");
    index = ArgU32(info, 1, "index");
  }
  void Run() override {
    nvmlDevice_t mig = nullptr;
    if (NVML(nvmlDeviceGetMigDeviceHandleByIndex, Ptr<nvmlDevice_t>(0), index, &mig))
      id = handles().Register(kMigDevice, mig, GpuSlot());
  }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(id)); }
};

struct ParentOp : Op {
  uint64_t id = 0;
  void Parse(const Napi::CallbackInfo& info) { AddRef(info, 0, kMigDevice, "migDevice"); }
  void Run() override {
    nvmlDevice_t parent = nullptr;
    if (NVML(nvmlDeviceGetDeviceHandleFromMigDeviceHandle, Ptr<nvmlDevice_t>(0), &parent))
      id = handles().Register(kDevice, parent, 0);
  }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(id)); }
};

struct AttributesOp : DeviceOp {
  nvmlDeviceAttributes_t attrs = {};
  void Run() override { Check(ReadAttributes(lib(), dev(), &attrs)); }
  Napi::Value Build(Napi::Env env) override { return AttributesToJs(env, attrs); }
};

}  // namespace

void RegisterMigDevice(Napi::Env env, Napi::Object exports) {
  Export<IsMigOp>(env, exports, "deviceIsMigDeviceHandle");
  Export<GpuInstanceIdOp>(env, exports, "deviceGetGpuInstanceId");
  Export<ComputeInstanceIdOp>(env, exports, "deviceGetComputeInstanceId");
  Export<MaxCountOp>(env, exports, "deviceGetMaxMigDeviceCount");
  Export<ByIndexOp>(env, exports, "deviceGetMigDeviceHandleByIndex");
  Export<ParentOp>(env, exports, "deviceGetDeviceHandleFromMigDeviceHandle");
  Export<AttributesOp>(env, exports, "deviceGetAttributes");
}

}  // namespace nvmlmig
