// GPU instances and compute instances: profiles, placements, capacity, lifecycle.
#include <cstring>

#include "api.h"

using namespace mock;

namespace {

template <class Info>
void fillGiCommon(const GiProfile& p, Info* info) {
  info->id = p.id;
  info->sliceCount = p.slices;
  info->instanceCount = p.instances;
  info->multiprocessorCount = p.sms;
  info->copyEngineCount = p.ce;
  info->decoderCount = p.dec;
  info->encoderCount = p.enc;
  info->jpegCount = p.jpeg;
  info->ofaCount = p.ofa;
  info->memorySizeMB = p.memoryMiB;
}

// Profile by INDEX: an index the GPU lacks is NOT_SUPPORTED; past the driver's last index it is
// INVALID_ARGUMENT (how callers find the end of the table). Driver 580.159.04 on the real H100
// answered NOT_SUPPORTED up to 0x10 and INVALID_ARGUMENT from 0x11 (its profile count is 0x11,
// one less than the newest header's NVML_GPU_INSTANCE_PROFILE_COUNT).
const unsigned kDriverGiProfileCount = 0x11;

nvmlReturn_t giProfileByIndex(const DeviceRef& r, unsigned index, const GiProfile** out) {
  if (index >= kDriverGiProfileCount) return NVML_ERROR_INVALID_ARGUMENT;
  *out = r.gpu->model->byIndex(index);
  return *out ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
}

#ifndef NVML_MOCK_LEGACY
// Fills a v2 or v3 struct, chosen by its version word (same size, different layouts).
nvmlReturn_t fillGiVersioned(const GiProfile& p, nvmlGpuInstanceProfileInfo_v2_t* info) {
  if (info->version == nvmlGpuInstanceProfileInfo_v2) {
    std::memset(reinterpret_cast<char*>(info) + sizeof(unsigned), 0, sizeof *info - sizeof(unsigned));
    fillGiCommon(p, info);
    info->isP2pSupported = 0;  // "No" on every capture
    std::snprintf(info->name, sizeof info->name, "%s", p.name.c_str());
    return NVML_SUCCESS;
  }
  if (info->version == nvmlGpuInstanceProfileInfo_v3) {
    auto* v3 = reinterpret_cast<nvmlGpuInstanceProfileInfo_v3_t*>(info);
    std::memset(reinterpret_cast<char*>(v3) + sizeof(unsigned), 0, sizeof *v3 - sizeof(unsigned));
    fillGiCommon(p, v3);
    // The real H100 (driver 580.159.04) fills every number of the v3 struct but leaves its name
    // empty; the v2 struct carries the name.
    v3->capabilities = p.has(kGfx) ? 0x2u : 0u;  // NVML_GPU_INSTANCE_PROFILE_CAPS_GFX; never P2P
    return NVML_SUCCESS;
  }
  return NVML_ERROR_INVALID_ARGUMENT;  // the V calls document INVALID_ARGUMENT for a bad version
}
#endif

const GiProfile* giProfileById(const DeviceRef& r, unsigned id) { return r.gpu->model->byId(id); }

// NVML documents *count as output only ("must be large enough" for the buffer): a zero count with a
// buffer is taken as that contract; a non-zero count too small for the list is INSUFFICIENT_SIZE
// rather than a write past the caller's buffer.
nvmlReturn_t placements(const std::vector<Slot>& list, nvmlGpuInstancePlacement_t* out, unsigned* count) {
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  if (!out) {  // placements == NULL asks for the count
    *count = static_cast<unsigned>(list.size());
    return NVML_SUCCESS;
  }
  if (*count == 0) *count = static_cast<unsigned>(list.size());
  return fillList(list.size(), out, count, [&](size_t i, nvmlGpuInstancePlacement_t& p) {
    p.start = list[i].start;
    p.size = list[i].size;
  });
}

nvmlReturn_t gpuInstancePlacements(nvmlDevice_t device, unsigned profileId, nvmlGpuInstancePlacement_t* out,
                                   unsigned* count) {
  // Answers "regardless of whether MIG is enabled".
  return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
    const GiProfile* p = giProfileById(r, profileId);
    if (!p) return NVML_ERROR_INVALID_ARGUMENT;
    return placements(p->placements, out, count);
  });
}

