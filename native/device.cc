// Per-device queries (physical GPUs and MIG device handles alike) and the MIG mode.
#include "device.h"

#include <algorithm>

#include "async.h"
#include "exports.h"

namespace nvmlmig {

Status ReadMemory(const Library& lib, nvmlDevice_t dev, MemoryValue* out) {
  if (lib.nvmlDeviceGetMemoryInfo_v2) {
    nvmlMemory_v2_t m = {};
    m.version = nvmlMemory_v2;
    nvmlReturn_t ret = lib.nvmlDeviceGetMemoryInfo_v2(dev, &m);
    if (ret == NVML_SUCCESS) *out = MemoryValue{m.total, m.free, m.used, m.reserved, true};
    // An older driver may export _v2 but not take this struct version: use v1 then.
    if (ret != NVML_ERROR_ARGUMENT_VERSION_MISMATCH || !lib.nvmlDeviceGetMemoryInfo)
      return {ret, "nvmlDeviceGetMemoryInfo_v2"};
  }
  nvmlMemory_t m = {};
  if (!lib.nvmlDeviceGetMemoryInfo) return {NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlDeviceGetMemoryInfo"};
  nvmlReturn_t ret = lib.nvmlDeviceGetMemoryInfo(dev, &m);
  if (ret == NVML_SUCCESS) *out = MemoryValue{m.total, m.free, m.used, 0, false};
  return {ret, "nvmlDeviceGetMemoryInfo"};
}

Status ReadProcesses(const Library& lib, nvmlDevice_t dev, std::vector<nvmlProcessInfo_t>* out) {
  const char* fn = "nvmlDeviceGetComputeRunningProcesses_v3";
  out->clear();
  if (!lib.nvmlDeviceGetComputeRunningProcesses_v3) return {NVML_ERROR_FUNCTION_NOT_FOUND, fn};
  unsigned int count = 0;
  nvmlReturn_t ret = lib.nvmlDeviceGetComputeRunningProcesses_v3(dev, &count, nullptr);
  // Processes may start between the calls: headroom, and a few retries.
  for (int attempt = 0; attempt < 4 && ret == NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
    unsigned int capacity = count + 8;
    out->resize(capacity);
    count = capacity;
    ret = lib.nvmlDeviceGetComputeRunningProcesses_v3(dev, &count, out->data());
  }
  out->resize(ret == NVML_SUCCESS ? std::min<size_t>(count, out->size()) : 0);
  return {ret, fn};
}

Status ReadAttributes(const Library& lib, nvmlDevice_t dev, nvmlDeviceAttributes_t* out) {
  *out = nvmlDeviceAttributes_t{};
  const char* fn = "nvmlDeviceGetAttributes_v2";
  return {lib.nvmlDeviceGetAttributes_v2 ? lib.nvmlDeviceGetAttributes_v2(dev, out) : NVML_ERROR_FUNCTION_NOT_FOUND,
          fn};
}

namespace {

// Ops on one device handle (physical or MIG).
struct DeviceOp : HandleOp<kAnyDevice> {
  nvmlDevice_t dev() const { return Ptr<nvmlDevice_t>(0); }
};

struct PciInfoOp : DeviceOp {
  nvmlPciInfo_t pci = {};
  void Run() override { NVML(nvmlDeviceGetPciInfo_v3, dev(), &pci); }
  Napi::Value Build(Napi::Env env) override { return ToObject(env, pci, WritePciInfo<ObjectWriter, nvmlPciInfo_t>); }
};

struct MemoryOp : DeviceOp {
  MemoryValue mem;
  void Run() override { Check(ReadMemory(lib(), dev(), &mem)); }
  Napi::Value Build(Napi::Env env) override { return ToObject(env, mem, WriteMemory<ObjectWriter, MemoryValue>); }
};

struct UtilizationOp : DeviceOp {
  nvmlUtilization_t u = {};
  void Run() override { NVML(nvmlDeviceGetUtilizationRates, dev(), &u); }
  Napi::Value Build(Napi::Env env) override {
    return ToObject(env, u, WriteUtilization<ObjectWriter, nvmlUtilization_t>);
  }
};

struct Bar1Op : DeviceOp {
  nvmlBAR1Memory_t bar1 = {};
  void Run() override { NVML(nvmlDeviceGetBAR1MemoryInfo, dev(), &bar1); }
  Napi::Value Build(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("total", static_cast<double>(bar1.bar1Total));
    o.Set("free", static_cast<double>(bar1.bar1Free));
    o.Set("used", static_cast<double>(bar1.bar1Used));
    return o;
  }
};

struct ProcessesOp : DeviceOp {
  std::vector<nvmlProcessInfo_t> procs;
  void Run() override { Check(ReadProcesses(lib(), dev(), &procs)); }
  Napi::Value Build(Napi::Env env) override {
    return ObjectWriter::Array(env, procs, WriteProcess<ObjectWriter, nvmlProcessInfo_t>);
  }
};

struct FieldValuesOp : DeviceOp {
  std::vector<nvmlFieldValue_t> values;
  void Parse(const Napi::CallbackInfo& info) {
    DeviceOp::Parse(info);
    std::vector<unsigned int> ids = ArgU32Array(info, 1, "fieldIds", 1024);
    values.resize(ids.size());
    for (size_t i = 0; i < ids.size(); i++) {
      values[i] = nvmlFieldValue_t{};
      values[i].fieldId = ids[i];
    }
  }
  void Run() override {
    if (!values.empty()) NVML(nvmlDeviceGetFieldValues, dev(), static_cast<int>(values.size()), values.data());
  }
  Napi::Value Build(Napi::Env env) override {
    Napi::Array a = Napi::Array::New(env, values.size());
    for (size_t i = 0; i < values.size(); i++) {
      const nvmlFieldValue_t& f = values[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("fieldId", f.fieldId);
      o.Set("scopeId", f.scopeId);
      o.Set("nvmlReturn", f.nvmlReturn);
      o.Set("valueType", static_cast<int>(f.valueType));
      o.Set("timestamp", static_cast<double>(f.timestamp));
      Napi::Value v = env.Null();
      if (f.nvmlReturn == NVML_SUCCESS) {
        switch (f.valueType) {
          case NVML_VALUE_TYPE_DOUBLE: v = Napi::Number::New(env, f.value.dVal); break;
          case NVML_VALUE_TYPE_UNSIGNED_INT: v = Napi::Number::New(env, f.value.uiVal); break;
          case NVML_VALUE_TYPE_SIGNED_INT: v = Napi::Number::New(env, f.value.siVal); break;
          case NVML_VALUE_TYPE_UNSIGNED_SHORT: v = Napi::Number::New(env, f.value.usVal); break;
          case NVML_VALUE_TYPE_UNSIGNED_LONG: v = Napi::BigInt::New(env, static_cast<uint64_t>(f.value.ulVal)); break;
          case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG:
            v = Napi::BigInt::New(env, static_cast<uint64_t>(f.value.ullVal));
            break;
          case NVML_VALUE_TYPE_SIGNED_LONG_LONG:
            v = Napi::BigInt::New(env, static_cast<int64_t>(f.value.sllVal));
            break;
          default: break;
        }
      }
      o.Set("value", v);
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  }
};

struct GetMigModeOp : DeviceOp {
  MigModeValue mode;
  void Run() override { NVML(nvmlDeviceGetMigMode, dev(), &mode.current, &mode.pending); }
  Napi::Value Build(Napi::Env env) override { return ToObject(env, mode, WriteMigMode<ObjectWriter, MigModeValue>); }
};

struct SetMigModeOp : HandleOp<kDevice> {
  unsigned int mode = 0;
  nvmlReturn_t activation = NVML_SUCCESS;
  void Parse(const Napi::CallbackInfo& info) {
    HandleOp::Parse(info);
    mode = ArgU32(info, 1, "mode");
    if (mode > 1) throw Napi::RangeError::New(info.Env(), "mode must be 0 (disable) or 1 (enable)");
  }
  void Run() override {
    if (!NVML(nvmlDeviceSetMigMode, Ptr<nvmlDevice_t>(0), mode, &activation)) return;
    // Every GI/CI/MIG device handle of this GPU belongs to the old configuration.
    handles().InvalidateMigState(GpuSlot());
    sync->ClearCache();
  }
  Napi::Value Build(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("activationStatus", activation);
    return o;
  }
};

}  // namespace

void RegisterDevice(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_device) }

}  // namespace nvmlmig
