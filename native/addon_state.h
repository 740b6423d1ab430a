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

  const Library* lastLib() const { return lib.handle ? &lib : nullptr; }
};

Addon& GetAddon(Napi::Env env);

}  // namespace nvmlmig
