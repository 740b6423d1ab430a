#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace mock {

namespace {

// Everything below is guarded by g_mu (recursive: control commands nest state access).
std::recursive_mutex g_mu;
std::condition_variable_any g_changed;

struct Config {
  bool loaded = false;
  std::string statePath;    // NVML_MOCK_STATE; empty = in-process state
  std::string machineSpec;  // NVML_MOCK_MACHINE
  std::vector<FaultSpec> envFaults;
  std::map<std::string, unsigned> envLatency;
  bool envUnprivileged = false;
  bool latencyOverlaps = true;  // NVML_MOCK_LATENCY_OVERLAP=0: one injected delay at a time, process-wide
  int trace = 0;                // NVML_MOCK_TRACE=1: every call and its result on stderr; 2: export-table arguments too
};
Config g_cfg;
int g_initCount = 0;
std::unique_ptr<MachineState> g_mem;
int g_privOverride = -1;  // -1: none; else the value set through the control channel

struct LogEntry {
  std::string fn;
  nvmlReturn_t ret;
};
std::vector<LogEntry> g_log;
const size_t kMaxLog = 200000;

struct FaultCounter {
  uint64_t calls = 0;
  std::mt19937_64 rng;
};
std::map<std::string, FaultCounter> g_faultCounters;

const char* envOr(const char* name, const char* dflt) {
  const char* v = std::getenv(name);
  return v && *v ? v : dflt;
}

void warn(const std::string& msg) { std::fprintf(stderr, "nvml-mock: %s\n", msg.c_str()); }

void loadConfig() {
  Config c;
  c.loaded = true;
  c.statePath = envOr("NVML_MOCK_STATE", "");
  c.machineSpec = envOr("NVML_MOCK_MACHINE", "h100-80gb");
  std::string err;
  c.envFaults = parseFaultList(envOr("NVML_MOCK_FAULTS", ""), &err);
  if (!err.empty()) warn("NVML_MOCK_FAULTS: " + err);
  if (!parseLatencyList(envOr("NVML_MOCK_LATENCY_US", ""), &c.envLatency, &err)) warn("NVML_MOCK_LATENCY_US: " + err);
  std::string unpriv = envOr("NVML_MOCK_UNPRIVILEGED", "0");
  c.envUnprivileged = unpriv != "0" && unpriv != "false";
  c.trace = std::atoi(envOr("NVML_MOCK_TRACE", "0"));
  c.latencyOverlaps = std::string(envOr("NVML_MOCK_LATENCY_OVERLAP", "1")) != "0";
  g_cfg = c;
  g_faultCounters.clear();
}

void ensureConfig() {
  if (!g_cfg.loaded) loadConfig();
}

uint64_t freshSerialBase() {
  // A new state starts its serials at a time-derived base, so handles from an earlier state
  // file (deleted and recreated) do not match instances of the new one.
  return static_cast<uint64_t>(std::time(nullptr) % 100000) * 1000000ull + 1;
}

// ---- the state file ----
std::string g_lastFileError;

bool readFile(const std::string& path, std::string* text, int* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  text->clear();
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text->append(buf, static_cast<size_t>(n));
  ::close(fd);
  return n == 0;
}

// Every write holds the state file's lock, so no other writer is midway: a temporary file next
// to the state is from a writer killed before its rename, and is removed (else each such kill
// would leave one behind for good).
void removeOrphanTemps(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = ::readdir(d))
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) ::unlinkat(::dirfd(d), e->d_name, 0);
  ::closedir(d);
}

