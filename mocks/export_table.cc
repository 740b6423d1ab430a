// nvmlInternalGetExportTable: the private function table nvidia-smi asks NVML for before it does
// anything else (without it nvidia-smi prints "Mismatch in versions between nvidia-smi and NVML."
// and exits 255). NVIDIA does not document it; what is here was measured with nvidia-smi 580 on
// this mock (docs/mock.md, "nvidia-smi on the mock"):
//
// - nvidia-smi calls nvmlInternalGetExportTable(const void **table, const unsigned char id[16])
//   with the id bytes c4 fe 3e 6c c9 8f 6c 4e a3 27 ee 69 6e 12 f7 c4, up to three times a
//   command. Any other id is answered NOT_SUPPORTED.
// - The table is an array of 8-byte words: word 0 holds the table's size in bytes, every other
//   word ("slot" N = word N) a function pointer. kSlots words are handed out.
// - Every slot is its own function, logged as `exportTable[N]` in the call log and the trace
//   (NVML_MOCK_TRACE=1; NVML_MOCK_TRACE=2 adds the call's first six argument words), and subject
//   to faults and latency under that name. A slot without an implementation below does nothing
//   and answers NVML_ERROR_NOT_SUPPORTED: it reads no argument and writes nothing.
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "api.h"

using namespace mock;

namespace {

constexpr unsigned kSlots = 1024;  // words, word 0 included: 0x2000 bytes
constexpr unsigned char kSmiTableId[16] = {0xc4, 0xfe, 0x3e, 0x6c, 0xc9, 0x8f, 0x6c, 0x4e,
                                           0xa3, 0x27, 0xee, 0x69, 0x6e, 0x12, 0xf7, 0xc4};

using Args = std::array<uintptr_t, 6>;

// ---- the implemented slots ----

// Slot 81: nvmlDevice_t by index, called as (unsigned index, nvmlDevice_t *out, 0x22). nvidia-smi
// uses it where a public client would call nvmlDeviceGetHandleByIndex_v2; the same answer.
constexpr unsigned kSlotHandleByIndex = 81;
constexpr uintptr_t kHandleByIndexTag = 0x22;

nvmlReturn_t handleByIndex(const Args& a) {
  if (a[2] != kHandleByIndexTag || !a[1]) return NVML_ERROR_NOT_SUPPORTED;  // not the call measured
  auto index = static_cast<unsigned>(a[0]);
  auto* out = reinterpret_cast<nvmlDevice_t*>(a[1]);
  return readState([&](const MachineState& m) -> nvmlReturn_t {
    if (index >= m.gpus.size()) return NVML_ERROR_INVALID_ARGUMENT;
    *out = static_cast<nvmlDevice_t>(makeHandle(Kind::Device, index, 0));
    return NVML_SUCCESS;
  });
}

// Slot 213: the running compute processes of a GPU or MIG device, called as
// (nvmlDevice_t device, unsigned *count, Entry *entries) with *count = the array's capacity in
// entries; *count becomes the number written. nvidia-smi's process tables come from here rather
// than from nvmlDeviceGetComputeRunningProcesses. One entry is 4128 bytes: the four numbers below,
// then the process name inline, NUL-terminated.
constexpr unsigned kSlotComputeProcesses = 213;
struct ProcessEntry {
  uint32_t pid;
  uint32_t pad0;
  uint64_t usedGpuMemory;      // bytes
  uint32_t gpuInstanceId;      // 0xFFFFFFFF without MIG
  uint32_t computeInstanceId;  // 0xFFFFFFFF without MIG
  uint64_t usedCcProtectedMemory;
  char name[4096];
};
static_assert(sizeof(ProcessEntry) == 4128, "nvidia-smi's process entry is 4128 bytes");

nvmlReturn_t computeProcesses(const Args& a) {
  auto device = reinterpret_cast<nvmlDevice_t>(a[0]);
  auto* count = reinterpret_cast<unsigned*>(a[1]);
  auto* entries = reinterpret_cast<ProcessEntry*>(a[2]);
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  return onDevice(device, [&](const MachineState&, const DeviceRef& r) -> nvmlReturn_t {
    std::vector<const ProcessState*> list;
    for (const ProcessState& p : r.gpu->processes)
      if (!r.isMig() || (p.onMig && p.gi == r.gi->id && p.ci == r.ci->id)) list.push_back(&p);
    if (list.size() > *count) {
      *count = static_cast<unsigned>(list.size());
      return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    *count = static_cast<unsigned>(list.size());
    if (list.empty()) return NVML_SUCCESS;
    if (!entries) return NVML_ERROR_INVALID_ARGUMENT;
    for (size_t i = 0; i < list.size(); i++) {
      const ProcessState& p = *list[i];
      ProcessEntry& e = entries[i];
      std::memset(&e, 0, offsetof(ProcessEntry, name));
      e.pid = p.pid;
      e.usedGpuMemory = p.usedMiB * 1024ull * 1024ull;
      bool mig = r.gpu->migCurrent && p.onMig;
      e.gpuInstanceId = mig ? p.gi : 0xFFFFFFFFu;
      e.computeInstanceId = mig ? p.ci : 0xFFFFFFFFu;
      std::snprintf(e.name, sizeof e.name, "%s", p.name.c_str());
    }
    return NVML_SUCCESS;
  });
}

// Slots 214 and 215: called beside 213 with the same arguments, one after the other, for each GPU
// and MIG device whose processes nvidia-smi lists. If either fails, nvidia-smi shows no process at
// all ("No running processes found"), so they answer with empty lists. Their role is inferred from
// the public process lists (graphics, MPS compute): the mock simulates neither kind of process.
constexpr unsigned kSlotGraphicsProcesses = 214, kSlotMpsProcesses = 215;

nvmlReturn_t noProcesses(const Args& a) {
  auto device = reinterpret_cast<nvmlDevice_t>(a[0]);
  auto* count = reinterpret_cast<unsigned*>(a[1]);
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  return onDevice(device, [&](const MachineState&, const DeviceRef&) -> nvmlReturn_t {
    *count = 0;
    return NVML_SUCCESS;
  });
}

// Slot 26 (not implemented): nvidia-smi hands it every line it prints, as ("nvidia-smi %s: %s\n",
// "stdout", line, ...), a log hook; NOT_SUPPORTED changes nothing nvidia-smi prints.

nvmlReturn_t dispatch(unsigned slot, const Args& a) {
  switch (slot) {
    case kSlotHandleByIndex: return handleByIndex(a);
    case kSlotComputeProcesses: return computeProcesses(a);
    case kSlotGraphicsProcesses:
    case kSlotMpsProcesses: return noProcesses(a);
    default: return NVML_ERROR_NOT_SUPPORTED;
  }
}

// ---- the table ----

const char* slotName(unsigned slot) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v(kSlots);
    for (unsigned i = 0; i < kSlots; i++) v[i] = "exportTable[" + std::to_string(i) + "]";
    return v;
  }();
  return names[slot].c_str();
}

