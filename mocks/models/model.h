// A simulated GPU model as data: board identity, the GPU-instance profile table by profile
// INDEX, placements on the memory-slot grid, compute-instance profiles per GI profile, the GI id
// pools and the driver's auto-placement behaviour. One file per model registers one GpuModel.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace mock {

struct Slot {
  unsigned start;
  unsigned size;
};

struct CiProfile {
  unsigned id;         // CI profile id == CI profile index (1c=0, 2c=1, 3c=2, 4c=3, 7c=4)
  unsigned slices;     // compute slices
  unsigned instances;  // how many fit in one GI
  unsigned sms;
  std::vector<Slot> placements;  // compute slices inside the GI
  std::string name;              // "MIG 1c.3g.40gb"; the full-GI CI is named like the GI
  bool isDefault;                // spans the whole GI (nvidia-smi marks it '*')
};

struct GiProfile {
  unsigned index;    // NVML_GPU_INSTANCE_PROFILE_* (what GetGpuInstanceProfileInfo takes)
  unsigned id;       // what create/list/placements take
  std::string name;  // driver name, "MIG 1g.10gb"
  unsigned slices;   // compute slices (sliceCount)
  unsigned instances;
  unsigned sms;
  unsigned ce, dec, enc, jpeg, ofa;
  unsigned long long memoryMiB;
  std::vector<Slot> placements;  // memory-slot grid
  std::vector<CiProfile> cis;
  std::string shortName() const { return name.substr(4); }  // without "MIG "
};

// GI ids come from per-size pools; the id follows the placement: firstId + start/size (H100
// 7x1g gave 13,11,12,7,8,9,10 at slots 6,4,5,0,1,2,3; A100 2g GI 3/4/5 at 0/2/4, 3g GI 2 at 4:4).
struct IdPool {
  unsigned slotSize;
  unsigned firstId;
};

// How the driver picks a placement when the caller gives none [inferred from the observed
// sequences]: the free placement that blocks the fewest still-free placements of other profiles
// that are larger (AvoidLarger) or at least as large (AvoidLargerOrEqual); ties go to the lowest
// start. The two differ for the first 3g on an empty GPU: 0:4 vs 4:4.
enum class AutoPlacement { AvoidLarger, AvoidLargerOrEqual };

struct GpuModel {
  std::string key;           // "h100-80gb"
  std::string boardName;     // nvmlDeviceGetName
  std::string architecture;  // "ampere" / "hopper"
  unsigned pciDeviceId;      // 0xDDDDVVVV
  unsigned pciSubSystemId;
  unsigned long long memoryMiB;
  bool migNeedsReset;               // Ampere: mode changes pend until a GPU reset
  unsigned memorySlots;             // 8, or 4 on A30
  unsigned computeSlices;           // 7, or 4 on A30
  unsigned maxMigDevices;           // GetMaxMigDeviceCount with MIG enabled
  unsigned migQueryWhenDisabled;    // field 199
  std::vector<GiProfile> profiles;  // in index order
  std::vector<IdPool> pools;
  AutoPlacement autoPlacement;

  const GiProfile* byIndex(unsigned index) const;
  const GiProfile* byId(unsigned id) const;
  const IdPool* poolFor(unsigned slotSize) const;
};

// One row of a model's GI profile table, as the model files write it.
struct GiRow {
  unsigned index, id;
  const char* name;
  unsigned slices, instances, sms, ce, dec, enc, jpeg, ofa;
  unsigned long long memoryMiB;
  std::vector<Slot> placements;
};

// Placements of one size at the given starts: grid(2, {0, 2, 4}) = {0:2, 2:2, 4:2}.
std::vector<Slot> grid(unsigned size, std::initializer_list<unsigned> starts);

// The GI profiles of a model, each with its compute-instance profiles (standardCiProfiles).
std::vector<GiProfile> buildProfiles(const std::vector<GiRow>& rows, unsigned subCiSmPerSlice);

// Compute-instance profiles of a GI with `giSlices` compute slices, following the real A100
// `-lcip` tables (1c/2c/3c/4c/7c as offered per GI size; no 3c inside a 4g GI). Sub-GI CIs get
// `smPerSlice` SMs per compute slice; the full-GI CI gets the GI's own SM count.
std::vector<CiProfile> standardCiProfiles(unsigned giSlices, unsigned giSms, unsigned smPerSlice,
                                          const std::string& giShortName);

// The registry: each model file adds itself with a static ModelRegistration.
const std::vector<const GpuModel*>& allModels();
const GpuModel* findModel(const std::string& key);

struct ModelRegistration {
  explicit ModelRegistration(const GpuModel& model);
};

}  // namespace mock
