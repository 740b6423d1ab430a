// Device queries (GPUs and MIG devices), processes, field values and the MIG mode.
#include <chrono>
#include <cstring>

#include "api.h"

using namespace mock;

namespace {

const unsigned long long kMiB = 1024ull * 1024ull;

const GiProfile& giProfileOf(const DeviceRef& r) { return *r.gpu->model->byId(r.gi->profileId); }
const CiProfile& ciProfileOf(const DeviceRef& r) { return *ciProfileById(giProfileOf(r), r.ci->profileId); }

// Processes visible through a handle: all of the GPU's, or those of one MIG device.
std::vector<const ProcessState*> processesOf(const DeviceRef& r) {
  std::vector<const ProcessState*> out;
  for (const ProcessState& p : r.gpu->processes)
    if (!r.isMig() || (p.onMig && p.gi == r.gi->id && p.ci == r.ci->id)) out.push_back(&p);
  return out;
}

// Memory: a GPU's board memory, or a MIG device's GPU instance (shared by the GI's CIs).
void memoryOf(const DeviceRef& r, unsigned long long* total, unsigned long long* used) {
  *total = (r.isMig() ? giProfileOf(r).memoryMiB : r.gpu->model->memoryMiB) * kMiB;
  *used = 0;
  for (const ProcessState& p : r.gpu->processes)
    if (!r.isMig() || (p.onMig && p.gi == r.gi->id)) *used += p.usedMiB * kMiB;
  if (*used > *total) *used = *total;
}

int migIndexOf(const DeviceRef& r) {
  std::vector<MigDeviceRef> all = migDevices(*r.gpu);
  for (size_t i = 0; i < all.size(); i++)
    if (all[i].ci == r.ci) return static_cast<int>(i);
  return -1;
}

}  // namespace

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      // [inferred] "<board> MIG <CI profile>", the form CUDA shows ("NVIDIA H200 MIG 1g.18gb").
      std::string value = r.isMig() ? r.gpu->name + " MIG " + ciProfileOf(r).name.substr(4) : r.gpu->name;
      return copyString(value, name, length);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      return copyString(r.isMig() ? migUuid(*r.gpu, r.gi->id, r.ci->id) : r.gpu->uuid, uuid, length);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int* index) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!index) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *index = r.isMig() ? static_cast<unsigned>(migIndexOf(r)) : r.gpuIndex;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int* minor) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!minor) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *minor = r.gpu->minor;
      return NVML_SUCCESS;
    });
  });
}

// The board's draw: the model's idle value (the mock runs no load). A MIG device handle is
// NOT_SUPPORTED [inferred: power is a whole-board reading].
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int* power) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!power) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *power = r.gpu->model->idlePowerMw;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t* pci) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!pci) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      std::memset(pci, 0, sizeof *pci);
      const std::string& id = r.gpu->busId;  // "00000000:07:00.0"
      std::snprintf(pci->busId, sizeof pci->busId, "%s", id.c_str());
      std::snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%s", id.substr(4).c_str());
      pci->domain = static_cast<unsigned>(std::strtoul(id.substr(0, 8).c_str(), nullptr, 16));
      pci->bus = static_cast<unsigned>(std::strtoul(id.substr(9, 2).c_str(), nullptr, 16));
      pci->device = static_cast<unsigned>(std::strtoul(id.substr(12, 2).c_str(), nullptr, 16));
      pci->pciDeviceId = r.gpu->model->pciDeviceId;
      pci->pciSubSystemId = r.gpu->model->pciSubSystemId;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      memoryOf(r, &memory->total, &memory->used);
      memory->free = memory->total - memory->used;
      return NVML_SUCCESS;
    });
  });
}

