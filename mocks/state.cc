#include "state.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mock {

namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t fnv1a(const std::string& s, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return splitmix(h);
}

// 16 deterministic bytes for a name, printed as 8-4-4-4-12 hex.
std::string uuidText(const std::string& name, bool version5) {
  uint64_t a = fnv1a(name, 0xCBF29CE484222325ull), b = fnv1a(name, 0x84222325CBF29CE4ull);
  unsigned char bytes[16];
  for (int i = 0; i < 8; i++) {
    bytes[i] = static_cast<unsigned char>(a >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (56 - 8 * i));
  }
  if (version5) {  // MIG UUIDs look like RFC 4122 name-based (version 5) UUIDs
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x50);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  }
  char out[40];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

// PCI buses of the eight GPUs of a DGX A100/H100; further GPUs continue above them.
std::string busIdFor(unsigned index) {
  static const unsigned kBuses[] = {0x07, 0x0F, 0x47, 0x4E, 0x87, 0x90, 0xB7, 0xBD};
  unsigned bus = index < 8 ? kBuses[index] : 0xC0 + (index - 8);
  char out[32];
  std::snprintf(out, sizeof out, "00000000:%02X:00.0", bus & 0xFF);
  return out;
}

unsigned slotMask(Slot s) { return ((1u << s.size) - 1u) << s.start; }
bool overlaps(Slot a, Slot b) { return (slotMask(a) & slotMask(b)) != 0; }

unsigned usedSlotMask(const GpuState& gpu) {
  unsigned mask = 0;
  for (const GiState& gi : gpu.gis) mask |= slotMask(gi.placement);
  return mask;
}

unsigned usedComputeSlices(const GpuState& gpu) {
  unsigned n = 0;
  for (const GiState& gi : gpu.gis) n += gpu.model->byId(gi.profileId)->slices;
  return n;
}

unsigned countProfile(const GpuState& gpu, unsigned profileId) {
  unsigned n = 0;
  for (const GiState& gi : gpu.gis) n += gi.profileId == profileId;
  return n;
}

// How many more placements from `allowed` fit into the free part of `usedMask` (aligned,
// equal-sized placements: taking them in start order is optimal).
unsigned fitCount(const std::vector<Slot>& allowed, unsigned usedMask) {
  unsigned n = 0;
  for (const Slot& s : allowed) {
    if (usedMask & slotMask(s)) continue;
    usedMask |= slotMask(s);
    n++;
  }
  return n;
}

// The driver's automatic GI placement when the caller gives none [inferred from the observed
// sequences]: the free placement that blocks the fewest still-free placements of other profiles
// at least as large; ties go to the lowest start. It reproduces the A100 (`-cgi 19,14,5` -> 6:1,
// 4:2, 0:4; `-cgi 14,19x5` -> 4:2 then 6,0,1,2,3; the first 3g at 4:4) and the H100 on driver 580
// (7x 1g -> 6,4,5,0,1,2,3; `-cgi 9,14` -> 4:4 then 0:2; `-cgi 9,9` -> 4:4 then 0:4). An older H100
// driver put the first 3g at 0:4 (a published `-lgip` showed 1g capacity 3/7 after it); 580 does not.
const Slot* autoGiPlacement(const GpuState& gpu, const GiProfile& profile) {
  unsigned used = usedSlotMask(gpu);
  const Slot* best = nullptr;
  unsigned bestScore = ~0u;
  for (const Slot& cand : profile.placements) {
    if (used & slotMask(cand)) continue;
    unsigned score = 0;
    for (const GiProfile& other : gpu.model->profiles) {
      if (other.id == profile.id) continue;
      for (const Slot& p : other.placements) {
        if (p.size < cand.size || (used & slotMask(p))) continue;
        score += overlaps(p, cand);
      }
    }
    if (score < bestScore || (score == bestScore && cand.start < best->start)) {
      best = &cand;
      bestScore = score;
    }
  }
  return best;
}

GpuState* gpuAt(MachineState& m, unsigned index) { return index < m.gpus.size() ? &m.gpus[index] : nullptr; }

Json slotJson(Slot s) {
  Json j = Json::object();
  j.set("start", s.start);
  j.set("size", s.size);
  return j;
}
Slot slotFrom(const Json& j) {
  return {static_cast<unsigned>(j.num("start", 0)), static_cast<unsigned>(j.num("size", 0))};
}

}  // namespace

