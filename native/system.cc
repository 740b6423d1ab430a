// System-level queries and the ways to get a device handle.
#include "async.h"
#include "exports.h"

namespace nvmlmig {

namespace {

struct CudaVersionOp : Op {
  int version = 0;
  void Run() override {
    if (lib().nvmlSystemGetCudaDriverVersion_v2)
      NVML(nvmlSystemGetCudaDriverVersion_v2, &version);
    else
      NVML(nvmlSystemGetCudaDriverVersion, &version);
  }
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, version); }
};

struct ByIndexOp : HandleAnswer<Op> {
  unsigned int index = 0;
  void Parse(const Napi::CallbackInfo& info) { index = ArgU32(info, 0, "index"); }
  void Run() override {
    nvmlDevice_t dev = nullptr;
    if (NVML(nvmlDeviceGetHandleByIndex_v2, index, &dev)) id = handles().Register(kDevice, dev, 0);
  }
};

struct ByUuidOp : HandleAnswer<Op> {
  std::string uuid;
  void Parse(const Napi::CallbackInfo& info) { uuid = ArgString(info, 0, "uuid", 255); }
  void Run() override {
    nvmlDevice_t dev = nullptr;
    if (!NVML(nvmlDeviceGetHandleByUUID, uuid.c_str(), &dev)) return;
    // A "MIG-..." UUID names a MIG device: register it under its parent GPU.
    unsigned int isMig = 0;
    if (lib().nvmlDeviceIsMigDeviceHandle && lib().nvmlDeviceIsMigDeviceHandle(dev, &isMig) == NVML_SUCCESS && isMig) {
      nvmlDevice_t parent = nullptr;
      if (!NVML(nvmlDeviceGetDeviceHandleFromMigDeviceHandle, dev, &parent)) return;
      Resolved p;
      handles().Register(kDevice, parent, 0, 0, &p);
      id = handles().Register(kMigDevice, dev, p.slot);
    } else {
      id = handles().Register(kDevice, dev, 0);
    }
  }
};

struct ByPciBusIdOp : HandleAnswer<Op> {
  std::string busId;
  void Parse(const Napi::CallbackInfo& info) { busId = ArgString(info, 0, "busId", 63); }
  void Run() override {
    nvmlDevice_t dev = nullptr;
    if (NVML(nvmlDeviceGetHandleByPciBusId_v2, busId.c_str(), &dev)) id = handles().Register(kDevice, dev, 0);
  }
};

}  // namespace

void RegisterSystem(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_system) }

}  // namespace nvmlmig