// Writes to a temporary file and renames it over the state: readers see the old or the new
// file, never a torn one, and a writer killed midway leaves the old file intact.
bool writeFileAtomic(const std::string& path, const std::string& text) {
  removeOrphanTemps(path);
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(::syscall(SYS_gettid));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

// Loads the state file; creates it from NVML_MOCK_MACHINE when missing (the caller holds the
// exclusive file lock when `mayCreate`).
nvmlReturn_t loadStateFile(MachineState* out, bool mayCreate) {
  std::string text;
  int err = 0;
  if (!readFile(g_cfg.statePath, &text, &err)) {
    if (err != ENOENT || !mayCreate) {
      g_lastFileError = "cannot read " + g_cfg.statePath + ": " + std::strerror(err);
      return err == ENOENT ? NVML_ERROR_NOT_FOUND : NVML_ERROR_UNKNOWN;
    }
    try {
      *out = buildMachine(g_cfg.machineSpec, freshSerialBase());
    } catch (const std::exception& e) {
      g_lastFileError = e.what();
      return NVML_ERROR_UNKNOWN;
    }
    if (!writeFileAtomic(g_cfg.statePath, out->toJson().dump())) {
      g_lastFileError = "cannot write " + g_cfg.statePath;
      return NVML_ERROR_UNKNOWN;
    }
    return NVML_SUCCESS;
  }
  try {
    *out = MachineState::fromJson(Json::parse(text));
  } catch (const std::exception& e) {
    g_lastFileError = g_cfg.statePath + ": " + e.what();
    return NVML_ERROR_UNKNOWN;
  }
  return NVML_SUCCESS;
}

class FileLock {
 public:
  explicit FileLock(const std::string& statePath) {
    fd_ = ::open((statePath + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

nvmlReturn_t ensureMemoryState() {
  if (g_mem) return NVML_SUCCESS;
  try {
    g_mem.reset(new MachineState(buildMachine(g_cfg.machineSpec, freshSerialBase())));
  } catch (const std::exception& e) {
    warn(e.what());
    return NVML_ERROR_UNKNOWN;
  }
  return NVML_SUCCESS;
}

// Fault and latency lookups need the shared settings; when the state cannot be read they fall
// back to the environment's alone.
void sharedSettings(std::vector<FaultSpec>* faults, std::map<std::string, unsigned>* latency) {
  if (!g_cfg.loaded) return;
  readState([&](const MachineState& m) -> nvmlReturn_t {
    *faults = m.faults;
    *latency = m.latencyUs;
    return NVML_SUCCESS;
  });
}

bool fires(const std::string& key, const FaultSpec& f) {
  FaultCounter& c = g_faultCounters[key];
  if (c.calls == 0) c.rng.seed(f.seed);
  c.calls++;
  if (f.always) return true;
  if (f.nth) return c.calls == f.nth;
  if (f.probability > 0) return std::uniform_real_distribution<double>(0.0, 1.0)(c.rng) < f.probability;
  return false;
}

}  // namespace

// ---------------------------------------------------------------- state access

nvmlReturn_t readState(const std::function<nvmlReturn_t(const MachineState&)>& fn) {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  ensureConfig();
  if (g_cfg.statePath.empty()) {
    nvmlReturn_t r = ensureMemoryState();
    return r != NVML_SUCCESS ? r : fn(*g_mem);
  }
  MachineState m;
  nvmlReturn_t r = loadStateFile(&m, false);
  if (r == NVML_ERROR_NOT_FOUND) {  // first use of a new state file: create it under the lock
    FileLock fl(g_cfg.statePath);
    r = loadStateFile(&m, true);
  }
  if (r != NVML_SUCCESS) {
    warn(g_lastFileError);
    return r;
  }
  return fn(m);
}

nvmlReturn_t writeState(const std::function<nvmlReturn_t(MachineState&)>& fn) {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  ensureConfig();
  nvmlReturn_t r;
  if (g_cfg.statePath.empty()) {
    r = ensureMemoryState();
    if (r != NVML_SUCCESS) return r;
    MachineState copy = *g_mem;
    r = fn(copy);
    if (r == NVML_SUCCESS) *g_mem = std::move(copy);
  } else {
    FileLock fl(g_cfg.statePath);
    if (!fl.ok()) {
      warn("cannot lock " + g_cfg.statePath + ".lock");
      return NVML_ERROR_UNKNOWN;
    }
    MachineState m;
    r = loadStateFile(&m, true);
    if (r != NVML_SUCCESS) {
      warn(g_lastFileError);
      return r;
    }
    r = fn(m);
    if (r == NVML_SUCCESS && !writeFileAtomic(g_cfg.statePath, m.toJson().dump())) {
      warn("cannot write " + g_cfg.statePath);
      r = NVML_ERROR_UNKNOWN;
    }
  }
  if (r == NVML_SUCCESS) g_changed.notify_all();
  return r;
}

void waitForConfigChange(unsigned maxMs) {
  std::unique_lock<std::recursive_mutex> lock(g_mu);
  g_changed.wait_for(lock, std::chrono::milliseconds(maxMs));
}

// ---------------------------------------------------------------- init

bool isInitialized() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  return g_initCount > 0;
}

nvmlReturn_t initLibrary() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  if (g_initCount == 0) {
    std::string previousSpec = g_cfg.machineSpec;
    loadConfig();
    // In-process state lives across shutdown/init, like a GPU; another machine spec replaces it.
    if (g_mem && g_mem->machineSpec != g_cfg.machineSpec) g_mem.reset();
    nvmlReturn_t r = readState([](const MachineState&) { return NVML_SUCCESS; });
    if (r != NVML_SUCCESS) return r;
  }
  g_initCount++;
  return NVML_SUCCESS;
}

nvmlReturn_t shutdownLibrary() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  if (g_initCount == 0) return NVML_ERROR_UNINITIALIZED;
  g_initCount--;
  return NVML_SUCCESS;
}

bool privileged(const MachineState& m) {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  if (g_privOverride >= 0) return g_privOverride == 1;
  if (g_cfg.envUnprivileged) return false;
  return !(m.hasPrivilegeSetting && m.unprivileged);
}

std::string statePath() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  ensureConfig();
  return g_cfg.statePath;
}

