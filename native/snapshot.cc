// snapshot(): every GPU, its GPU/compute instances and MIG devices in one worker trip. A failed
// read of one item becomes an entry of that device's `errors`; the snapshot still completes.
// Supported GI profile ids (and CI profile ids per GI profile) are cached per GPU: they are
// static for a GPU and cost a driver round trip per index; a MIG mode change clears the cache.
#include <time.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "async.h"
#include "device.h"
#include "exports.h"
#include "placements.h"
#include "profiles.h"

namespace nvmlmig {

namespace {

// Profile indices are probed until the driver answers INVALID_ARGUMENT (bounded, in case a
// library never does).
constexpr unsigned int kMaxGiProfileIndex = 64;
constexpr unsigned int kMaxCiProfileIndex = 32;

uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

struct SnapError {
  const char* fn;
  nvmlReturn_t ret;
};

struct Text {
  bool ok = false;
  char buf[NVML_DEVICE_NAME_V2_BUFFER_SIZE] = {};
};

struct SnapCi {
  unsigned int id, profileId;
  nvmlComputeInstancePlacement_t placement;
};

struct SnapGi {
  unsigned int id, profileId;
  nvmlGpuInstancePlacement_t placement;
  std::vector<SnapCi> cis;
};

struct SnapMig {
  unsigned int index = 0;
  uint64_t handle = 0;
  Text uuid, name;
  bool hasGi = false, hasCi = false, hasMem = false, hasAttrs = false;
  unsigned int gi = 0, ci = 0;
  MemoryValue mem;
  nvmlDeviceAttributes_t attrs = {};
  std::vector<nvmlProcessInfo_t> procs;
};

struct SnapDevice {
  unsigned int index = 0;
  uint64_t handle = 0;
  Text name, uuid, pciBusId;
  bool hasMig = false, hasMem = false, hasUtil = false;
  unsigned int migCurrent = 0, migPending = 0;
  MemoryValue mem;
  nvmlUtilization_t util = {};
  std::vector<nvmlProcessInfo_t> procs;
  std::vector<SnapGi> gis;
  std::vector<SnapMig> migs;
  std::vector<SnapError> errors;
};

Napi::Value TextOrNull(Napi::Env env, const Text& t) {
  return t.ok ? Napi::Value(Napi::String::New(env, t.buf)) : env.Null();
}

struct SnapshotOp : Op {
  uint64_t startedNs = 0, finishedNs = 0;
  std::vector<SnapDevice> devices;
  // Scratch buffers reused across GPUs.
  std::vector<nvmlGpuInstance_t> giList;
  std::vector<nvmlComputeInstance_t> ciList;

  // Records a failure of one item; NOT_SUPPORTED is an answer (null), not an error, for the
  // fields that pass quietNotSupported.
  bool Ok(SnapDevice& d, Status s, bool quietNotSupported = false) {
    if (s.ret == NVML_SUCCESS) return true;
    if (!(quietNotSupported && s.ret == NVML_ERROR_NOT_SUPPORTED)) d.errors.push_back(SnapError{s.fn, s.ret});
    return false;
  }
  bool Ok(SnapDevice& d, nvmlReturn_t ret, const char* fn, bool quietNotSupported = false) {
    return Ok(d, Status{ret, fn}, quietNotSupported);
  }

  template <class F, class... A>
  nvmlReturn_t Raw(F f, A... args) {
    return f ? f(args...) : NVML_ERROR_FUNCTION_NOT_FOUND;
  }

  void ReadText(SnapDevice& d, nvmlReturn_t (*f)(nvmlDevice_t, char*, unsigned int), const char* fn,
                nvmlDevice_t dev, Text* out) {
    out->ok = Ok(d, Raw(f, dev, out->buf, static_cast<unsigned int>(sizeof out->buf - 1)), fn);
  }

  // The supported GI profile ids of this GPU (cached).
  bool GiProfileIds(SnapDevice& d, GpuSync& sync, nvmlDevice_t dev, std::vector<unsigned int>* ids) {
    {
      std::lock_guard<std::mutex> lock(sync.cacheMutex);
      if (sync.profilesKnown) {
        *ids = sync.giProfileIds;
        return true;
      }
    }
    ids->clear();
    for (unsigned int index = 0; index < kMaxGiProfileIndex; index++) {
      ProfileValue p;
      // Only the id is needed: the v1 struct gives it in one driver call.
      Status st = ReadGpuInstanceProfile(lib(), dev, index, lib().nvmlDeviceGetGpuInstanceProfileInfo ? 1 : 0, false, &p);
      if (st.ret == NVML_ERROR_INVALID_ARGUMENT) break;
      if (st.ret == NVML_ERROR_NOT_SUPPORTED) continue;
      if (!Ok(d, st)) return false;
      ids->push_back(p.id);
    }
    std::lock_guard<std::mutex> lock(sync.cacheMutex);
    sync.giProfileIds = *ids;
    sync.profilesKnown = true;
    return true;
  }

