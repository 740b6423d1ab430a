// The simulated GPM counters (GPU Performance Monitoring, Hopper and newer). Each GPU and each GPU
// instance integrates its activity levels over time into counters, the way the hardware's counters
// advance: a sample reads the counters at one instant, and a metric is the difference of two
// samples over the time between them. Levels are set through the control channel ("setLoad").
//
// Convention (DCGM's for MIG profiling fields): an instance's figures are fractions of that
// instance's own resources, so a saturated 2-slice instance reads 100%; the GPU's figures are
// fractions of the whole GPU, so with MIG on they are the instances' figures weighted by their
// share of compute slices (engine, SM and pipe metrics) or memory slots (DRAM).
#pragma once

#include <array>
#include <cstddef>

#include "json.h"

namespace mock {

struct GpuState;
struct GpuModel;

// The simulated channels, in the order of GpmLevels.
enum GpmChannel {
  kGpmGraphics,
  kGpmSm,
  kGpmOccupancy,
  kGpmTensor,
  kGpmDram,
  kGpmFp64,
  kGpmFp32,
  kGpmFp16,
  kGpmPcieTx,
  kGpmPcieRx,
  kGpmChannels
};
// Fractions 0..1 for the activity channels; MiB/s for the two PCIe channels.
using GpmLevels = std::array<double, kGpmChannels>;

struct GpmCounters {
  GpmLevels level{};  // what the entity does now
  GpmLevels accum{};  // level integrated over time (unit·seconds) up to `since`
  double since = 0;   // seconds on the shared clock (CLOCK_REALTIME)

  GpmLevels at(double now) const;  // the counters read at `now`
  Json toJson() const;
  static GpmCounters fromJson(const Json& j);
};

double gpmNow();
bool gpmSupported(const GpuModel& model);
// Folds the time since the last settle into every counter of the GPU at the levels that held, then
// recomputes the GPU's own level (its set load with MIG off, its instances' weighted sum with MIG
// on). Called after every layout change and before every load change.
void gpmSettle(GpuState& gpu);
// The control channel's keys of a load ("load" sets every activity channel at once).
GpmLevels gpmLevelsFromJson(const Json& req, const GpmLevels& current);

// The metric ids the mock answers, with their channel, names and unit.
struct GpmMetricInfo {
  unsigned id;
  GpmChannel channel;
  const char* shortName;
  const char* longName;
  const char* unit;
};
const GpmMetricInfo* gpmMetric(unsigned id);  // null for an id the mock does not simulate
// Sample buffers this process holds (allocated, not freed): tests check nothing leaks.
size_t gpmSampleCount();

}  // namespace mock