// ---------------------------------------------------------------- machine building

namespace {

void addGpus(MachineState& m, const GpuModel* model, unsigned count, const Json& overrides) {
  for (unsigned i = 0; i < count; i++) {
    GpuState g;
    unsigned index = static_cast<unsigned>(m.gpus.size());
    g.model = model;
    g.name = overrides.str("name", model->boardName);
    g.uuid = count == 1 && overrides.has("uuid")
                 ? overrides.str("uuid", "")
                 : "GPU-" + uuidText("gpu/" + model->key + "/" + std::to_string(index), false);
    g.busId = count == 1 && overrides.has("busId") ? overrides.str("busId", "") : busIdFor(index);
    g.minor = index;
    g.migCurrent = g.migPending = overrides.flag("migEnabled", false);
    m.gpus.push_back(std::move(g));
  }
}

const GpuModel* modelOrThrow(const std::string& key) {
  const GpuModel* model = findModel(key);
  if (model) return model;
  std::string known;
  for (const GpuModel* mm : allModels()) known += (known.empty() ? "" : ", ") + mm->key;
  throw std::runtime_error("unknown GPU model '" + key + "' (known: " + known + ")");
}

}  // namespace

MachineState buildMachine(const std::string& specIn, uint64_t firstSerial) {
  MachineState m;
  std::string spec = specIn.empty() ? "h100-80gb" : specIn;
  m.machineSpec = spec;
  m.nextSerial = firstSerial;
  if (spec.find('/') != std::string::npos || (spec.size() > 5 && spec.substr(spec.size() - 5) == ".json")) {
    std::ifstream in(spec);
    if (!in) throw std::runtime_error("cannot read machine file " + spec);
    std::stringstream ss;
    ss << in.rdbuf();
    Json doc = Json::parse(ss.str());
    const Json& list = doc.isArray() ? doc : doc["gpus"];
    if (!list.isArray() || list.items().empty())
      throw std::runtime_error("machine file needs a non-empty \"gpus\" array");
    for (const Json& g : list.items()) {
      if (!g.isObject()) throw std::runtime_error("each GPU in a machine file is an object");
      double count = g.num("count", 1);
      if (count < 1 || count > 64) throw std::runtime_error("\"count\" must be 1..64");
      addGpus(m, modelOrThrow(g.str("model", "")), static_cast<unsigned>(count), g);
    }
  } else {
    std::stringstream ss(spec);
    std::string part;
    while (std::getline(ss, part, ',')) {
      part.erase(0, part.find_first_not_of(" \t"));
      part.erase(part.find_last_not_of(" \t") + 1);
      if (part.empty()) continue;
      unsigned count = 1;
      size_t colon = part.find(':');
      if (colon != std::string::npos) {
        std::string n = part.substr(colon + 1);
        char* end = nullptr;
        unsigned long v = std::strtoul(n.c_str(), &end, 10);
        if (n.empty() || *end || v < 1 || v > 64) throw std::runtime_error("bad GPU count in '" + part + "'");
        count = static_cast<unsigned>(v);
        part = part.substr(0, colon);
      }
      addGpus(m, modelOrThrow(part), count, Json::object());
    }
  }
  if (m.gpus.empty()) throw std::runtime_error("machine '" + spec + "' has no GPUs");
  if (m.gpus.size() > 64) throw std::runtime_error("at most 64 GPUs");
  return m;
}

// ---------------------------------------------------------------- JSON

