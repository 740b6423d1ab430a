// GPU instance profiles, placements, capacity; GPU instances: create, list, get, info, destroy.
#include "async.h"
#include "device.h"
#include "exports.h"
#include "placements.h"
#include "profiles.h"

namespace nvmlmig {

namespace {

// GI lists: 15 GI ids exist (0..14), so 32 fits every GPU in one call.
constexpr unsigned int kGpuInstanceListSize = 32;

struct DeviceOp : HandleOp<kDevice> {
  nvmlDevice_t dev() const { return Ptr<nvmlDevice_t>(0); }
};

// Ops on (device, profileId).
struct ProfileIdOp : DeviceOp {
  unsigned int profileId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    DeviceOp::Parse(info);
    profileId = ArgU32(info, 1, "profileId");
  }
};

struct GiRefOp : HandleOp<kGpuInstance> {
  nvmlGpuInstance_t gi() const { return Ptr<nvmlGpuInstance_t>(0); }
};

int ArgVersion(const Napi::CallbackInfo& info, size_t i, bool allowV1) {
  unsigned int v = ArgU32(info, i, "version");
  if (v > 3 || (v == 1 && !allowV1))
    throw Napi::RangeError::New(info.Env(), allowV1 ? "version must be 0, 1, 2 or 3" : "version must be 0, 2 or 3");
  return static_cast<int>(v);
}

struct ProfileInfoOp : DeviceOp {
  unsigned int index = 0;
  int version = 0;
  bool byId = false;
  ProfileValue profile;
  void Parse(const Napi::CallbackInfo& info) {
    DeviceOp::Parse(info);
    index = ArgU32(info, 1, byId ? "profileId" : "profileIndex");
    version = ArgVersion(info, 2, !byId);
  }
  void Run() override { Check(ReadGpuInstanceProfile(lib(), dev(), index, version, byId, &profile)); }
  Napi::Value Build(Napi::Env env) override { return GpuInstanceProfileToJs(env, profile); }
};

struct ProfileInfoByIdOp : ProfileInfoOp {
  ProfileInfoByIdOp() { byId = true; }
};

struct PlacementsOp : ProfileIdOp {
  std::vector<nvmlGpuInstancePlacement_t> list;
  void Run() override {
    if (lib().nvmlDeviceGetGpuInstancePossiblePlacements_v2)
      Check(ReadPlacements(lib().nvmlDeviceGetGpuInstancePossiblePlacements_v2, dev(), profileId, &list),
            "nvmlDeviceGetGpuInstancePossiblePlacements_v2");
    else if (lib().nvmlDeviceGetGpuInstancePossiblePlacements)
      Check(ReadPlacements(lib().nvmlDeviceGetGpuInstancePossiblePlacements, dev(), profileId, &list),
            "nvmlDeviceGetGpuInstancePossiblePlacements");
    else
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlDeviceGetGpuInstancePossiblePlacements_v2");
  }
  Napi::Value Build(Napi::Env env) override { return PlacementsToJs(env, list); }
};

struct RemainingCapacityOp : U32Answer<ProfileIdOp> {
  void Run() override { NVML(nvmlDeviceGetGpuInstanceRemainingCapacity, dev(), profileId, &value); }
};

struct CreateOp : HandleAnswer<ProfileIdOp> {
  bool placed = false;
  nvmlGpuInstancePlacement_t placement = {};
  void Parse(const Napi::CallbackInfo& info) {
    ProfileIdOp::Parse(info);
    placed = ArgPlacement(info, 2, &placement.start, &placement.size);
  }
  void Run() override {
    nvmlGpuInstance_t gi = nullptr;
    bool ok = placed ? NVML(nvmlDeviceCreateGpuInstanceWithPlacement, dev(), profileId, &placement, &gi)
                     : NVML(nvmlDeviceCreateGpuInstance, dev(), profileId, &gi);
    if (ok) id = handles().Register(kGpuInstance, gi, GpuSlot(), 0, nullptr, profileId);
  }
};

struct DestroyOp : GiRefOp {
  void Run() override {
    if (NVML(nvmlGpuInstanceDestroy, gi())) handles().InvalidateGpuInstance(refs[0].r.slot);
  }
};

struct ListOp : HandleListAnswer<ProfileIdOp> {
  std::vector<nvmlGpuInstance_t> list;
  void Run() override {
    if (!lib().nvmlDeviceGetGpuInstances) {
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlDeviceGetGpuInstances");
      return;
    }
    uint64_t since = handles().Mark();
    if (!Check(ReadInstances(lib().nvmlDeviceGetGpuInstances, dev(), profileId, kGpuInstanceListSize, &list),
               "nvmlDeviceGetGpuInstances"))
      return;
    std::vector<uint32_t> keep;
    for (nvmlGpuInstance_t gi : list) {
      Resolved r;
      ids.push_back(handles().Register(kGpuInstance, gi, GpuSlot(), 0, &r, profileId));
      keep.push_back(r.slot);
    }
    // The driver's whole list of this profile: what it no longer lists was destroyed elsewhere.
    handles().Retain(kGpuInstance, GpuSlot(), profileId, keep, since);
  }
};

struct ByIdOp : HandleAnswer<DeviceOp> {
  unsigned int giId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    DeviceOp::Parse(info);
    giId = ArgU32(info, 1, "id");
  }
  void Run() override {
    nvmlGpuInstance_t gi = nullptr;
    if (NVML(nvmlDeviceGetGpuInstanceById, dev(), giId, &gi)) id = handles().Register(kGpuInstance, gi, GpuSlot());
  }
};

struct InfoOp : GiRefOp {
  nvmlGpuInstanceInfo_t info = {};
  uint64_t deviceId = 0;
  void Run() override {
    if (!NVML(nvmlGpuInstanceGetInfo, gi(), &info)) return;
    // The GI's device is its parent GPU, already in the table (same pointer, same id).
    deviceId = handles().Register(kDevice, info.device, 0);
  }
  Napi::Value Build(Napi::Env env) override { return ToObject(env, *this, WriteGpuInstanceInfo<ObjectWriter, InfoOp>); }
};

}  // namespace

void RegisterGpuInstance(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_gpu_instance) }

}  // namespace nvmlmig
