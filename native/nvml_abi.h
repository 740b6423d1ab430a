// The project's own declarations of the NVML C ABI subset it uses, written from the
// documented facts (struct layouts, version words, constants, return codes). Shared by the
// addon (which resolves every function with dlsym) and the mock library (which exports them).
// Layout checks at the bottom fail the build if a struct drifts from the measured x86-64 ABI.
#pragma once

#include <stddef.h>

#include "return_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int nvmlReturn_t;

// The return codes, from the one table (native/return_codes.json, generated into return_codes.h).
enum {
#define NVML_RETURN_CODE_ENUM(name, value, text) name = value,
  NVML_RETURN_CODE_TABLE(NVML_RETURN_CODE_ENUM)
#undef NVML_RETURN_CODE_ENUM
};

typedef struct nvmlDevice_st* nvmlDevice_t;
typedef struct nvmlGpuInstance_st* nvmlGpuInstance_t;
typedef struct nvmlComputeInstance_st* nvmlComputeInstance_t;
typedef struct nvmlEventSet_st* nvmlEventSet_t;
typedef struct nvmlGpmSample_st* nvmlGpmSample_t;  // opaque, allocated by nvmlGpmSampleAlloc

#define NVML_STRUCT_VERSION_WORD(type, ver) ((unsigned int)(sizeof(type) | ((ver) << 24U)))

// ---- sizes and constants ----
#define NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_BUFFER_SIZE 80
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16
#define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE 80

#define NVML_DEVICE_MIG_DISABLE 0x0
#define NVML_DEVICE_MIG_ENABLE 0x1

#define NVML_GPU_INSTANCE_PROFILE_1_SLICE 0x0
#define NVML_GPU_INSTANCE_PROFILE_2_SLICE 0x1
#define NVML_GPU_INSTANCE_PROFILE_3_SLICE 0x2
#define NVML_GPU_INSTANCE_PROFILE_4_SLICE 0x3
#define NVML_GPU_INSTANCE_PROFILE_7_SLICE 0x4
#define NVML_GPU_INSTANCE_PROFILE_8_SLICE 0x5
#define NVML_GPU_INSTANCE_PROFILE_6_SLICE 0x6
#define NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV1 0x7
#define NVML_GPU_INSTANCE_PROFILE_2_SLICE_REV1 0x8
#define NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV2 0x9
#define NVML_GPU_INSTANCE_PROFILE_1_SLICE_GFX 0xA
#define NVML_GPU_INSTANCE_PROFILE_2_SLICE_GFX 0xB
#define NVML_GPU_INSTANCE_PROFILE_4_SLICE_GFX 0xC
#define NVML_GPU_INSTANCE_PROFILE_1_SLICE_NO_ME 0xD
#define NVML_GPU_INSTANCE_PROFILE_2_SLICE_NO_ME 0xE
#define NVML_GPU_INSTANCE_PROFILE_1_SLICE_ALL_ME 0xF
#define NVML_GPU_INSTANCE_PROFILE_2_SLICE_ALL_ME 0x10
#define NVML_GPU_INSTANCE_PROFILE_3_SLICE_GFX 0x11
#define NVML_GPU_INSTANCE_PROFILE_COUNT 0x12

#define NVML_GPU_INSTANCE_PROFILE_CAPS_P2P 0x1
#define NVML_GPU_INSTANCE_PROFILE_CAPS_GFX 0x2

#define NVML_COMPUTE_INSTANCE_PROFILE_1_SLICE 0x0
#define NVML_COMPUTE_INSTANCE_PROFILE_2_SLICE 0x1
#define NVML_COMPUTE_INSTANCE_PROFILE_3_SLICE 0x2
#define NVML_COMPUTE_INSTANCE_PROFILE_4_SLICE 0x3
#define NVML_COMPUTE_INSTANCE_PROFILE_7_SLICE 0x4
#define NVML_COMPUTE_INSTANCE_PROFILE_8_SLICE 0x5
#define NVML_COMPUTE_INSTANCE_PROFILE_6_SLICE 0x6
#define NVML_COMPUTE_INSTANCE_PROFILE_1_SLICE_REV1 0x7
#define NVML_COMPUTE_INSTANCE_PROFILE_7_SLICE_NVL 0x8
#define NVML_COMPUTE_INSTANCE_PROFILE_COUNT 0x9
#define NVML_COMPUTE_INSTANCE_PROFILE_CAPS_GFX 0x1