Json MachineState::toJson() const {
  Json j = Json::object();
  j.set("format", "nvml-mig-mock-state/1");
  j.set("machine", machineSpec);
  j.set("nextSerial", static_cast<unsigned long long>(nextSerial));
  Json gpusJ = Json::array();
  for (size_t i = 0; i < gpus.size(); i++) {
    const GpuState& g = gpus[i];
    Json gj = Json::object();
    gj.set("index", static_cast<unsigned>(i));
    gj.set("model", g.model->key);
    gj.set("name", g.name);
    gj.set("uuid", g.uuid);
    gj.set("busId", g.busId);
    gj.set("minor", g.minor);
    gj.set("migCurrent", g.migCurrent);
    gj.set("migPending", g.migPending);
    gj.set("configSeq", static_cast<unsigned long long>(g.configSeq));
    Json gisJ = Json::array();
    for (const GiState& gi : g.gis) {
      Json x = Json::object();
      x.set("id", gi.id);
      x.set("profileId", gi.profileId);
      x.set("profile", g.model->byId(gi.profileId)->name);
      x.set("placement", slotJson(gi.placement));
      x.set("serial", static_cast<unsigned long long>(gi.serial));
      x.set("gpm", gi.gpm.toJson());
      Json cisJ = Json::array();
      for (const CiState& ci : gi.cis) {
        Json c = Json::object();
        c.set("id", ci.id);
        c.set("profileId", ci.profileId);
        c.set("profile", ciProfileById(*g.model->byId(gi.profileId), ci.profileId)->name);
        c.set("placement", slotJson(ci.placement));
        c.set("serial", static_cast<unsigned long long>(ci.serial));
        c.set("uuid", migUuid(g, gi.id, ci.id));
        cisJ.push(c);
      }
      x.set("computeInstances", cisJ);
      gisJ.push(x);
    }
    gj.set("gpuInstances", gisJ);
    Json procJ = Json::array();
    for (const ProcessState& p : g.processes) {
      Json x = Json::object();
      x.set("pid", p.pid);
      x.set("name", p.name);
      x.set("usedMemoryMiB", p.usedMiB);
      if (p.onMig) {
        x.set("gi", p.gi);
        x.set("ci", p.ci);
      }
      procJ.push(x);
    }
    gj.set("processes", procJ);
    Json evJ = Json::array();
    for (const ConfigEvent& e : g.recentEvents) {
      Json x = Json::object();
      x.set("seq", static_cast<unsigned long long>(e.seq));
      x.set("gi", e.gi);
      x.set("ci", e.ci);
      evJ.push(x);
    }
    gj.set("recentEvents", evJ);
    Json loadJ = Json::array();
    for (double v : g.gpmLoad) loadJ.push(v);
    gj.set("gpmLoad", loadJ);
    gj.set("gpm", g.gpm.toJson());
    gpusJ.push(gj);
  }
  j.set("gpus", gpusJ);
  Json faultsJ = Json::array();
  for (const FaultSpec& f : faults) {
    Json x = Json::object();
    x.set("fn", f.fn);
    x.set("code", f.code);
    if (f.nth) x.set("nth", f.nth);
    if (f.always) x.set("always", true);
    if (f.probability > 0) {
      x.set("probability", f.probability);
      x.set("seed", static_cast<unsigned long long>(f.seed));
    }
    x.set("generation", static_cast<unsigned long long>(f.generation));
    faultsJ.push(x);
  }
  j.set("faults", faultsJ);
  Json latJ = Json::object();
  for (const auto& kv : latencyUs) latJ.set(kv.first, kv.second);
  j.set("latencyUs", latJ);
  if (hasPrivilegeSetting) j.set("privileged", !unprivileged);
  return j;
}