nvmlReturn_t createGpuInstance(nvmlDevice_t device, unsigned profileId, const nvmlGpuInstancePlacement_t* placement,
                               nvmlGpuInstance_t* gpuInstance, bool withPlacement) {
  if (!gpuInstance || (withPlacement && !placement)) return NVML_ERROR_INVALID_ARGUMENT;
  return mutate(resolveDevice, device, [&](MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
    if (r.isMig()) return NVML_ERROR_NOT_SUPPORTED;
    if (!r.gpu->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
    Slot where{0, 0};
    if (placement) where = {placement->start, placement->size};
    uint64_t serial = 0;
    nvmlReturn_t ret = createGi(m, r.gpuIndex, profileId, placement ? &where : nullptr, &serial);
    if (ret == NVML_SUCCESS)
      *gpuInstance = static_cast<nvmlGpuInstance_t>(makeHandle(Kind::GpuInstance, r.gpuIndex, serial));
    return ret;
  });
}

template <class Info>
void fillCiCommon(const CiProfile& p, const GiProfile& gi, Info* info) {
  info->id = p.id;
  info->sliceCount = p.slices;
  info->instanceCount = p.instances;
  info->multiprocessorCount = p.sms;
  info->sharedCopyEngineCount = gi.ce;
  info->sharedDecoderCount = gi.dec;
  info->sharedEncoderCount = gi.enc;
  info->sharedJpegCount = gi.jpeg;
  info->sharedOfaCount = gi.ofa;
}

nvmlReturn_t ciProfileByIndex(const DeviceRef& r, unsigned index, unsigned engProfile, const CiProfile** out) {
  if (index >= NVML_COMPUTE_INSTANCE_PROFILE_COUNT || engProfile != NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED)
    return NVML_ERROR_INVALID_ARGUMENT;
  *out = ciProfileById(*r.gpu->model->byId(r.gi->profileId), index);  // CI profile id == index
  return *out ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
}

nvmlReturn_t computeInstanceInfo(nvmlComputeInstance_t ci, nvmlComputeInstanceInfo_t* info) {
  if (!info) return NVML_ERROR_INVALID_ARGUMENT;
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    DeviceRef r;
    if (!resolveCi(m, ci, &r)) return NVML_ERROR_INVALID_ARGUMENT;
    // "Parent device" (the header's word for this field): the GPU, not the MIG device. nvidia-smi
    // 580's `mig -lci` prints nvmlDeviceGetIndex of this handle in its GPU column.
    info->device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, r.gpuIndex, 0));
    info->gpuInstance = static_cast<nvmlGpuInstance_t>(makeHandle(Kind::GpuInstance, r.gpuIndex, r.gi->serial));
    info->id = r.ci->id;
    info->profileId = r.ci->profileId;
    info->placement = {r.ci->placement.start, r.ci->placement.size};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t createComputeInstance(nvmlGpuInstance_t gi, unsigned profileId,
                                   const nvmlComputeInstancePlacement_t* placement, nvmlComputeInstance_t* ci,
                                   bool withPlacement) {
  if (!ci || (withPlacement && !placement)) return NVML_ERROR_INVALID_ARGUMENT;
  return mutate(resolveGi, gi, [&](MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
    Slot where{0, 0};
    if (placement) where = {placement->start, placement->size};
    uint64_t serial = 0;
    nvmlReturn_t ret = createCi(m, r.gpuIndex, r.gi->serial, profileId, placement ? &where : nullptr, &serial);
    if (ret == NVML_SUCCESS)
      *ci = static_cast<nvmlComputeInstance_t>(makeHandle(Kind::ComputeInstance, r.gpuIndex, serial));
    return ret;
  });
}

}  // namespace