  // The CI profile ids offered inside GIs of one GI profile (cached per GI profile id).
  bool CiProfileIds(SnapDevice& d, GpuSync& sync, nvmlGpuInstance_t gi, unsigned int giProfileId,
                    std::vector<unsigned int>* ids) {
    {
      std::lock_guard<std::mutex> lock(sync.cacheMutex);
      auto it = sync.ciProfileIds.find(giProfileId);
      if (it != sync.ciProfileIds.end()) {
        *ids = it->second;
        return true;
      }
    }
    ids->clear();
    for (unsigned int index = 0; index < kMaxCiProfileIndex; index++) {
      ProfileValue p;
      Status st = ReadComputeInstanceProfile(lib(), gi, index, NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
                                             lib().nvmlGpuInstanceGetComputeInstanceProfileInfo ? 1 : 0, &p);
      if (st.ret == NVML_ERROR_INVALID_ARGUMENT) break;
      if (st.ret == NVML_ERROR_NOT_SUPPORTED) continue;
      if (!Ok(d, st)) return false;
      ids->push_back(p.id);
    }
    std::lock_guard<std::mutex> lock(sync.cacheMutex);
    sync.ciProfileIds[giProfileId] = *ids;
    return true;
  }

  void ReadInstances(SnapDevice& d, GpuSync& sync, nvmlDevice_t dev) {
    std::vector<unsigned int> giProfiles, ciProfiles;
    if (!GiProfileIds(d, sync, dev, &giProfiles)) return;
    for (unsigned int profileId : giProfiles) {
      if (!lib().nvmlDeviceGetGpuInstances) {
        Ok(d, NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlDeviceGetGpuInstances");
        return;
      }
      if (!Ok(d, nvmlmig::ReadInstances(lib().nvmlDeviceGetGpuInstances, dev, profileId, 32, &giList),
              "nvmlDeviceGetGpuInstances"))
        continue;
      for (nvmlGpuInstance_t gi : giList) {
        nvmlGpuInstanceInfo_t info = {};
        if (!Ok(d, Raw(lib().nvmlGpuInstanceGetInfo, gi, &info), "nvmlGpuInstanceGetInfo")) continue;
        d.gis.push_back(SnapGi{info.id, info.profileId, info.placement, {}});
        SnapGi& g = d.gis.back();
        if (!CiProfileIds(d, sync, gi, info.profileId, &ciProfiles)) continue;
        for (unsigned int ciProfileId : ciProfiles) {
          if (!lib().nvmlGpuInstanceGetComputeInstances) {
            Ok(d, NVML_ERROR_FUNCTION_NOT_FOUND, "nvmlGpuInstanceGetComputeInstances");
            break;
          }
          if (!Ok(d, nvmlmig::ReadInstances(lib().nvmlGpuInstanceGetComputeInstances, gi, ciProfileId, 16, &ciList),
                  "nvmlGpuInstanceGetComputeInstances"))
            continue;
          for (nvmlComputeInstance_t ci : ciList) {
            nvmlComputeInstanceInfo_t cinfo = {};
            nvmlReturn_t ret;
            const char* fn;
            if (lib().nvmlComputeInstanceGetInfo_v2) {
              fn = "nvmlComputeInstanceGetInfo_v2";
              ret = lib().nvmlComputeInstanceGetInfo_v2(ci, &cinfo);
            } else {
              fn = "nvmlComputeInstanceGetInfo";
              ret = Raw(lib().nvmlComputeInstanceGetInfo, ci, &cinfo);
            }
            if (Ok(d, ret, fn)) g.cis.push_back(SnapCi{cinfo.id, cinfo.profileId, cinfo.placement});
          }
        }
        std::sort(g.cis.begin(), g.cis.end(), [](const SnapCi& a, const SnapCi& b) { return a.id < b.id; });
      }
    }
    std::sort(d.gis.begin(), d.gis.end(), [](const SnapGi& a, const SnapGi& b) { return a.id < b.id; });
  }

  void ReadMigDevices(SnapDevice& d, nvmlDevice_t dev, uint32_t gpuSlot) {
    unsigned int max = 0;
    if (!Ok(d, Raw(lib().nvmlDeviceGetMaxMigDeviceCount, dev, &max), "nvmlDeviceGetMaxMigDeviceCount")) return;
    d.migs.reserve(max);
    for (unsigned int i = 0; i < max; i++) {
      nvmlDevice_t mig = nullptr;
      nvmlReturn_t ret = Raw(lib().nvmlDeviceGetMigDeviceHandleByIndex, dev, i, &mig);
      // Sparse indices: an empty index is not an error.
      if (ret == NVML_ERROR_NOT_FOUND || ret == NVML_ERROR_INVALID_ARGUMENT) continue;
      if (!Ok(d, ret, "nvmlDeviceGetMigDeviceHandleByIndex")) continue;
      d.migs.emplace_back();
      SnapMig& m = d.migs.back();
      m.index = i;
      m.handle = handles().Register(kMigDevice, mig, gpuSlot);
      ReadText(d, lib().nvmlDeviceGetUUID, "nvmlDeviceGetUUID", mig, &m.uuid);
      ReadText(d, lib().nvmlDeviceGetName, "nvmlDeviceGetName", mig, &m.name);
      m.hasGi = Ok(d, Raw(lib().nvmlDeviceGetGpuInstanceId, mig, &m.gi), "nvmlDeviceGetGpuInstanceId");
      m.hasCi = Ok(d, Raw(lib().nvmlDeviceGetComputeInstanceId, mig, &m.ci), "nvmlDeviceGetComputeInstanceId");
      m.hasMem = Ok(d, ReadMemory(lib(), mig, &m.mem));
      m.hasAttrs = Ok(d, ReadAttributes(lib(), mig, &m.attrs));
      Ok(d, ReadProcesses(lib(), mig, &m.procs), true);
    }
  }

  void ReadDevice(SnapDevice& d, unsigned int index) {
    d.index = index;
    nvmlDevice_t dev = nullptr;
    if (!Ok(d, Raw(lib().nvmlDeviceGetHandleByIndex_v2, index, &dev), "nvmlDeviceGetHandleByIndex_v2")) return;
    Resolved r;
    d.handle = handles().Register(kDevice, dev, 0, 0, &r);
    std::shared_ptr<GpuSync> sync = handles().Sync(r.gpuSlot);
    if (!sync) return;  // a MIG device at a GPU index cannot happen; nothing to lock otherwise
    std::shared_lock<std::shared_mutex> lock(sync->rw);
    ReadText(d, lib().nvmlDeviceGetName, "nvmlDeviceGetName", dev, &d.name);
    ReadText(d, lib().nvmlDeviceGetUUID, "nvmlDeviceGetUUID", dev, &d.uuid);
    nvmlPciInfo_t pci = {};
    if (Ok(d, Raw(lib().nvmlDeviceGetPciInfo_v3, dev, &pci), "nvmlDeviceGetPciInfo_v3")) {
      d.pciBusId.ok = true;
      std::memcpy(d.pciBusId.buf, pci.busId, sizeof pci.busId);
      d.pciBusId.buf[sizeof pci.busId - 1] = '\0';
    }
    d.hasMig = Ok(d, Raw(lib().nvmlDeviceGetMigMode, dev, &d.migCurrent, &d.migPending), "nvmlDeviceGetMigMode", true);
    d.hasMem = Ok(d, ReadMemory(lib(), dev, &d.mem));
    d.hasUtil = Ok(d, Raw(lib().nvmlDeviceGetUtilizationRates, dev, &d.util), "nvmlDeviceGetUtilizationRates", true);
    Ok(d, ReadProcesses(lib(), dev, &d.procs), true);
    if (d.hasMig && d.migCurrent == NVML_DEVICE_MIG_ENABLE) {
      ReadInstances(d, *sync, dev);
      ReadMigDevices(d, dev, r.gpuSlot);
    }
  }

  void Run() override {
    startedNs = MonotonicNs();
    unsigned int count = 0;
    if (!NVML(nvmlDeviceGetCount_v2, &count)) return;
    devices.resize(count);
    giList.reserve(32);
    ciList.reserve(16);
    for (unsigned int i = 0; i < count; i++) ReadDevice(devices[i], i);
    finishedNs = MonotonicNs();
  }

  Napi::Value Build(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("startedNs", Napi::BigInt::New(env, startedNs));
    out.Set("finishedNs", Napi::BigInt::New(env, finishedNs));
    Napi::Array devs = Napi::Array::New(env, devices.size());
    for (size_t i = 0; i < devices.size(); i++) devs.Set(static_cast<uint32_t>(i), DeviceToJs(env, devices[i]));
    out.Set("devices", devs);
    return out;
  }

  static Napi::Object DeviceToJs(Napi::Env env, const SnapDevice& d) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", d.index);
    o.Set("handle", static_cast<double>(d.handle));
    o.Set("name", TextOrNull(env, d.name));
    o.Set("uuid", TextOrNull(env, d.uuid));
    o.Set("pciBusId", TextOrNull(env, d.pciBusId));
    if (d.hasMig) {
      Napi::Object m = Napi::Object::New(env);
      m.Set("current", d.migCurrent);
      m.Set("pending", d.migPending);
      o.Set("migMode", m);
    } else {
      o.Set("migMode", env.Null());
    }
    o.Set("memory", d.hasMem ? Napi::Value(MemoryToJs(env, d.mem)) : env.Null());
    if (d.hasUtil) {
      Napi::Object u = Napi::Object::New(env);
      u.Set("gpu", d.util.gpu);
      u.Set("memory", d.util.memory);
      o.Set("utilization", u);
    } else {
      o.Set("utilization", env.Null());
    }
    o.Set("processes", ProcessesToJs(env, d.procs));
    Napi::Array gis = Napi::Array::New(env, d.gis.size());
    for (size_t i = 0; i < d.gis.size(); i++) {
      const SnapGi& g = d.gis[i];
      Napi::Object go = Napi::Object::New(env);
      go.Set("id", g.id);
      go.Set("profileId", g.profileId);
      go.Set("placement", PlacementToJs(env, g.placement.start, g.placement.size));
      Napi::Array cis = Napi::Array::New(env, g.cis.size());
      for (size_t k = 0; k < g.cis.size(); k++) {
        Napi::Object co = Napi::Object::New(env);
        co.Set("id", g.cis[k].id);
        co.Set("profileId", g.cis[k].profileId);
        co.Set("placement", PlacementToJs(env, g.cis[k].placement.start, g.cis[k].placement.size));
        cis.Set(static_cast<uint32_t>(k), co);
      }
      go.Set("computeInstances", cis);
      gis.Set(static_cast<uint32_t>(i), go);
    }
    o.Set("gpuInstances", gis);
    Napi::Array migs = Napi::Array::New(env, d.migs.size());
    for (size_t i = 0; i < d.migs.size(); i++) {
      const SnapMig& m = d.migs[i];
      Napi::Object mo = Napi::Object::New(env);
      mo.Set("index", m.index);
      mo.Set("handle", static_cast<double>(m.handle));
      mo.Set("uuid", TextOrNull(env, m.uuid));
      mo.Set("name", TextOrNull(env, m.name));
      mo.Set("gpuInstanceId", m.hasGi ? Napi::Value(Napi::Number::New(env, m.gi)) : env.Null());
      mo.Set("computeInstanceId", m.hasCi ? Napi::Value(Napi::Number::New(env, m.ci)) : env.Null());
      mo.Set("memory", m.hasMem ? Napi::Value(MemoryToJs(env, m.mem)) : env.Null());
      mo.Set("attributes", m.hasAttrs ? Napi::Value(AttributesToJs(env, m.attrs)) : env.Null());
      mo.Set("processes", ProcessesToJs(env, m.procs));
      migs.Set(static_cast<uint32_t>(i), mo);
    }
    o.Set("migDevices", migs);
    Napi::Array errs = Napi::Array::New(env, d.errors.size());
    for (size_t i = 0; i < d.errors.size(); i++) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("fn", d.errors[i].fn);
      e.Set("nvmlReturn", d.errors[i].ret);
      e.Set("code", ReturnCodeName(d.errors[i].ret));
      errs.Set(static_cast<uint32_t>(i), e);
    }
    o.Set("errors", errs);
    return o;
  }
};

}  // namespace

void RegisterSnapshot(Napi::Env env, Napi::Object exports) { ExportWithSync<SnapshotOp>(env, exports, "snapshot"); }

}  // namespace nvmlmig
