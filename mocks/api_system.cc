// Library lifetime, versions, error strings and device lookup.
#include <strings.h>

#include <cstring>

#include "api.h"

using namespace mock;

MOCK_EXPORT nvmlReturn_t nvmlInit_v2(void) { return call(__func__, false, initLibrary); }
MOCK_EXPORT nvmlReturn_t nvmlInit(void) { return call(__func__, false, initLibrary); }
MOCK_EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
  return call(__func__, false,
              [&]() -> nvmlReturn_t { return flags > 7 ? NVML_ERROR_INVALID_ARGUMENT : initLibrary(); });
}
MOCK_EXPORT nvmlReturn_t nvmlShutdown(void) { return call(__func__, false, shutdownLibrary); }

// The driver's texts, from the one return-code table (native/return_codes.json).
MOCK_EXPORT const char* nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
#define NVML_RETURN_CODE_CASE(name, value, text) \
  case name: return text;
    NVML_RETURN_CODE_TABLE(NVML_RETURN_CODE_CASE)
#undef NVML_RETURN_CODE_CASE
    default: return "Unknown Error";
  }
}

MOCK_EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return copyString(kDriverVersion, version, length); });
}
MOCK_EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char* version, unsigned int length) {
  return call(__func__, false, [&]() -> nvmlReturn_t { return copyString(kNvmlVersion, version, length); });
}
static nvmlReturn_t cudaVersion(int* out) {
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  *out = kCudaDriverVersion;
  return NVML_SUCCESS;
}
MOCK_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* v) {
  return call(__func__, false, [&]() -> nvmlReturn_t { return cudaVersion(v); });
}
MOCK_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* v) {
  return call(__func__, false, [&]() -> nvmlReturn_t { return cudaVersion(v); });
}

static nvmlReturn_t deviceCount(unsigned* count) {
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    *count = static_cast<unsigned>(m.gpus.size());
    return NVML_SUCCESS;
  });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* c) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return deviceCount(c); });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetCount(unsigned int* c) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return deviceCount(c); });
}

static nvmlReturn_t handleByIndex(unsigned index, nvmlDevice_t* device) {
  if (!device) return NVML_ERROR_INVALID_ARGUMENT;
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    if (index >= m.gpus.size()) return NVML_ERROR_INVALID_ARGUMENT;
    *device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, index, 0));
    return NVML_SUCCESS;
  });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return handleByIndex(index, device); });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return handleByIndex(index, device); });
}

MOCK_EXPORT nvmlReturn_t nvmlDeviceGetHandleByUUID(const char* uuid, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!uuid || !device) return NVML_ERROR_INVALID_ARGUMENT;
    std::string want(uuid);
    return readState([&](const MachineState& m) -> nvmlReturn_t {
      for (unsigned i = 0; i < m.gpus.size(); i++) {
        const GpuState& g = m.gpus[i];
        if (strcasecmp(g.uuid.c_str(), uuid) == 0) {
          *device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, i, 0));
          return NVML_SUCCESS;
        }
        for (const MigDeviceRef& d : migDevices(g)) {
          // The current form, and the R450/R460 form "MIG-GPU-<gpu uuid>/<gi>/<ci>".
          std::string legacy = "MIG-" + g.uuid + "/" + std::to_string(d.gi->id) + "/" + std::to_string(d.ci->id);
          if (strcasecmp(migUuid(g, d.gi->id, d.ci->id).c_str(), uuid) == 0 || strcasecmp(legacy.c_str(), uuid) == 0) {
            *device = static_cast<nvmlDevice_t>(makeHandle(Kind::MigDevice, i, d.ci->serial));
            return NVML_SUCCESS;
          }
        }
      }
      return NVML_ERROR_NOT_FOUND;
    });
  });
}

// "0000:07:00.0", "00000000:07:00.0" and "07:00.0" name the same device.
static std::string normalizeBusId(const std::string& id) {
  std::string s = id;
  for (char& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  size_t colons = std::count(s.begin(), s.end(), ':');
  if (colons == 1) s = "00000000:" + s;
  size_t first = s.find(':');
  std::string domain = s.substr(0, first);
  if (domain.size() < 8) domain = std::string(8 - domain.size(), '0') + domain;
  return domain + s.substr(first);
}

static nvmlReturn_t handleByPci(const char* busId, nvmlDevice_t* device) {
  if (!busId || !device) return NVML_ERROR_INVALID_ARGUMENT;
  std::string want = normalizeBusId(busId);
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    for (unsigned i = 0; i < m.gpus.size(); i++)
      if (normalizeBusId(m.gpus[i].busId) == want) {
        *device = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, i, 0));
        return NVML_SUCCESS;
      }
    return NVML_ERROR_NOT_FOUND;
  });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char* busId, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return handleByPci(busId, device); });
}
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetHandleByPciBusId(const char* busId, nvmlDevice_t* device) {
  return call(__func__, true, [&]() -> nvmlReturn_t { return handleByPci(busId, device); });
}
