// Each file registers the exports of its NVML concept.
#pragma once

#include <napi.h>

namespace nvmlmig {
void RegisterLifecycle(Napi::Env env, Napi::Object exports);
void RegisterSystem(Napi::Env env, Napi::Object exports);
void RegisterGetters(Napi::Env env, Napi::Object exports);
void RegisterDevice(Napi::Env env, Napi::Object exports);
void RegisterGpuInstance(Napi::Env env, Napi::Object exports);
void RegisterComputeInstance(Napi::Env env, Napi::Object exports);
void RegisterMigDevice(Napi::Env env, Napi::Object exports);
void RegisterEvents(Napi::Env env, Napi::Object exports);
void RegisterGpm(Napi::Env env, Napi::Object exports);
void RegisterSnapshot(Napi::Env env, Napi::Object exports);
void RegisterMockControl(Napi::Env env, Napi::Object exports);
}  // namespace nvmlmig
