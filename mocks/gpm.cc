#include "gpm.h"

#include <ctime>
#include <stdexcept>

#include "state.h"

namespace mock {

namespace {

// The names and units driver 580 gives (measured on an H200 through nvmlGpmMetricsGet).
const GpmMetricInfo kMetrics[] = {
    {NVML_GPM_METRIC_GRAPHICS_UTIL, kGpmGraphics, "gract", "GRAPHICS_UTIL", "%"},
    {NVML_GPM_METRIC_SM_UTIL, kGpmSm, "smutil", "SM_UTIL", "%"},
    {NVML_GPM_METRIC_SM_OCCUPANCY, kGpmOccupancy, "smocc", "SM_OCCUPANCY", "%"},
    {NVML_GPM_METRIC_ANY_TENSOR_UTIL, kGpmTensor, "mmaact", "ANY_TENSOR_UTIL", "%"},
    {NVML_GPM_METRIC_DRAM_BW_UTIL, kGpmDram, "dram", "DRAM_BW_UTIL", "%"},
    {NVML_GPM_METRIC_FP64_UTIL, kGpmFp64, "fp64", "FP64_UTIL", "%"},
    {NVML_GPM_METRIC_FP32_UTIL, kGpmFp32, "fp32", "FP32_UTIL", "%"},
    {NVML_GPM_METRIC_FP16_UTIL, kGpmFp16, "fp16", "FP16_UTIL", "%"},
    {NVML_GPM_METRIC_PCIE_TX_PER_SEC, kGpmPcieTx, "pcitx", "PCIE_TX_PER_SEC", "MiB/sec"},
    {NVML_GPM_METRIC_PCIE_RX_PER_SEC, kGpmPcieRx, "pcirx", "PCIE_RX_PER_SEC", "MiB/sec"},
};

// The control channel's key of each channel.
const char* const kKeys[kGpmChannels] = {"graphics", "sm",   "occupancy", "tensor",      "dram",
                                         "fp64",     "fp32", "fp16",      "pcieTxMiBps", "pcieRxMiBps"};

Json levelsJson(const GpmLevels& v) {
  Json a = Json::array();
  for (double x : v) a.push(x);
  return a;
}

GpmLevels levelsFrom(const Json& j) {
  GpmLevels v{};
  if (!j.isArray()) return v;
  const std::vector<Json>& items = j.items();
  for (size_t i = 0; i < items.size() && i < v.size(); i++) v[i] = items[i].asNumber();
  return v;
}

}  // namespace

GpmLevels GpmCounters::at(double now) const {
  GpmLevels out = accum;
  double dt = now > since ? now - since : 0;
  for (size_t c = 0; c < out.size(); c++) out[c] += level[c] * dt;
  return out;
}

Json GpmCounters::toJson() const {
  Json j = Json::object();
  j.set("level", levelsJson(level));
  j.set("accum", levelsJson(accum));
  j.set("since", since);
  return j;
}

GpmCounters GpmCounters::fromJson(const Json& j) {
  GpmCounters c;
  if (!j.isObject()) return c;
  c.level = levelsFrom(j["level"]);
  c.accum = levelsFrom(j["accum"]);
  c.since = j.num("since", 0);
  return c;
}

double gpmNow() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);  // shared by the processes of a state file
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool gpmSupported(const GpuModel& model) { return model.architecture != "ampere"; }

void gpmSettle(GpuState& gpu) {
  double now = gpmNow();
  auto fold = [now](GpmCounters& c) {
    c.accum = c.at(now);
    c.since = now;
  };
  for (GiState& gi : gpu.gis) fold(gi.gpm);
  fold(gpu.gpm);
  if (!gpu.migCurrent) {
    gpu.gpm.level = gpu.gpmLoad;
    return;
  }
  GpmLevels sum{};
  for (const GiState& gi : gpu.gis) {
    const GiProfile* p = gpu.model->byId(gi.profileId);
    double compute = static_cast<double>(p->slices) / gpu.model->computeSlices;
    double memory = static_cast<double>(gi.placement.size) / gpu.model->memorySlots;
    for (int c = 0; c < kGpmChannels; c++) {
      double weight = c == kGpmDram ? memory : (c == kGpmPcieTx || c == kGpmPcieRx) ? 1.0 : compute;
      sum[c] += gi.gpm.level[c] * weight;
    }
  }
  gpu.gpm.level = sum;
}

GpmLevels gpmLevelsFromJson(const Json& req, const GpmLevels& current) {
  GpmLevels out = current;
  auto read = [&](const char* key, double max) {
    const Json& v = req[key];
    if (!v.isNumber() || !(v.asNumber() >= 0) || v.asNumber() > max)
      throw std::runtime_error(std::string("'") + key + "' must be a number from 0 to " +
                               (max == 1 ? std::string("1") : std::to_string(static_cast<long long>(max))));
    return v.asNumber();
  };
  bool any = false;
  if (req.has("load")) {
    double all = read("load", 1);
    for (int c = 0; c < kGpmChannels; c++)
      if (c != kGpmPcieTx && c != kGpmPcieRx) out[c] = all;
    any = true;
  }
  for (int c = 0; c < kGpmChannels; c++) {
    if (!req.has(kKeys[c])) continue;
    out[c] = read(kKeys[c], c == kGpmPcieTx || c == kGpmPcieRx ? 1e6 : 1);
    any = true;
  }
  if (!any)
    throw std::runtime_error(
        "give 'load' (0..1) or one of graphics, sm, occupancy, tensor, dram, fp64, fp32, fp16 (0..1), pcieTxMiBps, "
        "pcieRxMiBps");
  return out;
}

const GpmMetricInfo* gpmMetric(unsigned id) {
  for (const GpmMetricInfo& m : kMetrics)
    if (m.id == id) return &m;
  return nullptr;
}

}  // namespace mock
