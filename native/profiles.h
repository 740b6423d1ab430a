// GI/CI profile info in one plain form, whichever struct version the driver filled. The v2 and
// v3 GI structs have the same size but different layouts: fields are read by the layout of the
// version that was SENT.
#pragma once

#include <napi.h>

#include <string>

#include "errors.h"
#include "nvml_abi.h"

namespace nvmlmig {

struct ProfileValue {
  int structVersion = 1;
  unsigned int id = 0, isP2pSupported = 0, capabilities = 0, sliceCount = 0, instanceCount = 0, multiprocessorCount = 0,
               copyEngineCount = 0, decoderCount = 0, encoderCount = 0, jpegCount = 0, ofaCount = 0;
  unsigned long long memorySizeMB = 0;
  bool hasName = false;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE] = {};
};

Napi::Object GpuInstanceProfileToJs(Napi::Env env, const ProfileValue& p);
Napi::Object ComputeInstanceProfileToJs(Napi::Env env, const ProfileValue& p);

// version 0: V call with the v3 word; on ARGUMENT_VERSION_MISMATCH or INVALID_ARGUMENT again
// with v2; the v1 call when the V symbol is missing (or v2 is refused for its version too).
// A v3 answer with an empty name (driver 580 on a real H100 does this) is completed by a v2
// call: the result is the v2 struct's (structVersion 2) with the v3 capabilities.
// 1/2/3: exactly that struct. byId: the ...ByIdV call (no v1 form exists).
struct Library;
Status ReadGpuInstanceProfile(const Library& lib, nvmlDevice_t dev, unsigned int indexOrId, int version, bool byId,
                              ProfileValue* out);
Status ReadComputeInstanceProfile(const Library& lib, nvmlGpuInstance_t gi, unsigned int index, unsigned int engProfile,
                                  int version, ProfileValue* out);

}  // namespace nvmlmig