// BAR1 of a MIG device. nvidia-smi 580 leaves a MIG device out of its dashboard when this call
// fails ("No MIG devices found"), so MIG devices answer: total 32767 MiB, used 0 [inferred: the
// value published dashboards of A100 MIG devices show; the mock maps nothing into BAR1]. A whole
// GPU stays NOT_SUPPORTED (its real size is not known here).
const unsigned long long kMigBar1MiB = 32767;
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetBAR1MemoryInfo(nvmlDevice_t device, nvmlBAR1Memory_t* bar1) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!bar1) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!r.isMig()) return NVML_ERROR_NOT_SUPPORTED;
      bar1->bar1Total = kMigBar1MiB * kMiB;
      bar1->bar1Used = 0;
      bar1->bar1Free = bar1->bar1Total;
      return NVML_SUCCESS;
    });
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t* memory) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
    if (memory->version != nvmlMemory_v2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      memoryOf(r, &memory->total, &memory->used);
      // The board's driver reservation (the model's, 0 where no board was measured); a MIG device
      // reports none [inferred].
      memory->reserved = r.isMig() ? 0 : r.gpu->model->reservedBytes;
      unsigned long long taken = memory->used + memory->reserved;
      memory->free = taken < memory->total ? memory->total - taken : 0;
      return NVML_SUCCESS;
    });
  });
}
#endif

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t* utilization) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!utilization) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      // "On MIG-enabled GPUs, querying device utilization rates is not currently supported."
      if (r.gpu->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
      unsigned long long total, used;
      memoryOf(r, &total, &used);
      // A simple, deterministic load: 25% per running process, memory as the share in use.
      utilization->gpu = std::min<unsigned>(100, 25u * static_cast<unsigned>(r.gpu->processes.size()));
      utilization->memory = static_cast<unsigned>(used * 100 / total);
      return NVML_SUCCESS;
    });
  });
}

static nvmlReturn_t runningProcesses(nvmlDevice_t device, unsigned* count, nvmlProcessInfo_t* infos) {
  return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
    std::vector<const ProcessState*> list = processesOf(r);
    return fillList(list.size(), infos, count, [&](size_t i, nvmlProcessInfo_t& out) {
      const ProcessState& p = *list[i];
      out.pid = p.pid;
      out.usedGpuMemory = p.usedMiB * kMiB;
      out.gpuInstanceId = r.gpu->migCurrent && p.onMig ? p.gi : 0xFFFFFFFFu;
      out.computeInstanceId = r.gpu->migCurrent && p.onMig ? p.ci : 0xFFFFFFFFu;
    });
  });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int* infoCount,
                                                                 nvmlProcessInfo_t* infos) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return runningProcesses(device, infoCount, infos); });
}
// The _v2 struct has the same four fields.
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int* infoCount,
                                                                 nvmlProcessInfo_t* infos) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return runningProcesses(device, infoCount, infos); });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t* values) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (valuesCount <= 0 || !values) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      long long now =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      for (int i = 0; i < valuesCount; i++) {
        nvmlFieldValue_t& v = values[i];
        v.timestamp = now;
        v.latencyUsec = 0;
        v.valueType = NVML_VALUE_TYPE_UNSIGNED_INT;
        std::memset(&v.value, 0, sizeof v.value);
        v.nvmlReturn = NVML_SUCCESS;
        if (v.fieldId == NVML_FI_DEV_IS_RESETLESS_MIG_SUPPORTED)
          v.value.uiVal = r.gpu->model->migNeedsReset ? 0 : 1;
        else if (v.fieldId == NVML_FI_DEV_IS_MIG_MODE_INDEPENDENT_MIG_QUERY_CAPABLE)
          v.value.uiVal = r.gpu->model->migQueryWhenDisabled;
        else
          v.nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
      }
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceSetMigMode(nvmlDevice_t device, unsigned int mode, nvmlReturn_t* activationStatus) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!activationStatus || mode > NVML_DEVICE_MIG_ENABLE) return NVML_ERROR_INVALID_ARGUMENT;
    return mutate(resolveDevice, device, [&](MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
      if (r.isMig()) return NVML_ERROR_NOT_SUPPORTED;
      GpuState& gpu = m.gpus[r.gpuIndex];
      // A resetless GPU (Hopper and later) asked to disable MIG while GPU instances exist refuses,
      // the call itself answering IN_USE (nvidia-smi: "Unable to disable MIG Mode for GPU ...: In
      // use by another client"); the instances stay. Ampere keeps the change pending and its reset
      // clears them, as before. docs/cli.md, "Disabling MIG mode", gives the evidence.
      if (mode == NVML_DEVICE_MIG_DISABLE && gpu.migCurrent && !gpu.gis.empty() && !gpu.model->migNeedsReset)
        return NVML_ERROR_IN_USE;
      *activationStatus = setMigMode(gpu, mode == NVML_DEVICE_MIG_ENABLE);
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int* currentMode,
                                              unsigned int* pendingMode) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!currentMode || !pendingMode) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *currentMode = r.gpu->migCurrent ? 1 : 0;
      *pendingMode = r.gpu->migPending ? 1 : 0;
      return NVML_SUCCESS;
    });
  });
}

