// A simulated GPU model as data: board identity, the GPU-instance profile table by profile
// INDEX, placements on the memory-slot grid, compute-instance profiles per GI profile, the GI id
// pools and the driver's auto-placement behaviour. One file per model registers one GpuModel.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace mock {

// What a GI profile is beyond compute and memory.
//  - kGfx: a graphics profile (+gfx); the v3 struct carries NVML_GPU_INSTANCE_PROFILE_CAPS_GFX.
//  - kAllMedia (+me.all): holds every media engine. NVML: "Allocation of an ALL_ME instance prevents
//    allocation of all but _NO_ME profiles", and the reverse.
//  - kNoMedia (-me): no media engine.
enum ProfileFlag : unsigned { kGfx = 1u, kAllMedia = 2u, kNoMedia = 4u };

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
  unsigned flags = 0;  // ProfileFlag bits
  bool has(unsigned flag) const { return (flags & flag) != 0; }
  std::string shortName() const { return name.substr(4); }  // without "MIG "
};

// GI ids come from per-size pools; the id follows the placement: firstId + rank, where the rank
// of a placement among those of its size depends on the driver (GiIdOrder).
struct IdPool {
  unsigned slotSize;
  unsigned firstId;
};

// How a placement ranks inside its id pool.
//  - ByStart: rank = start/size. The H100 on driver 580 (7x 1g gave 13,11,12,7,8,9,10 at slots
//    6,4,5,0,1,2,3; `-cgi 9,14` gave GI 2 at 4:4 then GI 3 at 0:2; `-cgi 9,9` GI 2 then GI 1) and the
//    RTX PRO 6000 (1g at 0:3..9:3 = GI 3..6, 2g at 0:6 = GI 1).
//  - UpperHalfFirst: the upper half of the grid ranks first: rank = ((start + slots/2) mod slots)/size.
//    The A100 on drivers 515 and 550: the first 3g.20gb, placed at 4:4, gets GI 1; `-cgi 9,14,19 -C`
//    gives GI 1, 5, 13 (4:4, 0:2, slot 2); `-cgi 14,14,19 -C` gives GI 3, 5, 9 (4:2, 0:2, slot 6).
//    The user guide's older A100 examples (GI 2 for a 3g at 4:4) show ByStart numbering.
enum class GiIdOrder { ByStart, UpperHalfFirst };

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
  GiIdOrder giIdOrder = GiIdOrder::ByStart;
  unsigned long long reservedBytes = 0;  // what nvmlDeviceGetMemoryInfo_v2 reports as reserved
  unsigned idlePowerMw = 0;              // nvmlDeviceGetPowerUsage of the idle board, milliwatts

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
  unsigned flags = 0;  // ProfileFlag bits
};

// Placements of one size at the given starts: grid(2, {0, 2, 4}) = {0:2, 2:2, 4:2}.
std::vector<Slot> grid(unsigned size, std::initializer_list<unsigned> starts);

// Where the compute instance that spans a whole 3-slice GI sits inside it. Ampere: 0:3 (A100
// `-lci`). Hopper on driver 580: 0:4 (the real H100's `-lci` for a 3g.40gb GI created with -C); the
// later generations follow Hopper [inferred: same driver branch, no capture].
enum class CiGrid { Ampere, Hopper };

// The GI profiles of a model, each with its compute-instance profiles (standardCiProfiles).
std::vector<GiProfile> buildProfiles(const std::vector<GiRow>& rows, unsigned subCiSmPerSlice, CiGrid grid);

// Compute-instance profiles of a GI with `giSlices` compute slices, following the real A100
// `-lcip` tables (1c/2c/3c/4c/7c as offered per GI size; no 3c inside a 4g GI). Sub-GI CIs get
// `smPerSlice` SMs per compute slice; the full-GI CI gets the GI's own SM count.
std::vector<CiProfile> standardCiProfiles(unsigned giSlices, unsigned giSms, unsigned smPerSlice,
                                          const std::string& giShortName, CiGrid grid);

// The id a new GI at `where` gets (its pool's first id plus the placement's rank, GiIdOrder), or
// -1 when the model has no pool for that size.
long giIdFor(const GpuModel& model, Slot where);

// The registry: each model file adds itself with a static ModelRegistration.
const std::vector<const GpuModel*>& allModels();
const GpuModel* findModel(const std::string& key);

struct ModelRegistration {
  explicit ModelRegistration(const GpuModel& model);
};

}  // namespace mock
