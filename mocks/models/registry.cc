#include "models/model.h"

namespace mock {

namespace {
std::vector<const GpuModel*>& registry() {
  static std::vector<const GpuModel*> models;  // function-local: safe across static-init order
  return models;
}
}  // namespace

ModelRegistration::ModelRegistration(const GpuModel& model) { registry().push_back(&model); }

const std::vector<const GpuModel*>& allModels() { return registry(); }

const GpuModel* findModel(const std::string& key) {
  for (const GpuModel* m : registry())
    if (m->key == key) return m;
  return nullptr;
}

const GiProfile* GpuModel::byIndex(unsigned index) const {
  for (const GiProfile& p : profiles)
    if (p.index == index) return &p;
  return nullptr;
}

const GiProfile* GpuModel::byId(unsigned id) const {
  for (const GiProfile& p : profiles)
    if (p.id == id) return &p;
  return nullptr;
}

const IdPool* GpuModel::poolFor(unsigned slotSize) const {
  for (const IdPool& p : pools)
    if (p.slotSize == slotSize) return &p;
  return nullptr;
}

std::vector<Slot> grid(unsigned size, std::initializer_list<unsigned> starts) {
  std::vector<Slot> out;
  for (unsigned s : starts) out.push_back({s, size});
  return out;
}

std::vector<GiProfile> buildProfiles(const std::vector<GiRow>& rows, unsigned subCiSmPerSlice, CiGrid grid) {
  std::vector<GiProfile> out;
  for (const GiRow& r : rows) {
    GiProfile p{r.index, r.id,   r.name, r.slices,    r.instances,  r.sms, r.ce,   r.dec,
                r.enc,   r.jpeg, r.ofa,  r.memoryMiB, r.placements, {},    r.flags};
    p.cis = standardCiProfiles(r.slices, r.sms, subCiSmPerSlice, p.shortName(), grid);
    out.push_back(p);
  }
  return out;
}

long giIdFor(const GpuModel& model, Slot where) {
  const IdPool* pool = model.poolFor(where.size);
  if (!pool || where.size == 0) return -1;
  unsigned start = where.start;
  if (model.giIdOrder == GiIdOrder::UpperHalfFirst && where.size < model.memorySlots)
    start = (start + model.memorySlots / 2) % model.memorySlots;
  return static_cast<long>(pool->firstId + start / where.size);
}

std::vector<CiProfile> standardCiProfiles(unsigned giSlices, unsigned giSms, unsigned smPerSlice,
                                          const std::string& giShortName, CiGrid grid) {
  struct Row {
    unsigned id, slices, instances;
    std::vector<Slot> placements;
  };
  // CI placements inside the GI follow go-nvml's mock ([UNVERIFIED] against hardware); the
  // profile sets and instance counts are the real A100 `-lcip` in the MIG user guide.
  std::vector<Row> rows;
  switch (giSlices) {
    case 1: rows = {{0, 1, 1, {{0, 1}}}}; break;
    case 2: rows = {{0, 1, 2, {{0, 1}, {1, 1}}}, {1, 2, 1, {{0, 2}}}}; break;
    case 3: {
      Slot full = grid == CiGrid::Hopper ? Slot{0, 4} : Slot{0, 3};
      rows = {{0, 1, 3, {{0, 1}, {1, 1}, {2, 1}}}, {1, 2, 1, {{0, 2}}}, {2, 3, 1, {full}}};
      break;
    }
    case 4:
      rows = {{0, 1, 4, {{0, 1}, {1, 1}, {2, 1}, {3, 1}}}, {1, 2, 2, {{0, 2}, {2, 2}}}, {3, 4, 1, {{0, 4}}}};
      break;
    case 7:
      rows = {{0, 1, 7, {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}}},
              {1, 2, 3, {{0, 2}, {2, 2}, {4, 2}}},
              {2, 3, 2, {{0, 3}, {4, 3}}},
              {3, 4, 1, {{0, 4}}},
              {4, 7, 1, {{0, 7}}}};
      break;
    default: break;
  }
  std::vector<CiProfile> out;
  for (const Row& r : rows) {
    bool full = r.slices == giSlices;
    CiProfile p;
    p.id = r.id;
    p.slices = r.slices;
    p.instances = r.instances;
    p.sms = full ? giSms : r.slices * smPerSlice;
    p.placements = r.placements;
    p.name = full ? "MIG " + giShortName : "MIG " + std::to_string(r.slices) + "c." + giShortName;
    p.isDefault = full;
    out.push_back(p);
  }
  return out;
}

}  // namespace mock
