// nvmlMockControl: the mock's own JSON control channel for tests (reset, state, simulated GPU
// reset, processes, faults, latency, privilege, call log). Not an NVML function: it is neither
// logged nor subject to faults, and it works before nvmlInit.
#include <cstring>
#include <mutex>

#include "api.h"

using namespace mock;

namespace {

struct ControlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Json ok() {
  Json j = Json::object();
  j.set("ok", true);
  return j;
}

unsigned uintArg(const Json& req, const char* key, bool required, unsigned dflt = 0) {
  const Json& v = req[key];
  if (v.isNull()) {
    if (required) throw ControlError(std::string("'") + key + "' is required");
    return dflt;
  }
  if (!v.isNumber() || v.asNumber() < 0 || v.asNumber() > 4294967295.0 ||
      v.asNumber() != static_cast<unsigned>(v.asNumber()))
    throw ControlError(std::string("'") + key + "' must be a non-negative integer");
  return static_cast<unsigned>(v.asNumber());
}

// Runs a change of the shared state; a refused change throws with its message.
void change(const std::function<void(MachineState&)>& fn) {
  std::string error;
  nvmlReturn_t r = writeState([&](MachineState& m) -> nvmlReturn_t {
    try {
      fn(m);
    } catch (const std::exception& e) {
      error = e.what();
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    return NVML_SUCCESS;
  });
  if (!error.empty()) throw ControlError(error);
  if (r != NVML_SUCCESS) throw ControlError(std::string("state update failed: ") + nvmlErrorString(r));
}

GpuState& gpuArg(MachineState& m, const Json& req) {
  unsigned gpu = uintArg(req, "gpu", true);
  if (gpu >= m.gpus.size()) throw ControlError("no GPU " + std::to_string(gpu));
  return m.gpus[gpu];
}

Json handle(const Json& req) {
  std::string cmd = req.str("cmd", "");
  if (cmd == "reset") {
    std::string error;
    nvmlReturn_t r = resetState(req.str("machine", ""), &error);
    if (r != NVML_SUCCESS) throw ControlError(error.empty() ? nvmlErrorString(r) : error);
    return ok();
  }
  if (cmd == "state") {
    Json out = ok();
    nvmlReturn_t r = readState([&](const MachineState& m) -> nvmlReturn_t {
      Json s = m.toJson();
      s.set("privilegedNow", privileged(m));
      out.set("state", s);
      out.set("statePath", statePath());
      return NVML_SUCCESS;
    });
    if (r != NVML_SUCCESS) throw ControlError(std::string("cannot read the state: ") + nvmlErrorString(r));
    return out;
  }
  if (cmd == "gpuReset") {
    change([&](MachineState& m) {
      GpuState& g = gpuArg(m, req);
      if (!g.processes.empty() && !req.flag("force", false))
        throw ControlError(
            "GPU " + std::to_string(uintArg(req, "gpu", true)) +
            " has processes: the reset would fail (In use by another client); pass force:true to end them");
      applyGpuReset(g);
    });
    return ok();
  }
  if (cmd == "addProcess") {
    change([&](MachineState& m) {
      GpuState& g = gpuArg(m, req);
      ProcessState p;
      p.pid = uintArg(req, "pid", true);
      if (p.pid == 0) throw ControlError("'pid' must be positive");
      p.name = req.str("name", "process");
      p.usedMiB = uintArg(req, "usedMemoryMiB", false, 0);
      bool hasGi = req.has("gi"), hasCi = req.has("ci");
      if (hasGi != hasCi) throw ControlError("give both 'gi' and 'ci', or neither");
      if (hasGi) {
        if (!g.migCurrent) throw ControlError("MIG is disabled on this GPU: a process cannot run on a MIG device");
        p.onMig = true;
        p.gi = uintArg(req, "gi", true);
        p.ci = uintArg(req, "ci", true);
        bool found = false;
        for (const MigDeviceRef& d : migDevices(g)) found |= d.gi->id == p.gi && d.ci->id == p.ci;
        if (!found)
          throw ControlError("no compute instance " + std::to_string(p.ci) + " in GPU instance " +
                             std::to_string(p.gi));
      } else if (g.migCurrent) {
        throw ControlError("MIG is enabled: a process runs on a MIG device, give 'gi' and 'ci'");
      }
      for (const ProcessState& q : g.processes)
        if (q.pid == p.pid && q.onMig == p.onMig && q.gi == p.gi && q.ci == p.ci)
          throw ControlError("process " + std::to_string(p.pid) + " is already there");
      g.processes.push_back(p);
    });
    return ok();
  }
  if (cmd == "removeProcess") {
    unsigned pid = uintArg(req, "pid", true);
    unsigned removed = 0;
    change([&](MachineState& m) {
      for (GpuState& g : m.gpus) {
        size_t before = g.processes.size();
        g.processes.erase(
            std::remove_if(g.processes.begin(), g.processes.end(), [&](const ProcessState& p) { return p.pid == pid; }),
            g.processes.end());
        removed += static_cast<unsigned>(before - g.processes.size());
      }
      if (!removed) throw ControlError("no process with pid " + std::to_string(pid));
    });
    Json out = ok();
    out.set("removed", removed);
    return out;
  }
  if (cmd == "setLoad") {
    // The simulated activity of a GPU (MIG off) or of one GPU instance ('gi'), read through GPM.
    change([&](MachineState& m) {
      GpuState& g = gpuArg(m, req);
      if (!gpmSupported(*g.model)) throw ControlError(g.model->key + " has no GPM (Hopper and newer)");
      gpmSettle(g);  // the time so far counts at the old load
      if (req.has("gi")) {
        if (!g.migCurrent) throw ControlError("MIG is disabled on this GPU: it has no GPU instances");
        unsigned id = uintArg(req, "gi", true);
        GiState* gi = nullptr;
        for (GiState& x : g.gis)
          if (x.id == id) gi = &x;
        if (!gi) throw ControlError("no GPU instance " + std::to_string(id));
        gi->gpm.level = gpmLevelsFromJson(req, gi->gpm.level);
      } else {
        if (g.migCurrent) throw ControlError("MIG is enabled: give the GPU instance ('gi') whose load to set");
        g.gpmLoad = gpmLevelsFromJson(req, g.gpmLoad);
      }
      gpmSettle(g);  // and the GPU's level follows the new one
    });
    return ok();
  }
  if (cmd == "gpmSamples") {
    Json out = ok();
    out.set("count", static_cast<unsigned long long>(gpmSampleCount()));
    return out;
  }
  if (cmd == "setFault") {
    FaultSpec f;
    f.fn = req.str("fn", "");
    if (f.fn.empty()) throw ControlError("'fn' is required");
    if (!req["code"].isNumber()) throw ControlError("'code' is required (an NVML return code)");
    f.code = static_cast<int>(req["code"].asNumber());
    f.nth = uintArg(req, "nth", false, 0);
    f.always = req.flag("always", false);
    f.probability = req.num("probability", 0);
    f.seed = uintArg(req, "seed", false, 0);
    if (f.probability < 0 || f.probability > 1) throw ControlError("'probability' must be in (0, 1]");
    if (!f.nth && f.probability == 0) f.always = true;
    change([&](MachineState& m) {
      f.generation = m.nextSerial++;  // a fresh per-process call counter for this fault
      m.faults.erase(std::remove_if(m.faults.begin(), m.faults.end(), [&](const FaultSpec& x) { return x.fn == f.fn; }),
                     m.faults.end());
      m.faults.push_back(f);
    });
    return ok();
  }
  if (cmd == "clearFaults") {
    std::string fn = req.str("fn", "");
    change([&](MachineState& m) {
      m.faults.erase(std::remove_if(m.faults.begin(), m.faults.end(),
                                    [&](const FaultSpec& x) { return fn.empty() || x.fn == fn; }),
                     m.faults.end());
    });
    return ok();
  }
  if (cmd == "setLatency") {
    std::string fn = req.str("fn", "");
    if (fn.empty()) throw ControlError("'fn' is required ('*' for every function)");
    unsigned us = uintArg(req, "us", true);
    if (us > 10000000) throw ControlError("'us' must be at most 10000000");
    change([&](MachineState& m) {
      if (us)
        m.latencyUs[fn] = us;
      else
        m.latencyUs.erase(fn);
    });
    return ok();
  }
  if (cmd == "setPrivileged") {
    if (!req["value"].isBool()) throw ControlError("'value' must be a boolean");
    bool value = req["value"].asBool();
    change([&](MachineState& m) {
      m.hasPrivilegeSetting = true;
      m.unprivileged = !value;
    });
    setPrivilegeOverride(value);
    return ok();
  }
  if (cmd == "callLog") {
    Json out = ok();
    out.set("calls", callLog());
    return out;
  }
  if (cmd == "clearCallLog") {
    clearCallLog();
    return ok();
  }
  if (cmd == "models") {
    Json out = ok();
    Json list = Json::array();
    for (const GpuModel* m : allModels()) list.push(m->key);
    out.set("models", list);
    return out;
  }
  throw ControlError(cmd.empty() ? "'cmd' is required" : "unknown command '" + cmd + "'");
}

// A response that did not fit is kept for the retry with a larger buffer, so that a mutating
// command is not run twice.
std::mutex g_pendingMu;
std::string g_pendingRequest, g_pendingResponse;

}  // namespace

MOCK_EXPORT nvmlReturn_t nvmlMockControl(const char* request, char* response, unsigned int* responseLength) {
  if (!request || !responseLength) return NVML_ERROR_INVALID_ARGUMENT;
  std::string text;
  {
    std::lock_guard<std::mutex> lock(g_pendingMu);
    if (!g_pendingRequest.empty() && g_pendingRequest == request) {
      text = g_pendingResponse;
      g_pendingRequest.clear();
    }
  }
  if (text.empty()) {
    Json out;
    try {
      Json req = Json::parse(request);
      if (!req.isObject()) throw ControlError("the request must be a JSON object");
      out = handle(req);
    } catch (const std::exception& e) {
      out = Json::object();
      out.set("ok", false);
      out.set("error", e.what());
    }
    text = out.dump();
  }
  if (!response || *responseLength < text.size() + 1) {
    *responseLength = static_cast<unsigned>(text.size() + 1);
    std::lock_guard<std::mutex> lock(g_pendingMu);
    g_pendingRequest = request;
    g_pendingResponse = text;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  std::memcpy(response, text.c_str(), text.size() + 1);
  *responseLength = static_cast<unsigned>(text.size() + 1);
  return NVML_SUCCESS;
}