void setPrivilegeOverride(bool value) {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  g_privOverride = value ? 1 : 0;
}

nvmlReturn_t resetState(const std::string& machine, std::string* error) {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  ensureConfig();
  return writeState([&](MachineState& m) -> nvmlReturn_t {
    std::string spec = machine.empty() ? m.machineSpec : machine;
    try {
      m = buildMachine(spec, m.nextSerial);  // serials continue: old handles stay stale
    } catch (const std::exception& e) {
      *error = e.what();
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    for (GpuState& g : m.gpus) recordConfigChange(g, NVML_INVALID_GPU_INSTANCE_ID, NVML_INVALID_GPU_INSTANCE_ID);
    g_faultCounters.clear();
    g_privOverride = -1;
    return NVML_SUCCESS;
  });
}

// ---------------------------------------------------------------- faults, latency, log

std::vector<FaultSpec> parseFaultList(const std::string& text, std::string* error) {
  // fn=code[@N | @always | @pP[:seedS]], comma-separated; no '@' means always.
  std::vector<FaultSpec> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" \t") == std::string::npos) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "expected fn=code[@when] in '" + item + "'";
      continue;
    }
    FaultSpec f;
    f.fn = item.substr(0, eq);
    f.fn.erase(0, f.fn.find_first_not_of(" \t"));
    std::string rest = item.substr(eq + 1), when = "always";
    size_t at = rest.find('@');
    if (at != std::string::npos) {
      when = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    char* end = nullptr;
    f.code = static_cast<int>(std::strtol(rest.c_str(), &end, 10));
    if (rest.empty() || *end) {
      *error = "bad return code in '" + item + "'";
      continue;
    }
    if (when == "always") {
      f.always = true;
    } else if (!when.empty() && when[0] == 'p') {
      std::string p = when.substr(1), seed = "0";
      size_t colon = p.find(':');
      if (colon != std::string::npos) {
        seed = p.substr(colon + 1);
        p = p.substr(0, colon);
        if (seed.compare(0, 4, "seed") == 0) seed = seed.substr(4);
      }
      f.probability = std::strtod(p.c_str(), nullptr);
      f.seed = std::strtoull(seed.c_str(), nullptr, 10);
      if (!(f.probability > 0 && f.probability <= 1)) {
        *error = "probability must be in (0, 1] in '" + item + "'";
        continue;
      }
    } else {
      f.nth = static_cast<unsigned>(std::strtoul(when.c_str(), &end, 10));
      if (when.empty() || *end || f.nth == 0) {
        *error = "bad call number in '" + item + "'";
        continue;
      }
    }
    out.push_back(f);
  }
  return out;
}

