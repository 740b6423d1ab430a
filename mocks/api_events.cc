// Event sets: MIG configuration changes (nvmlEventMigConfigChange) after GI/CI create/destroy
// and mode switches. Changes made by other processes on a shared state file are seen too: each
// GPU keeps a short log of config changes with sequence numbers, and a wait looks for entries
// newer than what the set has delivered.
#include <chrono>
#include <map>
#include <mutex>

#include "api.h"

using namespace mock;

namespace {

struct Registration {
  unsigned gpu;
  unsigned long long types;
  uint64_t seenSeq;
};

struct EventSet {
  std::vector<Registration> regs;
};

std::mutex g_setsMu;
std::map<uint64_t, EventSet> g_sets;
uint64_t g_nextSet = 1;

const unsigned long long kSupportedEvents = NVML_EVENT_TYPE_MIG_CONFIG_CHANGE;

bool lookupSet(nvmlEventSet_t set, uint64_t* id) {
  unsigned gpu;
  return decodeHandle(set, Kind::EventSet, &gpu, id) && g_sets.count(*id);
}

}  // namespace

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t device, unsigned long long* eventTypes) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!eventTypes) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef&) -> nvmlReturn_t {
      *eventTypes = kSupportedEvents;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t* set) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!set) return NVML_ERROR_INVALID_ARGUMENT;
    std::lock_guard<std::mutex> lock(g_setsMu);
    uint64_t id = g_nextSet++;
    g_sets[id] = EventSet();
    *set = static_cast<nvmlEventSet_t>(makeHandle(Kind::EventSet, 0, id));
    return NVML_SUCCESS;
  });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes,
                                                  nvmlEventSet_t set) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    // Events cannot be registered on MIG device handles.
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      std::lock_guard<std::mutex> lock(g_setsMu);
      uint64_t id;
      if (!lookupSet(set, &id)) return NVML_ERROR_INVALID_ARGUMENT;
      if (eventTypes == 0 || (eventTypes & ~kSupportedEvents)) return NVML_ERROR_NOT_SUPPORTED;
      for (Registration& reg : g_sets[id].regs)
        if (reg.gpu == r.gpuIndex) {
          reg.types |= eventTypes;
          return NVML_SUCCESS;
        }
      g_sets[id].regs.push_back({r.gpuIndex, eventTypes, r.gpu->configSeq});  // only later changes
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t* data, unsigned int timeoutms) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!data) return NVML_ERROR_INVALID_ARGUMENT;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutms);
    while (true) {
      nvmlReturn_t ret = readState([&](const MachineState& m) -> nvmlReturn_t {
        std::lock_guard<std::mutex> lock(g_setsMu);
        uint64_t id;
        if (!lookupSet(set, &id)) return NVML_ERROR_INVALID_ARGUMENT;
        for (Registration& reg : g_sets[id].regs) {
          if (reg.gpu >= m.gpus.size()) continue;
          for (const ConfigEvent& e : m.gpus[reg.gpu].recentEvents) {
            if (e.seq <= reg.seenSeq) continue;
            reg.seenSeq = e.seq;
            data->device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, reg.gpu, 0));
            data->eventType = NVML_EVENT_TYPE_MIG_CONFIG_CHANGE;
            data->eventData = 0;
            data->gpuInstanceId = e.gi;
            data->computeInstanceId = e.ci;
            return NVML_SUCCESS;
          }
        }
        return NVML_ERROR_TIMEOUT;
      });
      if (ret != NVML_ERROR_TIMEOUT) return ret;
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return NVML_ERROR_TIMEOUT;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      // A local change wakes the wait at once; another process's change is seen within 5 ms.
      waitForConfigChange(static_cast<unsigned>(std::min<long long>(left + 1, 5)));
    }
  });
}

MOCK_EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    std::lock_guard<std::mutex> lock(g_setsMu);
    uint64_t id;
    if (!lookupSet(set, &id)) return NVML_ERROR_INVALID_ARGUMENT;
    g_sets.erase(id);
    return NVML_SUCCESS;
  });
}