// NVML_MOCK_TRACE=2: the raw argument words, and for those that point into this process the
// first 32 bytes there (read with process_vm_readv, so a word that is no pointer cannot fault).
void traceArgs(unsigned slot, const Args& a) {
  std::string line = "nvml-mock: exportTable[" + std::to_string(slot) + "] args";
  char buf[64];
  for (uintptr_t w : a) {
    std::snprintf(buf, sizeof buf, " %#lx", static_cast<unsigned long>(w));
    line += buf;
    unsigned char bytes[32];
    iovec local{bytes, sizeof bytes}, remote{reinterpret_cast<void*>(w), sizeof bytes};
    if (w > 0x10000 && process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(sizeof bytes)) {
      line += "=[";
      for (unsigned char b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        line += buf;
      }
      line += "]";
    }
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

nvmlReturn_t runSlot(unsigned slot, const Args& a) {
  if (traceLevel() >= 2) traceArgs(slot, a);
  return call(slotName(slot), true, [&]() -> nvmlReturn_t { return dispatch(slot, a); });
}

// One function per slot, so the slot a caller chose is known. Six integer-class arguments are
// taken (the registers of the x86-64 and AArch64 calling conventions); a slot reads only those
// its implementation documents.
template <unsigned N>
nvmlReturn_t slotEntry(uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3, uintptr_t a4, uintptr_t a5) {
  return runSlot(N, {a0, a1, a2, a3, a4, a5});
}

template <size_t... I>
std::array<uintptr_t, sizeof...(I)> buildTable(std::index_sequence<I...>) {
  return {{(I == 0 ? uintptr_t{kSlots * sizeof(uintptr_t)} : reinterpret_cast<uintptr_t>(&slotEntry<I>))...}};
}

const std::array<uintptr_t, kSlots>& table() {
  static const std::array<uintptr_t, kSlots> t = buildTable(std::make_index_sequence<kSlots>{});
  return t;
}

}  // namespace

MOCK_EXPORT nvmlReturn_t nvmlInternalGetExportTable(const void** exportTable, const unsigned char* id) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!exportTable || !id) return NVML_ERROR_INVALID_ARGUMENT;
    if (std::memcmp(id, kSmiTableId, sizeof kSmiTableId) != 0) return NVML_ERROR_NOT_SUPPORTED;
    *exportTable = table().data();
    return NVML_SUCCESS;
  });
}