bool parseLatencyList(const std::string& text, std::map<std::string, unsigned>* out, std::string* error) {
  std::stringstream ss(text);
  std::string item;
  bool ok = true;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" \t") == std::string::npos) continue;
    size_t eq = item.find('=');
    char* end = nullptr;
    unsigned long us = eq == std::string::npos ? 0 : std::strtoul(item.c_str() + eq + 1, &end, 10);
    if (eq == std::string::npos || eq == 0 || !end || *end || us > 10000000) {
      *error = "expected fn=microseconds in '" + item + "'";
      ok = false;
      continue;
    }
    (*out)[item.substr(0, eq)] = static_cast<unsigned>(us);
  }
  return ok;
}

int traceLevel() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  ensureConfig();
  return g_cfg.trace;
}

int64_t monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// How much later than asked a sleep ends on this machine (its wake-up latency): a running
// average of what the delays saw, starting at 60 us, kept within 0-200 us (so a busy machine's
// late wake-ups never turn a delay into a long spin).
std::atomic<int64_t> g_overshootNs{60000};

// An injected delay, on the calling thread and outside the state lock. A sleep alone overshoots
// by the machine's wake-up latency (tens of microseconds, more than most NVML calls take), so
// the thread sleeps for the delay less that latency and spins the rest: delays land within a
// few microseconds of the setting.
std::mutex g_delayMu;  // held during a delay when delays do not overlap
void injectDelay(unsigned us, bool overlaps) {
  // Timers of this thread fire on time rather than up to 50 us late (the default slack).
  thread_local const int slack = prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  (void)slack;
  std::unique_lock<std::mutex> serial(g_delayMu, std::defer_lock);
  if (!overlaps) serial.lock();
  const int64_t start = monotonicNs(), deadline = start + int64_t(us) * 1000;
  // 10 us of margin: a wake-up a little later than the average still lands before the deadline.
  const int64_t sleepNs = int64_t(us) * 1000 - g_overshootNs.load(std::memory_order_relaxed) - 10000;
  if (sleepNs > 0) {
    timespec d = {time_t(sleepNs / 1000000000), long(sleepNs % 1000000000)};
    nanosleep(&d, nullptr);
    const int64_t late = std::min<int64_t>(std::max<int64_t>(monotonicNs() - start - sleepNs, 0), 200000);
    const int64_t avg = g_overshootNs.load(std::memory_order_relaxed);
    g_overshootNs.store(avg + (late - avg) / 8, std::memory_order_relaxed);
  }
  while (monotonicNs() < deadline) {
  }
}

nvmlReturn_t call(const char* fn, bool needsInit, const std::function<nvmlReturn_t()>& body) {
  nvmlReturn_t injected = NVML_SUCCESS;
  bool faulted = false;
  unsigned delayUs = 0;
  bool overlaps = true;
  {
    std::lock_guard<std::recursive_mutex> lock(g_mu);
    ensureConfig();
    std::vector<FaultSpec> shared;
    std::map<std::string, unsigned> sharedLatency;
    sharedSettings(&shared, &sharedLatency);
    for (const FaultSpec& f : g_cfg.envFaults)
      if (!faulted && f.fn == fn && fires(std::string(fn) + "#env", f)) faulted = true, injected = f.code;
    for (const FaultSpec& f : shared)
      if (!faulted && f.fn == fn && fires(std::string(fn) + "#" + std::to_string(f.generation), f))
        faulted = true, injected = f.code;
    // The control channel's setting wins over the environment's; a function's own over '*'.
    const std::map<std::string, unsigned>* sources[] = {&sharedLatency, &g_cfg.envLatency};
    bool found = false;
    for (const auto* src : sources) {
      for (const char* key : {fn, "*"}) {
        auto it = src->find(key);
        if (!found && it != src->end()) delayUs = it->second, found = true;
      }
    }
    overlaps = g_cfg.latencyOverlaps;
  }
  if (delayUs) injectDelay(delayUs, overlaps);
  nvmlReturn_t ret;
  if (faulted)
    ret = injected;
  else if (needsInit && !isInitialized())
    ret = NVML_ERROR_UNINITIALIZED;
  else
    ret = body();
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  if (g_log.size() < kMaxLog) g_log.push_back({fn, ret});
  if (g_cfg.trace) std::fprintf(stderr, "nvml-mock: %s -> %d\n", fn, ret);
  return ret;
}

