// GPM (GPU Performance Monitoring): support query, sample buffers, samples of a GPU or of one GPU
// instance, and metrics computed from two samples. A sample buffer is a handle of its own (kind
// GPM sample, its own lock): reads of a sample hold that lock shared, a free holds it exclusively,
// so a buffer is never freed under a call still using it; close() frees the buffers still
// allocated before nvmlShutdown (see lifecycle.cc).
#include "async.h"
#include "exports.h"
#include "marshal.h"

namespace nvmlmig {

namespace {

struct SupportOp : HandleOp<kDevice> {
  nvmlGpmSupport_t support = {};
  void Run() override {
    support.version = NVML_GPM_SUPPORT_VERSION;
    NVML(nvmlGpmQueryDeviceSupport, Ptr<nvmlDevice_t>(0), &support);
  }
  Napi::Value Build(Napi::Env env) override { return Napi::Boolean::New(env, support.isSupportedDevice != 0); }
};

struct AllocOp : HandleAnswer<Op> {
  void Run() override {
    nvmlGpmSample_t sample = nullptr;
    if (!NVML(nvmlGpmSampleAlloc, &sample)) return;
    // Success without a buffer (a broken library): nothing to hand out or free.
    if (!sample && !Check(NVML_ERROR_UNKNOWN, "nvmlGpmSampleAlloc")) return;
    try {
      id = handles().Register(kGpmSample, sample, 0);
    } catch (...) {
      // Not registered: nobody could ever free it.
      lib().nvmlGpmSampleFree(sample);
      throw;
    }
  }
};

// Exclusive (native/functions.cjs): waits out reads of this sample; not a GPU mutation.
struct FreeOp : HandleOp<kGpmSample> {
  void Run() override {
    if (NVML(nvmlGpmSampleFree, Ptr<nvmlGpmSample_t>(0))) handles().InvalidateSlot(refs[0].r.slot);
  }
};

// gpmSampleGet(device, sample) / gpmMigSampleGet(device, gpuInstanceId, sample): the sample is the
// first ref (its lock is the one held), the device the second.
struct SampleGetOp : Op {
  bool mig = false;
  unsigned int giId = 0;
  void Parse(const Napi::CallbackInfo& info) {
    AddRef(info, mig ? 2 : 1, kGpmSample, "sample");
    AddRef(info, 0, kDevice, "device");
    if (mig) giId = ArgU32(info, 1, "gpuInstanceId");
  }
  void Run() override {
    if (mig)
      NVML(nvmlGpmMigSampleGet, Ptr<nvmlDevice_t>(1), giId, Ptr<nvmlGpmSample_t>(0));
    else
      NVML(nvmlGpmSampleGet, Ptr<nvmlDevice_t>(1), Ptr<nvmlGpmSample_t>(0));
  }
};
struct MigSampleGetOp : SampleGetOp {
  MigSampleGetOp() { mig = true; }
};

struct MetricsGetOp : Op {
  std::vector<unsigned int> ids;
  struct Answer {
    unsigned int id;
    nvmlReturn_t ret;
    double value;
    std::string shortName, longName, unit;
  };
  std::vector<Answer> answers;
  void Parse(const Napi::CallbackInfo& info) {
    AddRef(info, 0, kGpmSample, "sample1");
    AddRef(info, 1, kGpmSample, "sample2");
    ids = ArgU32Array(info, 2, "metricIds", NVML_GPM_METRIC_MAX);
    if (ids.empty()) throw Napi::RangeError::New(info.Env(), "metricIds must name at least one metric");
    lockSecond = true;  // pooled (native/functions.cjs): milliseconds per call on a real GPU
  }
  void Run() override {
    // 13 KB: on the heap, not the worker's stack.
    auto m = std::make_unique<nvmlGpmMetricsGet_t>();
    *m = nvmlGpmMetricsGet_t{};
    m->version = NVML_GPM_METRICS_GET_VERSION;
    m->numMetrics = static_cast<unsigned int>(ids.size());
    m->sample1 = Ptr<nvmlGpmSample_t>(0);
    m->sample2 = Ptr<nvmlGpmSample_t>(1);
    for (size_t i = 0; i < ids.size(); i++) m->metrics[i].metricId = ids[i];
    if (!NVML(nvmlGpmMetricsGet, m.get())) return;
    auto text = [](const char* s) { return s ? std::string(s) : std::string(); };
    answers.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); i++) {
      const nvmlGpmMetric_t& x = m->metrics[i];
      answers.push_back(Answer{ids[i], x.nvmlReturn, x.value, text(x.metricInfo.shortName), text(x.metricInfo.longName),
                               text(x.metricInfo.unit)});
    }
  }
  Napi::Value Build(Napi::Env env) override {
    return ObjectWriter::Array(env, answers, WriteGpmMetric<ObjectWriter, Answer>);
  }
};

}  // namespace

void RegisterGpm(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_gpm) }

}  // namespace nvmlmig
