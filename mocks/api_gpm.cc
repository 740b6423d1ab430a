// GPM: support by architecture (Hopper and newer), sample buffers, samples of a GPU or of one GPU
// instance (the simulated counters of gpm.h) and metrics from two samples. Sample buffers are
// process-local, like the real library's. The legacy build (an older driver) has none of these.
#ifndef NVML_MOCK_LEGACY
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "api.h"

using namespace mock;

namespace {

// The driver serves samples from counters it refreshes every 100 ms [inferred: on an H200 with
// driver 580, two samples 10 ms apart gave 0 for every metric with SUCCESS, and two processes
// sampling a few ms apart got bit-identical metrics]. So a sample reads the counters at the last
// 100 ms tick, and two samples within one tick give zeros.
const double kTickSeconds = 0.1;

struct Sample {
  bool taken = false;
  unsigned gpu = 0;
  uint64_t giSerial = 0;  // 0: the whole GPU
  std::string gpuUuid;
  double time = 0;
  GpmLevels counters{};
};

std::mutex g_mu;
std::unordered_map<uint64_t, Sample> g_samples;
uint64_t g_next = 1;

bool sampleId(nvmlGpmSample_t s, uint64_t* id) {
  unsigned gpu;
  return decodeHandle(s, Kind::GpmSample, &gpu, id) && g_samples.count(*id);
}

// Records a sample of `counters` taken now into the buffer `s`.
nvmlReturn_t record(nvmlGpmSample_t s, const GpuState& gpu, unsigned gpuIndex, const GiState* gi) {
  double now = std::floor(gpmNow() / kTickSeconds) * kTickSeconds;
  std::lock_guard<std::mutex> lock(g_mu);
  uint64_t id;
  if (!sampleId(s, &id)) return NVML_ERROR_INVALID_ARGUMENT;
  Sample& x = g_samples[id];
  x.taken = true;
  x.gpu = gpuIndex;
  x.giSerial = gi ? gi->serial : 0;
  x.gpuUuid = gpu.uuid;
  x.time = now;
  x.counters = gi ? gi->gpm.at(now) : gpu.gpm.at(now);
  return NVML_SUCCESS;
}

}  // namespace

size_t mock::gpmSampleCount() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_samples.size();
}

MOCK_EXPORT nvmlReturn_t nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t* gpmSupport) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!gpmSupport) return NVML_ERROR_INVALID_ARGUMENT;
    if (gpmSupport->version != NVML_GPM_SUPPORT_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      gpmSupport->isSupportedDevice = gpmSupported(*r.gpu->model) ? 1 : 0;
      return NVML_SUCCESS;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpmSampleAlloc(nvmlGpmSample_t* gpmSample) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!gpmSample) return NVML_ERROR_INVALID_ARGUMENT;
    std::lock_guard<std::mutex> lock(g_mu);
    uint64_t id = g_next++;
    g_samples[id] = Sample();
    *gpmSample = static_cast<nvmlGpmSample_t>(makeHandle(Kind::GpmSample, 0, id));
    return NVML_SUCCESS;
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpmSampleFree(nvmlGpmSample_t gpmSample) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    std::lock_guard<std::mutex> lock(g_mu);
    uint64_t id;
    if (!sampleId(gpmSample, &id)) return NVML_ERROR_INVALID_ARGUMENT;
    g_samples.erase(id);
    return NVML_SUCCESS;
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t gpmSample) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!gpmSupported(*r.gpu->model)) return NVML_ERROR_NOT_SUPPORTED;
      return record(gpmSample, *r.gpu, r.gpuIndex, nullptr);
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpmMigSampleGet(nvmlDevice_t device, unsigned int gpuInstanceId,
                                             nvmlGpmSample_t gpmSample) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return onGpu(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
      if (!gpmSupported(*r.gpu->model)) return NVML_ERROR_NOT_SUPPORTED;
      // MIG off: INVALID_ARGUMENT (as driver 580 answers on an H100); so for a GI id that is not there.
      if (!r.gpu->migCurrent) return NVML_ERROR_INVALID_ARGUMENT;
      for (const GiState& gi : r.gpu->gis)
        if (gi.id == gpuInstanceId) return record(gpmSample, *r.gpu, r.gpuIndex, &gi);
      return NVML_ERROR_INVALID_ARGUMENT;
    });
  });
}

MOCK_EXPORT nvmlReturn_t nvmlGpmMetricsGet(nvmlGpmMetricsGet_t* m) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!m) return NVML_ERROR_INVALID_ARGUMENT;
    if (m->version != NVML_GPM_METRICS_GET_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (m->numMetrics == 0 || m->numMetrics > NVML_GPM_METRIC_MAX) return NVML_ERROR_INVALID_ARGUMENT;
    Sample a, b;
    {
      std::lock_guard<std::mutex> lock(g_mu);
      uint64_t ia, ib;
      if (!sampleId(m->sample1, &ia) || !sampleId(m->sample2, &ib)) return NVML_ERROR_INVALID_ARGUMENT;
      a = g_samples[ia];
      b = g_samples[ib];
    }
    // Both filled, of the same GPU (or the same GPU instance), in order and far enough apart.
    if (!a.taken || !b.taken || a.gpuUuid != b.gpuUuid || a.gpu != b.gpu || a.giSerial != b.giSerial)
      return NVML_ERROR_INVALID_ARGUMENT;
    double dt = b.time - a.time;
    if (dt < 0) return NVML_ERROR_INVALID_ARGUMENT;
    for (unsigned i = 0; i < m->numMetrics; i++) {
      nvmlGpmMetric_t& x = m->metrics[i];
      const GpmMetricInfo* info = gpmMetric(x.metricId);
      if (!info) {  // an id the driver does not know: INVALID_ARGUMENT for that metric only (as driver 580)
        x.nvmlReturn = NVML_ERROR_INVALID_ARGUMENT;
        x.value = 0;
        x.metricInfo = {nullptr, nullptr, nullptr};
        continue;
      }
      double rate = dt > 0 ? (b.counters[info->channel] - a.counters[info->channel]) / dt : 0;
      bool bandwidth = info->channel == kGpmPcieTx || info->channel == kGpmPcieRx;
      double v = bandwidth ? rate : rate * 100.0;
      if (v < 0) v = 0;
      if (!bandwidth && v > 100) v = 100;
      x.nvmlReturn = NVML_SUCCESS;
      x.value = v;
      x.metricInfo.shortName = const_cast<char*>(info->shortName);
      x.metricInfo.longName = const_cast<char*>(info->longName);
      x.metricInfo.unit = const_cast<char*>(info->unit);
    }
    return NVML_SUCCESS;
  });
}
#else
#include "gpm.h"
size_t mock::gpmSampleCount() { return 0; }
#endif
