// The process-wide side of the mock: initialisation (reference counted), the store that holds the
// machine state (in memory, or a JSON file shared by processes), fault injection, latency, the
// privilege switch, the call log, and handle encoding. Every exported NVML function runs through
// call(), which applies the faults and latency and records the call.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "json.h"
#include "nvml_abi.h"
#include "state.h"

#define MOCK_EXPORT extern "C" __attribute__((visibility("default")))

namespace mock {

// ---- calls ----
// Runs `body` as the NVML function `fn`: faults first, then latency, then the body (after the
// initialisation check when needsInit), and logs {fn, ret}.
nvmlReturn_t call(const char* fn, bool needsInit, const std::function<nvmlReturn_t()>& body);

// ---- state ----
// Reads: fn sees the current state. Writes: fn changes a copy that is committed (and persisted,
// under the file lock) only when fn returns NVML_SUCCESS, so a refused change leaves no trace.
nvmlReturn_t readState(const std::function<nvmlReturn_t(const MachineState&)>& fn);
nvmlReturn_t writeState(const std::function<nvmlReturn_t(MachineState&)>& fn);

bool isInitialized();
int traceLevel();  // NVML_MOCK_TRACE: 0 off, 1 calls, 2 calls and export-table arguments
nvmlReturn_t initLibrary();
nvmlReturn_t shutdownLibrary();
bool privileged(const MachineState& m);
std::string statePath();  // NVML_MOCK_STATE as read at the first nvmlInit; empty: in-process

// Control-channel helpers.
nvmlReturn_t resetState(const std::string& machine, std::string* error);
Json callLog();
void clearCallLog();
void setPrivilegeOverride(bool value);
void waitForConfigChange(unsigned maxMs);  // wakes on a local commit, or after maxMs
std::vector<FaultSpec> parseFaultList(const std::string& text, std::string* error);
bool parseLatencyList(const std::string& text, std::map<std::string, unsigned>* out, std::string* error);

// ---- handles ----
// Handles are tagged integers, never pointers: the top nibble 0xA cannot be a user-space address,
// the kind sits in bits 52..59, the GPU index in 40..51 and the instance serial in 0..39. A serial
// is never reused, so a stale handle cannot reach another instance; nothing is dereferenced.
enum class Kind : uint64_t {
  Device = 1,
  GpuInstance = 2,
  ComputeInstance = 3,
  MigDevice = 4,
  EventSet = 5,
  GpmSample = 6
};
void* makeHandle(Kind kind, unsigned gpu, uint64_t serial);
bool decodeHandle(const void* handle, Kind kind, unsigned* gpu, uint64_t* serial);

// Resolved handles (pointers into the state passed in; valid while fn runs).
struct DeviceRef {
  const GpuState* gpu = nullptr;
  unsigned gpuIndex = 0;
  const GiState* gi = nullptr;  // set for MIG device handles
  const CiState* ci = nullptr;
  bool isMig() const { return ci != nullptr; }
};
bool resolveDevice(const MachineState& m, nvmlDevice_t handle, DeviceRef* out);  // GPU or MIG device
bool resolveGi(const MachineState& m, nvmlGpuInstance_t handle, DeviceRef* out);
bool resolveCi(const MachineState& m, nvmlComputeInstance_t handle, DeviceRef* out);

// Copies a string into a caller buffer with NVML's INSUFFICIENT_SIZE rule.
nvmlReturn_t copyString(const std::string& value, char* out, unsigned length);

}  // namespace mock