// ---------------------------------------------------------------- GPU instance profiles

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(nvmlDevice_t device, unsigned int profile,
                                                             nvmlGpuInstanceProfileInfo_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const GiProfile* p = nullptr;
      nvmlReturn_t ret = giProfileByIndex(r, profile, &p);
      if (ret != NVML_SUCCESS) return ret;
      std::memset(info, 0, sizeof *info);
      fillGiCommon(*p, info);
      return NVML_SUCCESS;
    });
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoV(nvmlDevice_t device, unsigned int profile,
                                                              nvmlGpuInstanceProfileInfo_v2_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const GiProfile* p = nullptr;
      nvmlReturn_t ret = giProfileByIndex(r, profile, &p);
      return ret != NVML_SUCCESS ? ret : fillGiVersioned(*p, info);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoByIdV(nvmlDevice_t device, unsigned int profileId,
                                                                  nvmlGpuInstanceProfileInfo_v2_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const GiProfile* p = giProfileById(r, profileId);
      return p ? fillGiVersioned(*p, info) : NVML_ERROR_NOT_SUPPORTED;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements_v2(nvmlDevice_t device, unsigned int profileId,
                                                                       nvmlGpuInstancePlacement_t* out,
                                                                       unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return gpuInstancePlacements(device, profileId, out, count); });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements(nvmlDevice_t device, unsigned int profileId,
                                                                    nvmlGpuInstancePlacement_t* out,
                                                                    unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return gpuInstancePlacements(device, profileId, out, count); });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceRemainingCapacity(nvmlDevice_t device, unsigned int profileId,
                                                                   unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    // Answers with MIG disabled too (the real H100 did): the full, empty grid.
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const GiProfile* p = giProfileById(r, profileId);
      if (!p) return NVML_ERROR_INVALID_ARGUMENT;
      *count = giRemainingCapacity(*r.gpu, *p);
      return NVML_SUCCESS;
    });
  });
}

// ---------------------------------------------------------------- GPU instances

MOCK_EXPORT nvmlReturn_t nvmlDeviceCreateGpuInstance(nvmlDevice_t device, unsigned int profileId,
                                                     nvmlGpuInstance_t* gpuInstance) {
  return call(__func__, true,
              [&]() -> nvmlReturn_t { return createGpuInstance(device, profileId, nullptr, gpuInstance, false); });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(nvmlDevice_t device, unsigned int profileId,
                                                                  const nvmlGpuInstancePlacement_t* placement,
                                                                  nvmlGpuInstance_t* gpuInstance) {
  return call(__func__, true,
              [&]() -> nvmlReturn_t { return createGpuInstance(device, profileId, placement, gpuInstance, true); });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceDestroy(nvmlGpuInstance_t gpuInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return mutate(resolveGi, gpuInstance, [&](MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
      return destroyGi(m, r.gpuIndex, r.gi->serial);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstances(nvmlDevice_t device, unsigned int profileId,
                                                   nvmlGpuInstance_t* gpuInstances, unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count || !gpuInstances) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!r.gpu->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
      if (!giProfileById(r, profileId)) return NVML_ERROR_INVALID_ARGUMENT;
      // As in NVML, *count is output only: the buffer holds the profile's instanceCount entries.
      unsigned n = 0;
      for (const GiState& gi : r.gpu->gis)
        if (gi.profileId == profileId)
          gpuInstances[n++] = static_cast<nvmlGpuInstance_t>(makeHandle(Kind::GpuInstance, r.gpuIndex, gi.serial));
      *count = n;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceById(nvmlDevice_t device, unsigned int id,
                                                      nvmlGpuInstance_t* gpuInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!gpuInstance) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!r.gpu->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
      for (const GiState& gi : r.gpu->gis)
        if (gi.id == id) {
          *gpuInstance = static_cast<nvmlGpuInstance_t>(makeHandle(Kind::GpuInstance, r.gpuIndex, gi.serial));
          return NVML_SUCCESS;
        }
      return NVML_ERROR_NOT_FOUND;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      info->device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, r.gpuIndex, 0));
      info->id = r.gi->id;
      info->profileId = r.gi->profileId;
      info->placement = {r.gi->placement.start, r.gi->placement.size};
      return NVML_SUCCESS;
    });
  });
}