MachineState MachineState::fromJson(const Json& j) {
  if (j.str("format", "") != "nvml-mig-mock-state/1") throw std::runtime_error("not a mock state file");
  MachineState m;
  m.machineSpec = j.str("machine", "");
  m.nextSerial = static_cast<uint64_t>(j.num("nextSerial", 1));
  for (const Json& gj : j["gpus"].items()) {
    GpuState g;
    g.model = modelOrThrow(gj.str("model", ""));
    g.name = gj.str("name", g.model->boardName);
    g.uuid = gj.str("uuid", "");
    g.busId = gj.str("busId", "");
    g.minor = static_cast<unsigned>(gj.num("minor", 0));
    g.migCurrent = gj.flag("migCurrent", false);
    g.migPending = gj.flag("migPending", false);
    g.configSeq = static_cast<uint64_t>(gj.num("configSeq", 0));
    for (const Json& x : gj["gpuInstances"].items()) {
      GiState gi;
      gi.id = static_cast<unsigned>(x.num("id", 0));
      gi.profileId = static_cast<unsigned>(x.num("profileId", 0));
      if (!g.model->byId(gi.profileId)) throw std::runtime_error("state: unknown GI profile id");
      gi.placement = slotFrom(x["placement"]);
      gi.serial = static_cast<uint64_t>(x.num("serial", 0));
      gi.gpm = GpmCounters::fromJson(x["gpm"]);
      for (const Json& c : x["computeInstances"].items()) {
        CiState ci;
        ci.id = static_cast<unsigned>(c.num("id", 0));
        ci.profileId = static_cast<unsigned>(c.num("profileId", 0));
        if (!ciProfileById(*g.model->byId(gi.profileId), ci.profileId))
          throw std::runtime_error("state: unknown CI profile id");
        ci.placement = slotFrom(c["placement"]);
        ci.serial = static_cast<uint64_t>(c.num("serial", 0));
        gi.cis.push_back(ci);
      }
      g.gis.push_back(gi);
    }
    for (const Json& x : gj["processes"].items()) {
      ProcessState p;
      p.pid = static_cast<unsigned>(x.num("pid", 0));
      p.name = x.str("name", "");
      p.usedMiB = static_cast<unsigned long long>(x.num("usedMemoryMiB", 0));
      p.onMig = x.has("gi");
      p.gi = static_cast<unsigned>(x.num("gi", 0));
      p.ci = static_cast<unsigned>(x.num("ci", 0));
      g.processes.push_back(p);
    }
    for (const Json& x : gj["recentEvents"].items())
      g.recentEvents.push_back({static_cast<uint64_t>(x.num("seq", 0)), static_cast<unsigned>(x.num("gi", 0)),
                                static_cast<unsigned>(x.num("ci", 0))});
    const std::vector<Json>& load = gj["gpmLoad"].isArray() ? gj["gpmLoad"].items() : std::vector<Json>();
    for (size_t c = 0; c < load.size() && c < g.gpmLoad.size(); c++) g.gpmLoad[c] = load[c].asNumber();
    g.gpm = GpmCounters::fromJson(gj["gpm"]);
    m.gpus.push_back(std::move(g));
  }
  for (const Json& x : j["faults"].items()) {
    FaultSpec f;
    f.fn = x.str("fn", "");
    f.code = static_cast<int>(x.num("code", 0));
    f.nth = static_cast<unsigned>(x.num("nth", 0));
    f.always = x.flag("always", false);
    f.probability = x.num("probability", 0);
    f.seed = static_cast<uint64_t>(x.num("seed", 0));
    f.generation = static_cast<uint64_t>(x.num("generation", 0));
    m.faults.push_back(f);
  }
  if (j["latencyUs"].isObject())
    for (const auto& kv : j["latencyUs"].members()) m.latencyUs[kv.first] = static_cast<unsigned>(kv.second.asNumber());
  if (j.has("privileged")) {
    m.hasPrivilegeSetting = true;
    m.unprivileged = !j.flag("privileged", true);
  }
  return m;
}

// ---------------------------------------------------------------- MIG rules

std::vector<MigDeviceRef> migDevices(const GpuState& gpu) {
  std::vector<MigDeviceRef> out;
  for (const GiState& gi : gpu.gis)  // gis and cis are kept sorted by id
    for (const CiState& ci : gi.cis) out.push_back({&gi, &ci});
  return out;
}

std::string migUuid(const GpuState& gpu, unsigned giId, unsigned ciId) {
  return "MIG-" + uuidText(gpu.uuid + "/" + std::to_string(giId) + "/" + std::to_string(ciId), true);
}

// An all-media (+me.all) GI and any GI other than a no-media (-me) one exclude each other.
static bool mediaConflict(const GpuState& gpu, const GiProfile& profile) {
  for (const GiState& gi : gpu.gis) {
    const GiProfile& other = *gpu.model->byId(gi.profileId);
    if ((other.has(kAllMedia) && !profile.has(kNoMedia)) || (profile.has(kAllMedia) && !other.has(kNoMedia)))
      return true;
  }
  return false;
}

unsigned giRemainingCapacity(const GpuState& gpu, const GiProfile& profile) {
  if (mediaConflict(gpu, profile)) return 0;
  unsigned existing = countProfile(gpu, profile.id);
  if (existing >= profile.instances) return 0;
  unsigned byCount = profile.instances - existing;
  unsigned bySlices = (gpu.model->computeSlices - usedComputeSlices(gpu)) / profile.slices;
  unsigned bySlots = fitCount(profile.placements, usedSlotMask(gpu));
  return std::min({byCount, bySlices, bySlots});
}