Json callLog() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  Json calls = Json::array();
  for (const LogEntry& e : g_log) {
    Json x = Json::object();
    x.set("fn", e.fn);
    x.set("ret", e.ret);
    calls.push(x);
  }
  return calls;
}

void clearCallLog() {
  std::lock_guard<std::recursive_mutex> lock(g_mu);
  g_log.clear();
}

// ---------------------------------------------------------------- handles

void* makeHandle(Kind kind, unsigned gpu, uint64_t serial) {
  uint64_t v = 0xA000000000000000ull | (static_cast<uint64_t>(kind) << 52) |
               (static_cast<uint64_t>(gpu & 0xFFF) << 40) | (serial & 0xFFFFFFFFFFull);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(v));
}

bool decodeHandle(const void* handle, Kind kind, unsigned* gpu, uint64_t* serial) {
  uint64_t v = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(handle));
  if ((v >> 60) != 0xA || ((v >> 52) & 0xFF) != static_cast<uint64_t>(kind)) return false;
  *gpu = static_cast<unsigned>((v >> 40) & 0xFFF);
  *serial = v & 0xFFFFFFFFFFull;
  return true;
}

namespace {
bool findCi(const GpuState& g, uint64_t serial, DeviceRef* out) {
  for (const GiState& gi : g.gis)
    for (const CiState& ci : gi.cis)
      if (ci.serial == serial) {
        out->gi = &gi;
        out->ci = &ci;
        return true;
      }
  return false;
}
}  // namespace

bool resolveDevice(const MachineState& m, nvmlDevice_t handle, DeviceRef* out) {
  unsigned gpu;
  uint64_t serial;
  *out = DeviceRef();
  if (decodeHandle(handle, Kind::Device, &gpu, &serial)) {
    if (gpu >= m.gpus.size() || serial != 0) return false;
    out->gpu = &m.gpus[gpu];
    out->gpuIndex = gpu;
    return true;
  }
  if (decodeHandle(handle, Kind::MigDevice, &gpu, &serial)) {
    if (gpu >= m.gpus.size() || !m.gpus[gpu].migCurrent) return false;
    out->gpu = &m.gpus[gpu];
    out->gpuIndex = gpu;
    return findCi(m.gpus[gpu], serial, out);
  }
  return false;
}

bool resolveGi(const MachineState& m, nvmlGpuInstance_t handle, DeviceRef* out) {
  unsigned gpu;
  uint64_t serial;
  *out = DeviceRef();
  if (!decodeHandle(handle, Kind::GpuInstance, &gpu, &serial) || gpu >= m.gpus.size()) return false;
  for (const GiState& gi : m.gpus[gpu].gis)
    if (gi.serial == serial) {
      out->gpu = &m.gpus[gpu];
      out->gpuIndex = gpu;
      out->gi = &gi;
      return true;
    }
  return false;
}

bool resolveCi(const MachineState& m, nvmlComputeInstance_t handle, DeviceRef* out) {
  unsigned gpu;
  uint64_t serial;
  *out = DeviceRef();
  if (!decodeHandle(handle, Kind::ComputeInstance, &gpu, &serial) || gpu >= m.gpus.size()) return false;
  out->gpu = &m.gpus[gpu];
  out->gpuIndex = gpu;
  return findCi(m.gpus[gpu], serial, out);
}

nvmlReturn_t copyString(const std::string& value, char* out, unsigned length) {
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  if (value.size() + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  std::memcpy(out, value.c_str(), value.size() + 1);
  return NVML_SUCCESS;
}

}  // namespace mock