// ---- MIG device handles ----

MOCK_EXPORT nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int* isMigDevice) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!isMigDevice) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *isMigDevice = r.isMig() ? 1 : 0;
      return NVML_SUCCESS;
    });
  });
}

// On a GPU handle these MIG-only queries are NOT_SUPPORTED [inferred; the header only says
// "not supported by the device"].
template <class F>
static nvmlReturn_t onMig(nvmlDevice_t device, F f) {
  return onDevice(device, [&](const MachineState& m, const DeviceRef& r) -> nvmlReturn_t {
    if (!r.isMig()) return NVML_ERROR_NOT_SUPPORTED;
    return f(m, r);
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int* id) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!id) return NVML_ERROR_INVALID_ARGUMENT;
    return onMig(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *id = r.gi->id;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int* id) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!id) return NVML_ERROR_INVALID_ARGUMENT;
    return onMig(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *id = r.ci->id;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *count = r.gpu->migCurrent ? r.gpu->model->maxMigDevices : 0;  // zero while MIG is disabled
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                             nvmlDevice_t* migDevice) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!migDevice) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!r.gpu->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
      if (index >= r.gpu->model->maxMigDevices) return NVML_ERROR_INVALID_ARGUMENT;
      std::vector<MigDeviceRef> all = migDevices(*r.gpu);
      if (index >= all.size()) return NVML_ERROR_NOT_FOUND;
      *migDevice = static_cast<nvmlDevice_t>(makeHandle(Kind::MigDevice, r.gpuIndex, all[index].ci->serial));
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t migDevice, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!device) return NVML_ERROR_INVALID_ARGUMENT;
    return onMig(migDevice, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, r.gpuIndex, 0));
      return NVML_SUCCESS;
    });
  });
}

#ifndef NVML_MOCK_LEGACY
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetAttributes_v2(nvmlDevice_t device, nvmlDeviceAttributes_t* attributes) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!attributes) return NVML_ERROR_INVALID_ARGUMENT;
    // "currently only supported for MIG device handles"
    return onMig(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      const GiProfile& gi = giProfileOf(r);
      const CiProfile& ci = ciProfileOf(r);
      attributes->multiprocessorCount = ci.sms;
      attributes->sharedCopyEngineCount = gi.ce;
      attributes->sharedDecoderCount = gi.dec;
      attributes->sharedEncoderCount = gi.enc;
      attributes->sharedJpegCount = gi.jpeg;
      attributes->sharedOfaCount = gi.ofa;
      attributes->gpuInstanceSliceCount = gi.slices;
      attributes->computeInstanceSliceCount = ci.slices;
      attributes->memorySizeMB = gi.memoryMiB;
      return NVML_SUCCESS;
    });
  });
}
#endif

// ---- cheap identity queries that nvidia-smi and monitoring tools ask for ----

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetArchitecture(nvmlDevice_t device, unsigned int* arch) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!arch) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *arch = r.gpu->model->architecture == "hopper" ? 9 : 7;  // NVML_DEVICE_ARCH_HOPPER / _AMPERE
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int* major, int* minor) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!major || !minor) return NVML_ERROR_INVALID_ARGUMENT;
    return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      *major = r.gpu->model->architecture == "hopper" ? 9 : 8;
      *minor = 0;
      return NVML_SUCCESS;
    });
  });
}