void recordConfigChange(GpuState& gpu, unsigned gi, unsigned ci) {
  gpmSettle(gpu);  // the GPU's activity follows its instances from now on
  gpu.configSeq++;
  gpu.recentEvents.push_back({gpu.configSeq, gi, ci});
  if (gpu.recentEvents.size() > 32) gpu.recentEvents.erase(gpu.recentEvents.begin());
}

nvmlReturn_t createGi(MachineState& m, unsigned gpuIndex, unsigned profileId, const Slot* placement,
                      uint64_t* serialOut) {
  GpuState* gpu = gpuAt(m, gpuIndex);
  if (!gpu) return NVML_ERROR_INVALID_ARGUMENT;
  const GiProfile* profile = gpu->model->byId(profileId);
  if (!profile) return NVML_ERROR_INVALID_ARGUMENT;
  Slot where{0, 0};
  if (placement) {
    bool allowed = false;
    for (const Slot& s : profile->placements) allowed |= s.start == placement->start && s.size == placement->size;
    if (!allowed) return NVML_ERROR_INVALID_ARGUMENT;
    if (usedSlotMask(*gpu) & slotMask(*placement)) return NVML_ERROR_INSUFFICIENT_RESOURCES;
    where = *placement;
  } else {
    const Slot* chosen = autoGiPlacement(*gpu, *profile);
    if (!chosen) return NVML_ERROR_INSUFFICIENT_RESOURCES;
    where = *chosen;
  }
  if (countProfile(*gpu, profileId) >= profile->instances) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  if (mediaConflict(*gpu, *profile)) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  if (usedComputeSlices(*gpu) + profile->slices > gpu->model->computeSlices) return NVML_ERROR_INSUFFICIENT_RESOURCES;

  long assigned = giIdFor(*gpu->model, where);
  if (assigned < 0) return NVML_ERROR_UNKNOWN;
  unsigned id = static_cast<unsigned>(assigned);
  GiState gi;
  gi.id = id;
  gi.profileId = profileId;
  gi.placement = where;
  gi.serial = m.nextSerial++;
  gi.gpm.since = gpmNow();
  auto pos = std::find_if(gpu->gis.begin(), gpu->gis.end(), [&](const GiState& g) { return g.id > id; });
  gpu->gis.insert(pos, gi);
  recordConfigChange(*gpu, id, NVML_INVALID_GPU_INSTANCE_ID);
  if (serialOut) *serialOut = gi.serial;
  return NVML_SUCCESS;
}

nvmlReturn_t destroyGi(MachineState& m, unsigned gpuIndex, uint64_t serial) {
  GpuState* gpu = gpuAt(m, gpuIndex);
  if (!gpu) return NVML_ERROR_INVALID_ARGUMENT;
  for (auto it = gpu->gis.begin(); it != gpu->gis.end(); ++it) {
    if (it->serial != serial) continue;
    if (!it->cis.empty()) return NVML_ERROR_IN_USE;
    for (const ProcessState& p : gpu->processes)
      if (p.onMig && p.gi == it->id) return NVML_ERROR_IN_USE;
    unsigned id = it->id;
    gpu->gis.erase(it);
    recordConfigChange(*gpu, id, NVML_INVALID_GPU_INSTANCE_ID);
    return NVML_SUCCESS;
  }
  return NVML_ERROR_INVALID_ARGUMENT;
}

const CiProfile* ciProfileById(const GiProfile& gi, unsigned ciProfileId) {
  for (const CiProfile& p : gi.cis)
    if (p.id == ciProfileId) return &p;
  return nullptr;
}

namespace {

unsigned ciUsedMask(const GiState& gi) {
  unsigned mask = 0;
  for (const CiState& ci : gi.cis) mask |= slotMask(ci.placement);
  return mask;
}

unsigned ciCount(const GiState& gi, unsigned profileId) {
  unsigned n = 0;
  for (const CiState& ci : gi.cis) n += ci.profileId == profileId;
  return n;
}

GiState* giBySerial(GpuState& gpu, uint64_t serial) {
  for (GiState& gi : gpu.gis)
    if (gi.serial == serial) return &gi;
  return nullptr;
}

}  // namespace