#define NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED 0x0
#define NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_COUNT 0x1

#define NVML_INVALID_GPU_INSTANCE_ID 0xFFFFFFFFu
#define NVML_VALUE_NOT_AVAILABLE_ULL 0xFFFFFFFFFFFFFFFFull

#define NVML_EVENT_TYPE_MIG_CONFIG_CHANGE 0x0000000000000100ull

#define NVML_FI_DEV_IS_RESETLESS_MIG_SUPPORTED 184
#define NVML_FI_DEV_IS_MIG_MODE_INDEPENDENT_MIG_QUERY_CAPABLE 199

#define NVML_INIT_FLAG_NO_GPUS 1
#define NVML_INIT_FLAG_NO_ATTACH 2

// ---- structs ----
typedef struct {
  char busIdLegacy[NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;  // device id in the high 16 bits, vendor id in the low 16 bits
  unsigned int pciSubSystemId;
  char busId[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
} nvmlPciInfo_t;

typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef struct {
  unsigned long long bar1Total;  // bytes
  unsigned long long bar1Free;
  unsigned long long bar1Used;
} nvmlBAR1Memory_t;

typedef struct {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_v2_t;
#define nvmlMemory_v2 NVML_STRUCT_VERSION_WORD(nvmlMemory_v2_t, 2)

typedef struct {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;

// nvmlProcessInfo_v2_t: the struct of the _v3 process calls.
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;      // 0xFFFFFFFF when MIG is off
  unsigned int computeInstanceId;  // 0xFFFFFFFF when MIG is off
} nvmlProcessInfo_t;

typedef enum {
  NVML_VALUE_TYPE_DOUBLE = 0,
  NVML_VALUE_TYPE_UNSIGNED_INT = 1,
  NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
  NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
  NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
  NVML_VALUE_TYPE_SIGNED_INT = 5,
  NVML_VALUE_TYPE_UNSIGNED_SHORT = 6
} nvmlValueType_t;

typedef union {
  double dVal;
  int siVal;
  unsigned int uiVal;
  unsigned long ulVal;
  unsigned long long ullVal;
  signed long long sllVal;
  unsigned short usVal;
} nvmlValue_t;

typedef struct {
  unsigned int fieldId;
  unsigned int scopeId;
  long long timestamp;
  long long latencyUsec;
  nvmlValueType_t valueType;
  nvmlReturn_t nvmlReturn;
  nvmlValue_t value;
} nvmlFieldValue_t;

typedef struct {
  unsigned int start;  // first occupied memory slice
  unsigned int size;   // memory slices occupied
} nvmlGpuInstancePlacement_t;

typedef struct {
  unsigned int start;  // first compute slice, relative to the GPU instance
  unsigned int size;
} nvmlComputeInstancePlacement_t;

typedef struct {
  unsigned int id;
  unsigned int isP2pSupported;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int copyEngineCount;
  unsigned int decoderCount;
  unsigned int encoderCount;
  unsigned int jpegCount;
  unsigned int ofaCount;
  unsigned long long memorySizeMB;
} nvmlGpuInstanceProfileInfo_t;

typedef struct {
  unsigned int version;
  unsigned int id;
  unsigned int isP2pSupported;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int copyEngineCount;
  unsigned int decoderCount;
  unsigned int encoderCount;
  unsigned int jpegCount;
  unsigned int ofaCount;
  unsigned long long memorySizeMB;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
} nvmlGpuInstanceProfileInfo_v2_t;
#define nvmlGpuInstanceProfileInfo_v2 NVML_STRUCT_VERSION_WORD(nvmlGpuInstanceProfileInfo_v2_t, 2)

// Same size as v2 but a different layout (no isP2pSupported; capabilities at the end).
typedef struct {
  unsigned int version;
  unsigned int id;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int copyEngineCount;
  unsigned int decoderCount;
  unsigned int encoderCount;
  unsigned int jpegCount;
  unsigned int ofaCount;
  unsigned long long memorySizeMB;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
  unsigned int capabilities;
} nvmlGpuInstanceProfileInfo_v3_t;
#define nvmlGpuInstanceProfileInfo_v3 NVML_STRUCT_VERSION_WORD(nvmlGpuInstanceProfileInfo_v3_t, 3)

typedef struct {
  nvmlDevice_t device;
  unsigned int id;
  unsigned int profileId;
  nvmlGpuInstancePlacement_t placement;
} nvmlGpuInstanceInfo_t;

typedef struct {
  unsigned int id;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int sharedCopyEngineCount;
  unsigned int sharedDecoderCount;
  unsigned int sharedEncoderCount;
  unsigned int sharedJpegCount;
  unsigned int sharedOfaCount;
} nvmlComputeInstanceProfileInfo_t;

typedef struct {
  unsigned int version;
  unsigned int id;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int sharedCopyEngineCount;
  unsigned int sharedDecoderCount;
  unsigned int sharedEncoderCount;
  unsigned int sharedJpegCount;
  unsigned int sharedOfaCount;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
} nvmlComputeInstanceProfileInfo_v2_t;
#define nvmlComputeInstanceProfileInfo_v2 NVML_STRUCT_VERSION_WORD(nvmlComputeInstanceProfileInfo_v2_t, 2)

typedef struct {
  unsigned int version;
  unsigned int id;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int sharedCopyEngineCount;
  unsigned int sharedDecoderCount;
  unsigned int sharedEncoderCount;
  unsigned int sharedJpegCount;
  unsigned int sharedOfaCount;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
  unsigned int capabilities;
} nvmlComputeInstanceProfileInfo_v3_t;
#define nvmlComputeInstanceProfileInfo_v3 NVML_STRUCT_VERSION_WORD(nvmlComputeInstanceProfileInfo_v3_t, 3)

typedef struct {
  nvmlDevice_t device;
  nvmlGpuInstance_t gpuInstance;
  unsigned int id;
  unsigned int profileId;
  nvmlComputeInstancePlacement_t placement;
} nvmlComputeInstanceInfo_t;

typedef struct {
  unsigned int multiprocessorCount;
  unsigned int sharedCopyEngineCount;
  unsigned int sharedDecoderCount;
  unsigned int sharedEncoderCount;
  unsigned int sharedJpegCount;
  unsigned int sharedOfaCount;
  unsigned int gpuInstanceSliceCount;
  unsigned int computeInstanceSliceCount;
  unsigned long long memorySizeMB;
} nvmlDeviceAttributes_t;

typedef struct {
  nvmlDevice_t device;
  unsigned long long eventType;
  unsigned long long eventData;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlEventData_t;

// ---- GPM (GPU Performance Monitoring, Hopper and newer) ----
// Both version words are a plain 1 (not the size|version<<24 form), as the driver takes them.
#define NVML_GPM_METRICS_GET_VERSION 1
#define NVML_GPM_SUPPORT_VERSION 1
#define NVML_GPM_METRIC_MAX 333  // capacity of nvmlGpmMetricsGet_t.metrics (driver 580 headers)

// The metric ids this project names (values are percentages 0-100 unless the unit says otherwise).
#define NVML_GPM_METRIC_GRAPHICS_UTIL 1
#define NVML_GPM_METRIC_SM_UTIL 2
#define NVML_GPM_METRIC_SM_OCCUPANCY 3
#define NVML_GPM_METRIC_ANY_TENSOR_UTIL 5
#define NVML_GPM_METRIC_DRAM_BW_UTIL 10
#define NVML_GPM_METRIC_FP64_UTIL 11
#define NVML_GPM_METRIC_FP32_UTIL 12
#define NVML_GPM_METRIC_FP16_UTIL 13
#define NVML_GPM_METRIC_PCIE_TX_PER_SEC 20  // MiB/s
#define NVML_GPM_METRIC_PCIE_RX_PER_SEC 21

typedef struct {
  unsigned int version;            // IN: NVML_GPM_SUPPORT_VERSION
  unsigned int isSupportedDevice;  // OUT: non-zero when the GPU has GPM
} nvmlGpmSupport_t;

typedef struct {
  unsigned int metricId;    // IN
  nvmlReturn_t nvmlReturn;  // OUT: this metric's own result
  double value;             // OUT: valid when nvmlReturn is NVML_SUCCESS
  struct {
    char* shortName;  // OUT: static strings owned by the library
    char* longName;
    char* unit;
  } metricInfo;
} nvmlGpmMetric_t;

typedef struct {
  unsigned int version;     // IN: NVML_GPM_METRICS_GET_VERSION
  unsigned int numMetrics;  // IN: entries of metrics[] to fill
  nvmlGpmSample_t sample1;  // IN: the earlier sample
  nvmlGpmSample_t sample2;  // IN: the later sample (at least 100 ms after sample1)
  nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX];
} nvmlGpmMetricsGet_t;

// ---- function types: one typedef per bound function (name of the typedef = fn name + _fn) ----
// NVML_FUNCTIONS(X) lists (C name, parameter list); it is generated from native/functions.cjs,
// the one description of every bound function. The addon builds its symbol table from it, the
// mock implements each entry; both therefore agree on every signature.
#include "nvml_functions.gen.h"

#define NVML_DECLARE_FN_TYPE(name, params) typedef nvmlReturn_t(*name##_fn) params;
NVML_FUNCTIONS(NVML_DECLARE_FN_TYPE)
#undef NVML_DECLARE_FN_TYPE

typedef const char* (*nvmlErrorString_fn)(nvmlReturn_t result);

// nvmlMockControl is the bundled mock library's own test-control entry point (JSON request in, JSON
// response out), not an NVML function: it is kept out of NVML_FUNCTIONS, so functions() never lists
// it; the addon resolves it apart (Library::mockControl) for mockControl() alone, and a real driver,
// which lacks it, answers NVML_ERROR_FUNCTION_NOT_FOUND there.
typedef nvmlReturn_t (*nvmlMockControl_fn)(const char* request, char* response, unsigned int* responseLength);

#ifdef __cplusplus
}  // extern "C"

// Layout checks against the measured x86-64 sizes and offsets.
static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t");
static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t");
static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t");
static_assert(sizeof(nvmlFieldValue_t) == 40, "nvmlFieldValue_t");
static_assert(sizeof(nvmlGpuInstanceProfileInfo_t) == 48, "GI profile v1");
static_assert(sizeof(nvmlGpuInstanceProfileInfo_v2_t) == 152, "GI profile v2");
static_assert(offsetof(nvmlGpuInstanceProfileInfo_v2_t, memorySizeMB) == 48, "GI profile v2 memory");
static_assert(offsetof(nvmlGpuInstanceProfileInfo_v2_t, name) == 56, "GI profile v2 name");
static_assert(sizeof(nvmlGpuInstanceProfileInfo_v3_t) == 152, "GI profile v3");
static_assert(offsetof(nvmlGpuInstanceProfileInfo_v3_t, memorySizeMB) == 40, "GI profile v3 memory");
static_assert(offsetof(nvmlGpuInstanceProfileInfo_v3_t, name) == 48, "GI profile v3 name");
static_assert(offsetof(nvmlGpuInstanceProfileInfo_v3_t, capabilities) == 144, "GI profile v3 caps");
static_assert(nvmlGpuInstanceProfileInfo_v2 == 0x02000098u, "GI v2 version word");
static_assert(nvmlGpuInstanceProfileInfo_v3 == 0x03000098u, "GI v3 version word");
static_assert(sizeof(nvmlGpuInstanceInfo_t) == 24, "GI info");
static_assert(sizeof(nvmlComputeInstanceProfileInfo_t) == 36, "CI profile v1");
static_assert(sizeof(nvmlComputeInstanceProfileInfo_v2_t) == 136, "CI profile v2");
static_assert(sizeof(nvmlComputeInstanceProfileInfo_v3_t) == 140, "CI profile v3");
static_assert(offsetof(nvmlComputeInstanceProfileInfo_v3_t, capabilities) == 136, "CI profile v3 caps");
static_assert(nvmlComputeInstanceProfileInfo_v2 == 0x02000088u, "CI v2 version word");
static_assert(nvmlComputeInstanceProfileInfo_v3 == 0x0300008Cu, "CI v3 version word");
static_assert(sizeof(nvmlComputeInstanceInfo_t) == 32, "CI info");
static_assert(sizeof(nvmlDeviceAttributes_t) == 40, "attributes");
static_assert(sizeof(nvmlEventData_t) == 32, "event data");
static_assert(sizeof(nvmlGpmSupport_t) == 8, "GPM support");
static_assert(sizeof(nvmlGpmMetric_t) == 40, "GPM metric");
static_assert(offsetof(nvmlGpmMetricsGet_t, metrics) == 24, "GPM metrics get: metrics");
static_assert(sizeof(nvmlGpmMetricsGet_t) == 13344, "GPM metrics get (measured with driver 580)");
#endif
