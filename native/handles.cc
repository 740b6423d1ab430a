#include "handles.h"

#include <algorithm>
#include <stdexcept>

namespace nvmlmig {

const char* KindName(KindMask kind) {
  switch (kind) {
    case kDevice: return "device";
    case kMigDevice: return "MIG device";
    case kAnyDevice: return "device";
    case kGpuInstance: return "GPU instance";
    case kComputeInstance: return "compute instance";
    case kEventSet: return "event set";
    case kGpmSample: return "GPM sample";
    default: return "handle";
  }
}

uint64_t HandleTable::Register(Kind kind, void* ptr, uint32_t gpuSlot, uint32_t giSlot, Resolved* out,
                               uint32_t profile) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t slot;
  auto it = byPtr_.find(ptr);
  if (it != byPtr_.end()) {
    slot = it->second;
  } else {
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      if (entries_.size() >= kSlotLimit) throw std::length_error("handle table full");
      slot = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    Entry& e = entries_[slot];
    e.ptr = ptr;
    e.kind = kind;
    e.alive = true;
    e.gpuSlot = gpuSlot ? gpuSlot : slot;
    e.giSlot = kind == kGpuInstance ? slot : giSlot;
    byPtr_[ptr] = slot;
    e.profile = kUntagged;
    if (e.gpuSlot == slot) e.sync = std::make_shared<GpuSync>();
  }
  Entry& e = entries_[slot];
  e.seq = ++seq_;
  if (profile != kUntagged) e.profile = profile;
  if (out)
    *out = Resolved{
        e.ptr, slot, e.gen, e.gpuSlot, e.kind, kills_.load(std::memory_order_relaxed), entries_[e.gpuSlot].sync.get()};
  return uint64_t(e.gen) * kSlotLimit + slot;
}

HandleTable::Lookup HandleTable::Resolve(uint64_t id, KindMask want, Resolved* out, Kind* actual,
                                         std::shared_ptr<GpuSync>* keep) const {
  uint32_t slot = static_cast<uint32_t>(id % kSlotLimit);
  uint64_t gen = id / kSlotLimit;
  std::lock_guard<std::mutex> lock(mutex_);
  if (slot == 0 || slot >= entries_.size()) return Lookup::kStale;
  const Entry& e = entries_[slot];
  if (!e.alive || e.gen != gen) return Lookup::kStale;
  *actual = e.kind;
  if (!(e.kind & want)) return Lookup::kWrongKind;
  const std::shared_ptr<GpuSync>& sync = entries_[e.gpuSlot].sync;
  *out = Resolved{e.ptr, slot, e.gen, e.gpuSlot, e.kind, kills_.load(std::memory_order_relaxed), sync.get()};
  if (keep) *keep = sync;
  return Lookup::kOk;
}

bool HandleTable::AliveLocked(const Resolved& r) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (r.slot == 0 || r.slot >= entries_.size()) return false;
  const Entry& e = entries_[r.slot];
  return e.alive && e.gen == r.gen;
}

std::shared_ptr<GpuSync> HandleTable::Sync(uint32_t gpuSlot) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return gpuSlot < entries_.size() ? entries_[gpuSlot].sync : nullptr;
}

void HandleTable::KillLocked(uint32_t slot) {
  Entry& e = entries_[slot];
  if (!e.alive) return;
  e.alive = false;
  e.gen++;
  kills_.fetch_add(1, std::memory_order_release);
  auto it = byPtr_.find(e.ptr);
  if (it != byPtr_.end() && it->second == slot) byPtr_.erase(it);
  e.sync.reset();
  e.ptr = nullptr;
  free_.push_back(slot);
}

void HandleTable::InvalidateGpuInstance(uint32_t giSlot) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t gpu = entries_[giSlot].gpuSlot;
  for (uint32_t s = 1; s < entries_.size(); s++) {
    const Entry& e = entries_[s];
    if (!e.alive) continue;
    if (s == giSlot || (e.kind == kComputeInstance && e.giSlot == giSlot) || (e.kind == kMigDevice && e.gpuSlot == gpu))
      KillLocked(s);
  }
}

void HandleTable::InvalidateComputeInstance(uint32_t ciSlot) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t gpu = entries_[ciSlot].gpuSlot;
  for (uint32_t s = 1; s < entries_.size(); s++) {
    const Entry& e = entries_[s];
    if (e.alive && (s == ciSlot || (e.kind == kMigDevice && e.gpuSlot == gpu))) KillLocked(s);
  }
}

void HandleTable::InvalidateMigState(uint32_t gpuSlot) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (uint32_t s = 1; s < entries_.size(); s++) {
    const Entry& e = entries_[s];
    if (e.alive && e.gpuSlot == gpuSlot && (e.kind & (kMigDevice | kGpuInstance | kComputeInstance))) KillLocked(s);
  }
}

void HandleTable::InvalidateSlot(uint32_t slot) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (slot < entries_.size()) KillLocked(slot);
}

uint64_t HandleTable::Mark() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seq_;
}

void HandleTable::Retain(Kind kind, uint32_t owner, uint32_t profile, const std::vector<uint32_t>& keep,
                         uint64_t since) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (uint32_t s = 1; s < entries_.size(); s++) {
    const Entry& e = entries_[s];
    if (!e.alive || e.kind != kind || e.seq > since) continue;
    if ((kind == kComputeInstance ? e.giSlot : e.gpuSlot) != owner) continue;
    if (profile != kUntagged && e.profile != profile) continue;
    if (std::find(keep.begin(), keep.end(), s) != keep.end()) continue;
    if (kind == kGpuInstance)
      for (uint32_t c = 1; c < entries_.size(); c++)
        if (entries_[c].alive && entries_[c].kind == kComputeInstance && entries_[c].giSlot == s) KillLocked(c);
    KillLocked(s);
  }
}

void HandleTable::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (uint32_t s = 1; s < entries_.size(); s++) KillLocked(s);
}

std::vector<void*> HandleTable::LivePointers(Kind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<void*> out;
  for (uint32_t s = 1; s < entries_.size(); s++)
    if (entries_[s].alive && entries_[s].kind == kind) out.push_back(entries_[s].ptr);
  return out;
}

size_t HandleTable::LiveCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return byPtr_.size();
}

}  // namespace nvmlmig
