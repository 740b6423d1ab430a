// The handle table: JS sees numbers, never pointers.
//
// An id is gen * 2^21 + slot (a safe integer). `gen` is the slot's generation: it grows every
// time the slot's entry is invalidated, so an old id never names a later entry (a destroyed GI,
// anything from before close()). The same raw pointer maps to the same live id (dedupe).
// Entries are registered by workers (under the table mutex) while they hold their GPU's lock,
// so a handle an op resolved cannot be invalidated between the op's liveness check and its
// NVML call (see async.h for the locking scheme).
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace nvmlmig {

enum Kind : uint8_t {
  kDevice = 1,     // a physical GPU
  kMigDevice = 2,  // a MIG device handle
  kGpuInstance = 4,
  kComputeInstance = 8,
  kEventSet = 16,
  kGpmSample = 32,  // a GPM sample buffer (its own lock owner, like an event set)
};
using KindMask = uint8_t;
constexpr KindMask kAnyDevice = kDevice | kMigDevice;
const char* KindName(KindMask kind);

// Per-GPU (and per-event-set) synchronisation and caches.
struct GpuSync {
  // Reads hold it shared, mutations exclusive, around the liveness check and the NVML call.
  std::shared_mutex rw;
  // Mutations of this GPU not yet queued to the thread pool (JS thread only).
  std::deque<Napi::AsyncWorker*> fifo;
  bool busy = false;  // a mutation of this GPU is queued or running (JS thread only)
  // Snapshot caches (native/snapshot.cc): what is static while the MIG mode stays the same.
  std::mutex cacheMutex;
  bool modeKnown = false;  // the MIG mode (current, pending) the cached tables belong to
  unsigned int modeCurrent = 0, modePending = 0;
  bool profilesKnown = false;
  std::vector<unsigned int> giProfileIds;
  std::unordered_map<unsigned int, std::vector<unsigned int>> ciProfileIds;
  bool maxMigKnown = false;
  unsigned int maxMigDevices = 0;
  void ClearCache() {
    std::lock_guard<std::mutex> lock(cacheMutex);
    modeKnown = profilesKnown = maxMigKnown = false;
    giProfileIds.clear();
    ciProfileIds.clear();
  }
};

struct Resolved {
  void* ptr = nullptr;
  uint32_t slot = 0;
  uint32_t gen = 0;
  uint32_t gpuSlot = 0;  // the physical GPU (or event set) whose lock guards this handle
  Kind kind = kDevice;
  uint64_t kills = 0;       // the table's invalidation count when this was looked up
  GpuSync* sync = nullptr;  // the lock owner's GpuSync (owned by the table entry)
};

class HandleTable {
 public:
  enum class Lookup { kOk, kStale, kWrongKind };

  // Registers ptr (or finds its live entry) and returns its id. gpuSlot 0 = the entry is its
  // own lock owner (physical GPU, event set). giSlot: the GI a CI belongs to (0 otherwise).
  // profile: the GI/CI profile id the caller knows the handle has, kByIndex for a MIG device found by
  // index, kUntagged otherwise.
  uint64_t Register(Kind kind, void* ptr, uint32_t gpuSlot, uint32_t giSlot = 0, Resolved* out = nullptr,
                    uint32_t profile = kUntagged);
  // One lock round trip per handle: the entry and its GPU's GpuSync. keep (optional) receives a
  // reference that keeps the GpuSync alive past an invalidation (calls that leave the JS thread).
  Lookup Resolve(uint64_t id, KindMask want, Resolved* out, Kind* actual,
                 std::shared_ptr<GpuSync>* keep = nullptr) const;
  // Whether r is still live. Lock-free while nothing was invalidated since r was looked up.
  bool Alive(const Resolved& r) const {
    if (kills_.load(std::memory_order_acquire) == r.kills) return true;
    return AliveLocked(r);
  }
  std::shared_ptr<GpuSync> Sync(uint32_t gpuSlot) const;

  // Our own GI destroy: the GI, its CIs and every MIG device handle of its GPU.
  void InvalidateGpuInstance(uint32_t giSlot);
  // Our own CI destroy: the CI and every MIG device handle of its GPU.
  void InvalidateComputeInstance(uint32_t ciSlot);
  // A MIG mode change: every GI, CI and MIG device handle of the GPU.
  void InvalidateMigState(uint32_t gpuSlot);
  void InvalidateSlot(uint32_t slot);
  // close(): everything.
  void Clear();
  // A position in the sequence of registrations (take it before a complete listing starts).
  uint64_t Mark() const;
  // After a complete listing: entries of `kind` under `owner` (the GPU slot for GIs and MIG devices,
  // the GI slot for CIs), tagged `profile` (any when kUntagged), that the listing did not return
  // (`keep`) and that nobody registered since `since`, are gone: destroyed by another process.
  // Forget them (a GI with its CIs), so the table does not grow while others reconfigure the GPU.
  void Retain(Kind kind, uint32_t owner, uint32_t profile, const std::vector<uint32_t>& keep, uint64_t since);
  size_t LiveCount() const;
  // The pointers of every live entry of `kind` (close() frees the GPM samples still allocated).
  std::vector<void*> LivePointers(Kind kind) const;

  static constexpr uint32_t kUntagged = 0xFFFFFFFFu;
  // The tag of MIG device handles found by index (GetMigDeviceHandleByIndex): only those are
  // forgotten by a complete index walk, since a handle found another way (a CI's info, a UUID)
  // need not be the same pointer on every driver.
  static constexpr uint32_t kByIndex = 0xFFFFFFFEu;
  static constexpr uint64_t kSlotBits = 21;
  static constexpr uint64_t kSlotLimit = uint64_t(1) << kSlotBits;

 private:
  struct Entry {
    void* ptr = nullptr;
    uint32_t gen = 1;
    uint32_t gpuSlot = 0;
    uint32_t giSlot = 0;
    uint32_t profile = kUntagged;
    uint64_t seq = 0;  // the registration count when this entry was last registered
    Kind kind = kDevice;
    bool alive = false;
    std::shared_ptr<GpuSync> sync;  // lock owners only (physical GPU, event set)
  };
  void KillLocked(uint32_t slot);
  bool AliveLocked(const Resolved& r) const;

  mutable std::mutex mutex_;
  std::vector<Entry> entries_{1};  // slot 0 is never used
  std::vector<uint32_t> free_;
  std::unordered_map<void*, uint32_t> byPtr_;
  uint64_t seq_ = 0;  // registrations so far (under mutex_)
  // Grows (under mutex_) with every invalidation: an unchanged count means every handle looked
  // up since is still alive, without taking the mutex.
  std::atomic<uint64_t> kills_{0};
};

}  // namespace nvmlmig
