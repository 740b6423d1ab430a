#!/usr/bin/env python3
# Calls the mock's nvmlInternalGetExportTable and its slots the way nvidia-smi 580 does (C function
# pointers read from the table), and prints what came back as one JSON document.
# Usage: export_table.py <libnvidia-ml.so.1>   (state: NVML_MOCK_STATE / NVML_MOCK_MACHINE)
import ctypes
import json
import sys

lib = ctypes.CDLL(sys.argv[1])
u64 = ctypes.c_uint64
SMI_ID = bytes.fromhex("c4fe3e6cc98f6c4ea327ee696e12f7c4")
out = {"init": lib.nvmlInit_v2()}


def get_table(id_bytes):
    table = ctypes.c_void_p()
    ident = (ctypes.c_ubyte * 16)(*id_bytes)
    ret = lib.nvmlInternalGetExportTable(ctypes.byref(table), ident)
    return ret, table.value


ret, _ = get_table(bytes(16))
out["otherId"] = ret
ret, addr = get_table(SMI_ID)
out["smiId"] = ret
words = ctypes.cast(addr, ctypes.POINTER(u64))
size = words[0]
out["sizeBytes"] = size
slots = [words[i] for i in range(1, size // 8)]
out["slots"] = len(slots)
out["distinctNonNull"] = len(set(s for s in slots if s))

SLOT = ctypes.CFUNCTYPE(ctypes.c_int, u64, u64, u64, u64, u64, u64)


def slot(n, *args):
    args = list(args) + [0] * (6 - len(args))
    return SLOT(words[n])(*args)


def handle_by_index(i):
    h = u64()
    return lib.nvmlDeviceGetHandleByIndex_v2(i, ctypes.byref(h)), h.value


# Slot 81: (index, nvmlDevice_t *out, 0x22).
h = u64()
out["slot81"] = [slot(81, 0, ctypes.addressof(h), 0x22), h.value == handle_by_index(0)[1]]
out["slot81_pastEnd"] = slot(81, 64, ctypes.addressof(h), 0x22)
out["slot81_otherCall"] = slot(81, 0, ctypes.addressof(h), 0)
out["slot26"] = slot(26, 0, 0, 0)


class Entry(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_uint32), ("pad", ctypes.c_uint32), ("usedGpuMemory", u64),
                ("gpuInstanceId", ctypes.c_uint32), ("computeInstanceId", ctypes.c_uint32),
                ("cc", u64), ("name", ctypes.c_char * 4096)]


def processes(n, device, capacity=8):
    count = ctypes.c_uint32(capacity)
    arr = (Entry * max(capacity, 1))()
    ret = slot(n, device, ctypes.addressof(count), ctypes.addressof(arr))
    rows = [[e.pid, e.usedGpuMemory >> 20, e.gpuInstanceId, e.computeInstanceId, e.name.decode()]
            for e in arr[: count.value if ret == 0 else 0]]
    return [ret, count.value, rows]


gpu = handle_by_index(0)[1]
out["entrySize"] = ctypes.sizeof(Entry)
out["procGpu"] = processes(213, gpu)
out["procGpuShort"] = processes(213, gpu, capacity=0)
migs = []
for i in range(7):
    m = u64()
    if lib.nvmlDeviceGetMigDeviceHandleByIndex(u64(gpu), i, ctypes.byref(m)) == 0:
        migs.append(m.value)
out["procMig"] = [processes(213, m)[2] for m in migs]
out["proc214"] = processes(214, gpu)
out["proc215"] = processes(215, gpu)
out["procBadHandle"] = processes(213, 0x1234)

# The call log names each slot.
buf = ctypes.create_string_buffer(1 << 20)
length = ctypes.c_uint(len(buf))
lib.nvmlMockControl(b'{"cmd":"callLog"}', buf, ctypes.byref(length))
out["log"] = [c["fn"] + "=" + str(c["ret"]) for c in json.loads(buf.value)["calls"] if c["fn"].startswith("exportTable")]
print(json.dumps(out))
