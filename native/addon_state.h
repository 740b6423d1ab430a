// Per-environment state of the addon (N-API instance data): lifecycle, the loaded library,
// the handle table and the error class.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "handles.h"
#include "library.h"

namespace nvmlmig {

enum class Phase { kClosed, kOpening, kOpen, kClosing };

class Dispatcher;

struct Addon {
  Napi::FunctionReference errorClass;
  Phase phase = Phase::kClosed;
  bool readOnly = false;
  bool shutdownQueued = false;
  // Calls admitted and not yet settled (queued mutations included). JS thread only.
  uint64_t pending = 0;
  std::vector<Napi::Promise::Deferred> closeWaiters;
  // Written only on the JS thread while no call is in flight (open/close), read by workers.
  Library lib;
  HandleTable handles;
  // The call threads (async.cc), made on the first read; it frees itself at environment cleanup.
  Dispatcher* dispatcher = nullptr;
  // The functions that make result objects (kStructFactories, compiled on first use; JS thread).
  // Empty when compiling them failed: ObjectWriter then sets the properties one by one.
  std::vector<Napi::FunctionReference> factories;
  bool factoriesTried = false;
  napi_value Factory(napi_env env, int id);

  const Library* lastLib() const { return lib.handle ? &lib : nullptr; }
};

Addon& GetAddon(Napi::Env env);

}  // namespace nvmlmig
