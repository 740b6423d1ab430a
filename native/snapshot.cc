// snapshot(): every GPU, its GPU/compute instances and MIG devices in one worker trip. A failed
// read of one item becomes an entry of that device's `errors`; the snapshot still completes.
//
// What cannot change while a GPU's MIG mode stays the same is read once and cached per GPU: the
// supported GI profile ids (a profile-info call per index, up to 18 on a Hopper GPU, each among
// the driver's slowest reads), the CI profile ids offered in a GI of each GI profile (a call per
// index), and the maximum MIG device count. Every snapshot reads the MIG mode (current and
// pending); when it differs from the mode the cache was filled under, or this process set the
// mode, the cache is dropped and refilled. GPU and compute instances, their info and the MIG
// devices are read on every snapshot: other processes create and destroy them.
//
// parallelGpus (default 1) reads that many GPUs at once, one thread each, each GPU still on one
// thread: calls on one GPU serialize in the driver (measured on an H100), whether calls on
// different GPUs overlap depends on the driver, so it is an option the bench measures.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "args.h"
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
  MigModeValue mig;
  MemoryValue mem;
  nvmlUtilization_t util = {};
  std::vector<nvmlProcessInfo_t> procs;
  std::vector<SnapGi> gis;
  std::vector<SnapMig> migs;
  std::vector<SnapError> errors;
};

// Most threads one snapshot reads GPUs on (parallelGpus).
constexpr unsigned int kMaxParallelGpus = 64;

// Drops a GPU's cached tables when its MIG mode is not the one they were read under.
void CheckMode(GpuSync& sync, const MigModeValue& mode) {
  std::lock_guard<std::mutex> lock(sync.cacheMutex);
  if (sync.modeKnown && sync.modeCurrent == mode.current && sync.modePending == mode.pending) return;
  sync.profilesKnown = sync.maxMigKnown = false;
  sync.giProfileIds.clear();
  sync.ciProfileIds.clear();
  sync.modeKnown = true;
  sync.modeCurrent = mode.current;
  sync.modePending = mode.pending;
}

struct SnapshotOp : Op {
  // Pooled (native/functions.cjs): hundreds of driver calls, each GPU's lock in turn.
  uint64_t startedNs = 0, finishedNs = 0;
  unsigned int parallelGpus = 1;
  std::vector<SnapDevice> devices;
  JsonWriter json;