unsigned ciRemainingCapacity(const GiState& gi, const CiProfile& profile) {
  unsigned existing = ciCount(gi, profile.id);
  if (existing >= profile.instances) return 0;
  return std::min(profile.instances - existing, fitCount(profile.placements, ciUsedMask(gi)));
}

nvmlReturn_t createCi(MachineState& m, unsigned gpuIndex, uint64_t giSerial, unsigned profileId, const Slot* placement,
                      uint64_t* serialOut) {
  GpuState* gpu = gpuAt(m, gpuIndex);
  if (!gpu) return NVML_ERROR_INVALID_ARGUMENT;
  GiState* gi = giBySerial(*gpu, giSerial);
  if (!gi) return NVML_ERROR_INVALID_ARGUMENT;
  const CiProfile* profile = ciProfileById(*gpu->model->byId(gi->profileId), profileId);
  if (!profile) return NVML_ERROR_INVALID_ARGUMENT;
  unsigned used = ciUsedMask(*gi);
  Slot where{0, 0};
  bool found = false;
  if (placement) {
    bool allowed = false;
    for (const Slot& s : profile->placements) allowed |= s.start == placement->start && s.size == placement->size;
    if (!allowed) return NVML_ERROR_INVALID_ARGUMENT;
    if (used & slotMask(*placement)) return NVML_ERROR_INSUFFICIENT_RESOURCES;
    where = *placement;
    found = true;
  } else {
    for (const Slot& s : profile->placements) {  // [inferred] lowest free start
      if (used & slotMask(s)) continue;
      where = s;
      found = true;
      break;
    }
  }
  if (!found || ciCount(*gi, profileId) >= profile->instances) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  unsigned id = 0;
  for (const CiState& ci : gi->cis)  // sorted: the lowest free id
    if (ci.id == id) id++;
  if (id > 7) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  CiState ci;
  ci.id = id;
  ci.profileId = profileId;
  ci.placement = where;
  ci.serial = m.nextSerial++;
  auto pos = std::find_if(gi->cis.begin(), gi->cis.end(), [&](const CiState& c) { return c.id > id; });
  gi->cis.insert(pos, ci);
  recordConfigChange(*gpu, gi->id, id);
  if (serialOut) *serialOut = ci.serial;
  return NVML_SUCCESS;
}

nvmlReturn_t destroyCi(MachineState& m, unsigned gpuIndex, uint64_t ciSerial) {
  GpuState* gpu = gpuAt(m, gpuIndex);
  if (!gpu) return NVML_ERROR_INVALID_ARGUMENT;
  for (GiState& gi : gpu->gis) {
    for (auto it = gi.cis.begin(); it != gi.cis.end(); ++it) {
      if (it->serial != ciSerial) continue;
      for (const ProcessState& p : gpu->processes)
        if (p.onMig && p.gi == gi.id && p.ci == it->id) return NVML_ERROR_IN_USE;
      unsigned id = it->id;
      gi.cis.erase(it);
      recordConfigChange(*gpu, gi.id, id);
      return NVML_SUCCESS;
    }
  }
  return NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t setMigMode(GpuState& gpu, bool enable) {
  if (enable == gpu.migCurrent) {
    // Asking for the current mode cancels a pending change.
    gpu.migPending = enable;
    return NVML_SUCCESS;
  }
  gpu.migPending = enable;
  // The driver must unbind/reset an idle GPU to switch: with clients on it the change stays
  // pending and the activation status says IN_USE.
  if (!gpu.processes.empty()) return NVML_ERROR_IN_USE;
  // Ampere needs a GPU reset that the mock leaves to the caller (control "gpuReset"); NVML
  // reports that as RESET_REQUIRED, its status for a reset it could not perform itself.
  if (gpu.model->migNeedsReset) return NVML_ERROR_RESET_REQUIRED;
  gpu.migCurrent = enable;
  gpu.gis.clear();
  recordConfigChange(gpu, NVML_INVALID_GPU_INSTANCE_ID, NVML_INVALID_GPU_INSTANCE_ID);
  return NVML_SUCCESS;
}

void applyGpuReset(GpuState& gpu) {
  gpu.migCurrent = gpu.migPending;
  gpu.gis.clear();
  gpu.processes.clear();
  recordConfigChange(gpu, NVML_INVALID_GPU_INSTANCE_ID, NVML_INVALID_GPU_INSTANCE_ID);
}

}  // namespace mock
