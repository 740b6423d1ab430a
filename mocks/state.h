// The simulated machine: GPUs with their MIG mode, GPU/compute instances and processes, plus the
// settings the control channel shares between processes (faults, latency, privilege). Plain data
// with JSON (de)serialisation, and the MIG rules (placement, capacity, ids) as free functions.
// Nothing here locks: the store (store.h) serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gpm.h"
#include "json.h"
#include "models/model.h"
#include "nvml_abi.h"

namespace mock {

struct ProcessState {
  unsigned pid = 0;
  std::string name;
  unsigned long long usedMiB = 0;
  bool onMig = false;  // gi/ci valid
  unsigned gi = 0, ci = 0;
};

struct CiState {
  unsigned id = 0;
  unsigned profileId = 0;
  Slot placement{0, 0};
  uint64_t serial = 0;  // unique for the life of the state file: handles carry it
};

struct GiState {
  unsigned id = 0;
  unsigned profileId = 0;
  Slot placement{0, 0};
  uint64_t serial = 0;
  std::vector<CiState> cis;  // sorted by id
  GpmCounters gpm;           // level = the load set for this instance
};

struct ConfigEvent {
  uint64_t seq;
  unsigned gi, ci;  // the instance that changed (0xFFFFFFFF when not attributable)
};

struct GpuState {
  const GpuModel* model = nullptr;
  std::string name;  // board name (a machine file may override it)
  std::string uuid;
  std::string busId;  // "00000000:07:00.0"
  unsigned minor = 0;
  bool migCurrent = false;
  bool migPending = false;
  std::vector<GiState> gis;  // sorted by id
  std::vector<ProcessState> processes;
  uint64_t configSeq = 0;                 // bumps on every GI/CI change and mode switch
  std::vector<ConfigEvent> recentEvents;  // the last few MIG config changes, for event sets
  GpmLevels gpmLoad{};                    // the load set for the whole GPU (used with MIG off)
  GpmCounters gpm;                        // the whole GPU's counters
};

struct FaultSpec {
  std::string fn;
  int code = 0;
  unsigned nth = 0;  // fire on the nth call only (1-based); 0 = not nth-based
  bool always = false;
  double probability = 0;  // 0 < p <= 1
  uint64_t seed = 0;
  uint64_t generation = 0;  // distinguishes re-set faults so per-process counters restart
};

struct MachineState {
  std::string machineSpec;
  std::vector<GpuState> gpus;
  uint64_t nextSerial = 1;
  // Settings shared through the control channel (persisted with the state).
  std::vector<FaultSpec> faults;
  std::map<std::string, unsigned> latencyUs;
  bool unprivileged = false;
  bool hasPrivilegeSetting = false;

  Json toJson() const;
  static MachineState fromJson(const Json& j);  // throws std::runtime_error
};

// Builds a fresh machine from a spec: "h100-80gb", "h100-80gb:8", "a100-40gb:2,a30:1", or a path
// to a JSON machine file. Throws std::runtime_error with a readable message.
MachineState buildMachine(const std::string& spec, uint64_t firstSerial);

// ---- MIG rules ----
struct MigDeviceRef {
  const GiState* gi;
  const CiState* ci;
};
std::vector<MigDeviceRef> migDevices(const GpuState& gpu);  // in (GI id, CI id) order
std::string migUuid(const GpuState& gpu, unsigned giId, unsigned ciId);

unsigned giRemainingCapacity(const GpuState& gpu, const GiProfile& profile);
nvmlReturn_t createGi(MachineState& m, unsigned gpuIndex, unsigned profileId, const Slot* placement,
                      uint64_t* serialOut);
nvmlReturn_t destroyGi(MachineState& m, unsigned gpuIndex, uint64_t serial);

const CiProfile* ciProfileById(const GiProfile& gi, unsigned ciProfileId);
unsigned ciRemainingCapacity(const GiState& gi, const CiProfile& profile);
nvmlReturn_t createCi(MachineState& m, unsigned gpuIndex, uint64_t giSerial, unsigned profileId, const Slot* placement,
                      uint64_t* serialOut);
nvmlReturn_t destroyCi(MachineState& m, unsigned gpuIndex, uint64_t ciSerial);

// SetMigMode: returns the activation status (the request itself has already been validated).
nvmlReturn_t setMigMode(GpuState& gpu, bool enable);
void applyGpuReset(GpuState& gpu);  // pending mode takes effect; GIs/CIs and processes are gone

void recordConfigChange(GpuState& gpu, unsigned gi, unsigned ci);

}  // namespace mock
