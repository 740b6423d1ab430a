#include "profiles.h"

#include <cstring>

#include "library.h"
#include "marshal.h"

namespace nvmlmig {

namespace {

void CopyName(ProfileValue* out, const char* name) {
  out->hasName = true;
  std::memcpy(out->name, name, sizeof out->name);
  out->name[sizeof out->name - 1] = '\0';
}

// Fields every GI struct version has under the same names.
template <class S>
void FromGi(const S& s, int version, ProfileValue* o) {
  o->structVersion = version;
  o->id = s.id;
  o->sliceCount = s.sliceCount;
  o->instanceCount = s.instanceCount;
  o->multiprocessorCount = s.multiprocessorCount;
  o->copyEngineCount = s.copyEngineCount;
  o->decoderCount = s.decoderCount;
  o->encoderCount = s.encoderCount;
  o->jpegCount = s.jpegCount;
  o->ofaCount = s.ofaCount;
  o->memorySizeMB = s.memorySizeMB;
}

// v1/v2 say P2P in a field of its own; v3 in the capabilities bitmask.
template <class S>
void FromGiP2p(const S& s, int version, ProfileValue* o) {
  FromGi(s, version, o);
  o->isP2pSupported = s.isP2pSupported;
  o->capabilities = s.isP2pSupported ? NVML_GPU_INSTANCE_PROFILE_CAPS_P2P : 0;
}

void FromGiV1(const nvmlGpuInstanceProfileInfo_t& s, ProfileValue* o) { FromGiP2p(s, 1, o); }

void FromGiV2(const nvmlGpuInstanceProfileInfo_v2_t& s, ProfileValue* o) {
  FromGiP2p(s, 2, o);
  CopyName(o, s.name);
}

void FromGiV3(const nvmlGpuInstanceProfileInfo_v3_t& s, ProfileValue* o) {
  FromGi(s, 3, o);
  o->capabilities = s.capabilities;
  o->isP2pSupported = (s.capabilities & NVML_GPU_INSTANCE_PROFILE_CAPS_P2P) ? 1 : 0;
  CopyName(o, s.name);
}

// The CI v2 and v3 layouts agree up to the name; v3 appends capabilities.
template <class S>
void FromCi(const S& s, ProfileValue* o) {
  o->id = s.id;
  o->sliceCount = s.sliceCount;
  o->instanceCount = s.instanceCount;
  o->multiprocessorCount = s.multiprocessorCount;
  o->copyEngineCount = s.sharedCopyEngineCount;
  o->decoderCount = s.sharedDecoderCount;
  o->encoderCount = s.sharedEncoderCount;
  o->jpegCount = s.sharedJpegCount;
  o->ofaCount = s.sharedOfaCount;
}

bool VersionRefused(nvmlReturn_t ret) {
  return ret == NVML_ERROR_ARGUMENT_VERSION_MISMATCH || ret == NVML_ERROR_INVALID_ARGUMENT;
}

}  // namespace

Status ReadGpuInstanceProfile(const Library& lib, nvmlDevice_t dev, unsigned int indexOrId, int version, bool byId,
                              ProfileValue* out) {
  auto vcall = byId ? lib.nvmlDeviceGetGpuInstanceProfileInfoByIdV : lib.nvmlDeviceGetGpuInstanceProfileInfoV;
  const char* vname = byId ? "nvmlDeviceGetGpuInstanceProfileInfoByIdV" : "nvmlDeviceGetGpuInstanceProfileInfoV";
  nvmlReturn_t ret = NVML_ERROR_FUNCTION_NOT_FOUND;
  if (vcall && (version == 0 || version == 3)) {
    nvmlGpuInstanceProfileInfo_v3_t s = {};
    s.version = nvmlGpuInstanceProfileInfo_v3;
    // The entry point is declared with the v2 type; the version word tells the driver the layout.
    ret = vcall(dev, indexOrId, reinterpret_cast<nvmlGpuInstanceProfileInfo_v2_t*>(&s));
    if (ret == NVML_SUCCESS) FromGiV3(s, out);
    if (ret == NVML_SUCCESS && version == 0 && s.name[0] == '\0') {
      // Driver 580 on H100 fills every v3 field but the name; v2 carries it.
      nvmlGpuInstanceProfileInfo_v2_t s2 = {};
      s2.version = nvmlGpuInstanceProfileInfo_v2;
      if (vcall(dev, indexOrId, &s2) == NVML_SUCCESS && s2.name[0] != '\0') {
        FromGiV2(s2, out);
        out->capabilities = s.capabilities;
      }
    }
    if (ret == NVML_SUCCESS || version == 3 || !VersionRefused(ret)) return {ret, vname};
  }
  if (vcall && (version == 0 || version == 2)) {
    nvmlGpuInstanceProfileInfo_v2_t s = {};
    s.version = nvmlGpuInstanceProfileInfo_v2;
    ret = vcall(dev, indexOrId, &s);
    if (ret == NVML_SUCCESS) FromGiV2(s, out);
    if (ret == NVML_SUCCESS || version == 2 || ret != NVML_ERROR_ARGUMENT_VERSION_MISMATCH) return {ret, vname};
  }
  if (byId || version == 2 || version == 3) return {ret, vname};
  const char* v1name = "nvmlDeviceGetGpuInstanceProfileInfo";
  if (!lib.nvmlDeviceGetGpuInstanceProfileInfo) return {NVML_ERROR_FUNCTION_NOT_FOUND, v1name};
  nvmlGpuInstanceProfileInfo_t s = {};
  ret = lib.nvmlDeviceGetGpuInstanceProfileInfo(dev, indexOrId, &s);
  if (ret == NVML_SUCCESS) FromGiV1(s, out);
  return {ret, v1name};
}

Status ReadComputeInstanceProfile(const Library& lib, nvmlGpuInstance_t gi, unsigned int index, unsigned int engProfile,
                                  int version, ProfileValue* out) {
  auto vcall = lib.nvmlGpuInstanceGetComputeInstanceProfileInfoV;
  const char* vname = "nvmlGpuInstanceGetComputeInstanceProfileInfoV";
  nvmlReturn_t ret = NVML_ERROR_FUNCTION_NOT_FOUND;
  if (vcall && (version == 0 || version == 3)) {
    nvmlComputeInstanceProfileInfo_v3_t s = {};
    s.version = nvmlComputeInstanceProfileInfo_v3;
    ret = vcall(gi, index, engProfile, reinterpret_cast<nvmlComputeInstanceProfileInfo_v2_t*>(&s));
    if (ret == NVML_SUCCESS) {
      FromCi(s, out);
      out->structVersion = 3;
      out->capabilities = s.capabilities;
      CopyName(out, s.name);
    }
    if (ret == NVML_SUCCESS && version == 0 && s.name[0] == '\0') {
      // As for GI profiles: take the name from the v2 struct when v3 left it empty.
      nvmlComputeInstanceProfileInfo_v2_t s2 = {};
      s2.version = nvmlComputeInstanceProfileInfo_v2;
      if (vcall(gi, index, engProfile, &s2) == NVML_SUCCESS && s2.name[0] != '\0') {
        out->structVersion = 2;
        CopyName(out, s2.name);
      }
    }
    if (ret == NVML_SUCCESS || version == 3 || !VersionRefused(ret)) return {ret, vname};
  }
  if (vcall && (version == 0 || version == 2)) {
    nvmlComputeInstanceProfileInfo_v2_t s = {};
    s.version = nvmlComputeInstanceProfileInfo_v2;
    ret = vcall(gi, index, engProfile, &s);
    if (ret == NVML_SUCCESS) {
      FromCi(s, out);
      out->structVersion = 2;
      CopyName(out, s.name);
    }
    if (ret == NVML_SUCCESS || version == 2 || ret != NVML_ERROR_ARGUMENT_VERSION_MISMATCH) return {ret, vname};
  }
  if (version == 2 || version == 3) return {ret, vname};
  const char* v1name = "nvmlGpuInstanceGetComputeInstanceProfileInfo";
  if (!lib.nvmlGpuInstanceGetComputeInstanceProfileInfo) return {NVML_ERROR_FUNCTION_NOT_FOUND, v1name};
  nvmlComputeInstanceProfileInfo_t s = {};
  ret = lib.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index, engProfile, &s);
  if (ret == NVML_SUCCESS) {
    FromCi(s, out);
    out->structVersion = 1;
  }
  return {ret, v1name};
}

Napi::Object GpuInstanceProfileToJs(Napi::Env env, const ProfileValue& p) {
  return ToObject(env, p, WriteGpuInstanceProfileInfo<ObjectWriter, ProfileValue>);
}

Napi::Object ComputeInstanceProfileToJs(Napi::Env env, const ProfileValue& p) {
  return ToObject(env, p, WriteComputeInstanceProfileInfo<ObjectWriter, ProfileValue>);
}

}  // namespace nvmlmig