// ---------------------------------------------------------------- compute instance profiles

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(nvmlGpuInstance_t gpuInstance,
                                                                      unsigned int profile, unsigned int engProfile,
                                                                      nvmlComputeInstanceProfileInfo_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const CiProfile* p = nullptr;
      nvmlReturn_t ret = ciProfileByIndex(r, profile, engProfile, &p);
      if (ret != NVML_SUCCESS) return ret;
      std::memset(info, 0, sizeof *info);
      fillCiCommon(*p, *r.gpu->model->byId(r.gi->profileId), info);
      return NVML_SUCCESS;
    });
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfoV(nvmlGpuInstance_t gpuInstance,
                                                                       unsigned int profile, unsigned int engProfile,
                                                                       nvmlComputeInstanceProfileInfo_v2_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!info) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const CiProfile* p = nullptr;
      nvmlReturn_t ret = ciProfileByIndex(r, profile, engProfile, &p);
      if (ret != NVML_SUCCESS) return ret;
      const GiProfile& gi = *r.gpu->model->byId(r.gi->profileId);
      // v3 = v2 + capabilities at the end: both share the prefix, so one fill serves both.
      if (info->version == nvmlComputeInstanceProfileInfo_v3) {
        auto* v3 = reinterpret_cast<nvmlComputeInstanceProfileInfo_v3_t*>(info);
        std::memset(reinterpret_cast<char*>(v3) + sizeof(unsigned), 0, sizeof *v3 - sizeof(unsigned));
      } else if (info->version == nvmlComputeInstanceProfileInfo_v2) {
        std::memset(reinterpret_cast<char*>(info) + sizeof(unsigned), 0, sizeof *info - sizeof(unsigned));
      } else {
        return NVML_ERROR_INVALID_ARGUMENT;
      }
      fillCiCommon(*p, gi, info);
      std::snprintf(info->name, sizeof info->name, "%s", p->name.c_str());
      return NVML_SUCCESS;
    });
  });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceRemainingCapacity(nvmlGpuInstance_t gpuInstance,
                                                                            unsigned int profileId,
                                                                            unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const CiProfile* p = ciProfileById(*r.gpu->model->byId(r.gi->profileId), profileId);
      if (!p) return NVML_ERROR_INVALID_ARGUMENT;
      *count = ciRemainingCapacity(*r.gi, *p);
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstancePossiblePlacements(nvmlGpuInstance_t gpuInstance,
                                                                             unsigned int profileId,
                                                                             nvmlComputeInstancePlacement_t* out,
                                                                             unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const CiProfile* p = ciProfileById(*r.gpu->model->byId(r.gi->profileId), profileId);
      if (!p) return NVML_ERROR_INVALID_ARGUMENT;
      static_assert(sizeof(nvmlComputeInstancePlacement_t) == sizeof(nvmlGpuInstancePlacement_t), "same layout");
      return placements(p->placements, reinterpret_cast<nvmlGpuInstancePlacement_t*>(out), count);
    });
  });
}

// ---------------------------------------------------------------- compute instances

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                              nvmlComputeInstance_t* computeInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return createComputeInstance(gpuInstance, profileId, nullptr, computeInstance, false);
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceCreateComputeInstanceWithPlacement(
    nvmlGpuInstance_t gpuInstance, unsigned int profileId, const nvmlComputeInstancePlacement_t* placement,
    nvmlComputeInstance_t* computeInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return createComputeInstance(gpuInstance, profileId, placement, computeInstance, true);
  });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlComputeInstanceDestroy(nvmlComputeInstance_t computeInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return mutate(resolveCi, computeInstance, [&](MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
      return destroyCi(m, r.gpuIndex, r.ci->serial);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstances(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                            nvmlComputeInstance_t* computeInstances,
                                                            unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count || !computeInstances) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!ciProfileById(*r.gpu->model->byId(r.gi->profileId), profileId)) return NVML_ERROR_INVALID_ARGUMENT;
      unsigned n = 0;  // *count is output only, as for GPU instances
      for (const CiState& ci : r.gi->cis)
        if (ci.profileId == profileId)
          computeInstances[n++] =
              static_cast<nvmlComputeInstance_t>(makeHandle(Kind::ComputeInstance, r.gpuIndex, ci.serial));
      *count = n;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceById(nvmlGpuInstance_t gpuInstance, unsigned int id,
                                                               nvmlComputeInstance_t* computeInstance) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!computeInstance) return NVML_ERROR_INVALID_ARGUMENT;
    return onGi(gpuInstance, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      for (const CiState& ci : r.gi->cis)
        if (ci.id == id) {
          *computeInstance =
              static_cast<nvmlComputeInstance_t>(makeHandle(Kind::ComputeInstance, r.gpuIndex, ci.serial));
          return NVML_SUCCESS;
        }
      return NVML_ERROR_NOT_FOUND;
    });
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlComputeInstanceGetInfo_v2(nvmlComputeInstance_t ci, nvmlComputeInstanceInfo_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return computeInstanceInfo(ci, info); });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlComputeInstanceGetInfo(nvmlComputeInstance_t ci, nvmlComputeInstanceInfo_t* info) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return computeInstanceInfo(ci, info); });
}
