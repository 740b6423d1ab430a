// MIG device handles: count, by index, parent, is-MIG, GI/CI ids, attributes.
#include "async.h"
#include "device.h"
#include "exports.h"

namespace nvmlmig {

namespace {

using DeviceOp = HandleOp<kAnyDevice>;

struct ByIndexOp : HandleAnswer<HandleOp<kDevice>> {
  unsigned int index = 0;
  void Parse(const Napi::CallbackInfo& info) {
    HandleOp::Parse(info);
    index = ArgU32(info, 1, "index");
  }
  void Run() override {
    nvmlDevice_t mig = nullptr;
    if (NVML(nvmlDeviceGetMigDeviceHandleByIndex, Ptr<nvmlDevice_t>(0), index, &mig))
      id = handles().Register(kMigDevice, mig, GpuSlot(), 0, nullptr, HandleTable::kByIndex);
  }
};

struct ParentOp : HandleAnswer<HandleOp<kMigDevice>> {
  void Run() override {
    nvmlDevice_t parent = nullptr;
    if (NVML(nvmlDeviceGetDeviceHandleFromMigDeviceHandle, Ptr<nvmlDevice_t>(0), &parent))
      id = handles().Register(kDevice, parent, 0);
  }
};

struct AttributesOp : DeviceOp {
  nvmlDeviceAttributes_t attrs = {};
  void Run() override { Check(ReadAttributes(lib(), Ptr<nvmlDevice_t>(0), &attrs)); }
  Napi::Value Build(Napi::Env env) override {
    return ToObject(env, attrs, WriteDeviceAttributes<ObjectWriter, nvmlDeviceAttributes_t>);
  }
};

}  // namespace

void RegisterMigDevice(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_mig_device) }

}  // namespace nvmlmig
