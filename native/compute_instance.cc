// Compute instance profiles, placements and capacity of a GPU instance; compute instances:
// create, list, get, info, destroy.
#include "async.h"
#include "device.h"
#include "exports.h"
#include "placements.h"
#include "profiles.h"

namespace nvmlmig {

namespace {

// CI ids are 0..7 per GI.
constexpr unsigned int kComputeInstanceListSize = 16;

struct GiOp : HandleOp<kGpuInstance> {
  nvmlGpuInstance_t gi() const { return Ptr<nvmlGpuInstance_t>(0); }
  uint32_t GiSlot() const { return refs[0].r.slot; }
};

struct ProfileIdOp : GiOp {
  unsigned int profileId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    GiOp::Parse(info);
    profileId = ArgU32(info, 1, "profileId");
  }
};

struct ProfileInfoOp : GiOp {
  unsigned int index = 0, engProfile = 0;
  int version = 0;
  ProfileValue profile;
  void Parse(const Napi::CallbackInfo& info) {
    GiOp::Parse(info);
    index = ArgU32(info, 1, "profileIndex");
    engProfile = ArgU32(info, 2, "engProfile");
    unsigned int v = ArgU32(info, 3, "version");
    if (v > 3) throw Napi::RangeError::New(info.Env(), "version must be 0, 1, 2 or 3");
    version = static_cast<int>(v);
  }
  void Run() override { Check(ReadComputeInstanceProfile(lib(), gi(), index, engProfile, version, &profile)); }
  Napi::Value Build(Napi::Env env) override { return ComputeInstanceProfileToJs(env, profile); }
};

struct RemainingCapacityOp : U32Answer<ProfileIdOp> {
  void Run() override { NVML(nvmlGpuInstanceGetComputeInstanceRemainingCapacity, gi(), profileId, &value); }
};

struct PlacementsOp : ProfileIdOp {
  std::vector<nvmlComputeInstancePlacement_t> list;
  void Run() override {
    if (!lib().nvmlGpuInstanceGetComputeInstancePossiblePlacements)
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlGpuInstanceGetComputeInstancePossiblePlacements");
    else
      Check(ReadPlacements(lib().nvmlGpuInstanceGetComputeInstancePossiblePlacements, gi(), profileId, &list),
            "nvmlGpuInstanceGetComputeInstancePossiblePlacements");
  }
  Napi::Value Build(Napi::Env env) override { return PlacementsToJs(env, list); }
};

struct CreateOp : HandleAnswer<ProfileIdOp> {
  bool placed = false;
  nvmlComputeInstancePlacement_t placement = {};
  void Parse(const Napi::CallbackInfo& info) {
    ProfileIdOp::Parse(info);
    placed = ArgPlacement(info, 2, &placement.start, &placement.size);
  }
  void Run() override {
    nvmlComputeInstance_t ci = nullptr;
    bool ok = placed ? NVML(nvmlGpuInstanceCreateComputeInstanceWithPlacement, gi(), profileId, &placement, &ci)
                     : NVML(nvmlGpuInstanceCreateComputeInstance, gi(), profileId, &ci);
    if (ok) id = handles().Register(kComputeInstance, ci, GpuSlot(), GiSlot(), nullptr, profileId);
  }
};

struct DestroyOp : HandleOp<kComputeInstance> {
  void Run() override {
    if (NVML(nvmlComputeInstanceDestroy, Ptr<nvmlComputeInstance_t>(0)))
      handles().InvalidateComputeInstance(refs[0].r.slot);
  }
};

struct ListOp : HandleListAnswer<ProfileIdOp> {
  std::vector<nvmlComputeInstance_t> list;
  void Run() override {
    if (!lib().nvmlGpuInstanceGetComputeInstances) {
      Check(NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlGpuInstanceGetComputeInstances");
      return;
    }
    uint64_t since = handles().Mark();
    if (!Check(
            ReadInstances(lib().nvmlGpuInstanceGetComputeInstances, gi(), profileId, kComputeInstanceListSize, &list),
            "nvmlGpuInstanceGetComputeInstances"))
      return;
    std::vector<uint32_t> keep;
    for (nvmlComputeInstance_t ci : list) {
      Resolved r;
      ids.push_back(handles().Register(kComputeInstance, ci, GpuSlot(), GiSlot(), &r, profileId));
      keep.push_back(r.slot);
    }
    handles().Retain(kComputeInstance, GiSlot(), profileId, keep, since);
  }
};

struct ByIdOp : HandleAnswer<GiOp> {
  unsigned int ciId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    GiOp::Parse(info);
    ciId = ArgU32(info, 1, "id");
  }
  void Run() override {
    nvmlComputeInstance_t ci = nullptr;
    if (NVML(nvmlGpuInstanceGetComputeInstanceById, gi(), ciId, &ci))
      id = handles().Register(kComputeInstance, ci, GpuSlot(), GiSlot());
  }
};

struct InfoOp : HandleOp<kComputeInstance> {
  nvmlComputeInstanceInfo_t info = {};
  uint64_t deviceId = 0, giId = 0;
  void Run() override {
    nvmlComputeInstance_t ci = Ptr<nvmlComputeInstance_t>(0);
    bool ok = lib().nvmlComputeInstanceGetInfo_v2 ? NVML(nvmlComputeInstanceGetInfo_v2, ci, &info)
                                                  : NVML(nvmlComputeInstanceGetInfo, ci, &info);
    if (!ok) return;
    Resolved gi;
    giId = handles().Register(kGpuInstance, info.gpuInstance, GpuSlot(), 0, &gi);
    // The CI's device is its parent GPU ("Parent device" in NVML's header; nvidia-smi's `mig -lci`
    // prints that GPU's index from it), not the CI's MIG device.
    deviceId = handles().Register(kDevice, info.device, 0);
  }
  Napi::Value Build(Napi::Env env) override {
    return ToObject(env, *this, WriteComputeInstanceInfo<ObjectWriter, InfoOp>);
  }
};

}  // namespace

void RegisterComputeInstance(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_compute_instance) }

}  // namespace nvmlmig