  void Parse(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || info[0].IsUndefined()) return;
    parallelGpus = ArgU32(info, 0, "parallelGpus");
    if (parallelGpus < 1 || parallelGpus > kMaxParallelGpus)
      throw Napi::RangeError::New(info.Env(),
                                  "parallelGpus must be an integer from 1 to " + std::to_string(kMaxParallelGpus));
  }

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

  void ReadText(SnapDevice& d, nvmlReturn_t (*f)(nvmlDevice_t, char*, unsigned int), const char* fn, nvmlDevice_t dev,
                Text* out) {
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
      Status st =
          ReadGpuInstanceProfile(lib(), dev, index, lib().nvmlDeviceGetGpuInstanceProfileInfo ? 1 : 0, false, &p);
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
    std::vector<nvmlGpuInstance_t> giList;
    std::vector<nvmlComputeInstance_t> ciList;
    giList.reserve(32);
    ciList.reserve(16);
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

  // The most MIG devices the GPU can have in its MIG mode (cached).
  bool MaxMigDevices(SnapDevice& d, GpuSync& sync, nvmlDevice_t dev, unsigned int* max) {
    {
      std::lock_guard<std::mutex> lock(sync.cacheMutex);
      if (sync.maxMigKnown) {
        *max = sync.maxMigDevices;
        return true;
      }
    }
    if (!Ok(d, Raw(lib().nvmlDeviceGetMaxMigDeviceCount, dev, max), "nvmlDeviceGetMaxMigDeviceCount")) return false;
    std::lock_guard<std::mutex> lock(sync.cacheMutex);
    sync.maxMigDevices = *max;
    sync.maxMigKnown = true;
    return true;
  }

  void ReadMigDevices(SnapDevice& d, GpuSync& sync, nvmlDevice_t dev, uint32_t gpuSlot) {
    unsigned int max = 0;
    if (!MaxMigDevices(d, sync, dev, &max)) return;
    d.migs.reserve(max);
    uint64_t since = handles().Mark();
    std::vector<uint32_t> keep;
    bool complete = true;
    for (unsigned int i = 0; i < max; i++) {
      nvmlDevice_t mig = nullptr;
      nvmlReturn_t ret = Raw(lib().nvmlDeviceGetMigDeviceHandleByIndex, dev, i, &mig);
      // Sparse indices: an empty index is not an error.
      if (ret == NVML_ERROR_NOT_FOUND || ret == NVML_ERROR_INVALID_ARGUMENT) continue;
      if (!Ok(d, ret, "nvmlDeviceGetMigDeviceHandleByIndex")) {
        complete = false;
        continue;
      }
      d.migs.emplace_back();
      SnapMig& m = d.migs.back();
      m.index = i;
      Resolved r;
      m.handle = handles().Register(kMigDevice, mig, gpuSlot, 0, &r, HandleTable::kByIndex);
      keep.push_back(r.slot);
      ReadText(d, lib().nvmlDeviceGetUUID, "nvmlDeviceGetUUID", mig, &m.uuid);
      ReadText(d, lib().nvmlDeviceGetName, "nvmlDeviceGetName", mig, &m.name);
      m.hasGi = Ok(d, Raw(lib().nvmlDeviceGetGpuInstanceId, mig, &m.gi), "nvmlDeviceGetGpuInstanceId");
      m.hasCi = Ok(d, Raw(lib().nvmlDeviceGetComputeInstanceId, mig, &m.ci), "nvmlDeviceGetComputeInstanceId");
      m.hasMem = Ok(d, ReadMemory(lib(), mig, &m.mem));
      m.hasAttrs = Ok(d, ReadAttributes(lib(), mig, &m.attrs));
      Ok(d, ReadProcesses(lib(), mig, &m.procs), true);
    }
    // Every index was read: a MIG device handle of this GPU not among them is gone.
    if (complete) handles().Retain(kMigDevice, gpuSlot, HandleTable::kByIndex, keep, since);
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
    d.hasMig =
        Ok(d, Raw(lib().nvmlDeviceGetMigMode, dev, &d.mig.current, &d.mig.pending), "nvmlDeviceGetMigMode", true);
    if (d.hasMig) CheckMode(*sync, d.mig);
    d.hasMem = Ok(d, ReadMemory(lib(), dev, &d.mem));
    d.hasUtil = Ok(d, Raw(lib().nvmlDeviceGetUtilizationRates, dev, &d.util), "nvmlDeviceGetUtilizationRates", true);
    Ok(d, ReadProcesses(lib(), dev, &d.procs), true);
    if (d.hasMig && d.mig.current == NVML_DEVICE_MIG_ENABLE) {
      ReadInstances(d, *sync, dev);
      ReadMigDevices(d, *sync, dev, r.gpuSlot);
    }
  }

  void Run() override {
    startedNs = MonotonicNs();
    unsigned int count = 0;
    if (!NVML(nvmlDeviceGetCount_v2, &count)) return;
    devices.resize(count);
    unsigned int threads = std::min(parallelGpus, count);
    if (threads <= 1) {
      for (unsigned int i = 0; i < count; i++) ReadDevice(devices[i], i);
    } else {
      // Each thread takes the next unread GPU; every GPU is read by one thread.
      std::atomic<unsigned int> next{0};
      auto work = [&] {
        for (unsigned int i; (i = next.fetch_add(1)) < count;) ReadDevice(devices[i], i);
      };
      std::vector<std::thread> pool;
      pool.reserve(threads - 1);
      try {
        for (unsigned int t = 1; t < threads; t++) pool.emplace_back(work);
      } catch (const std::system_error&) {
        // No more threads now: those started and this one read the rest.
      }
      work();
      for (std::thread& t : pool) t.join();
    }
    finishedNs = MonotonicNs();
    Serialize();
  }

  Napi::Value Build(Napi::Env env) override { return Napi::String::New(env, json.out); }

  // Nested arrays in the field order of native/functions.cjs (structs Snapshot, SnapshotDevice,
  // ...); lib/native.gen.ts decodes them with the same lists.
  void Serialize() {
    json.out.reserve(256 + devices.size() * 4096);
    json.Open();
    WriteSnapshot(json, *this);
    json.Close();
  }
};

}  // namespace

// Exported as snapshotJson(Sync); lib/binding.ts gives them to JS as snapshot(Sync) (parsed).
void RegisterSnapshot(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_snapshot) }

}  // namespace nvmlmig
