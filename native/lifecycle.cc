// open(), close() and the state queries. open() loads the library and runs nvmlInit on a worker;
// close() refuses new calls at once, waits (without blocking the JS thread) until the calls in
// flight settled, then runs nvmlShutdown on a worker and invalidates every handle.
#include <cstring>

#include "async.h"
#include "exports.h"

namespace nvmlmig {

namespace {

Napi::Object FunctionsObject(Napi::Env env, const Library& lib) {
  Napi::Object o = Napi::Object::New(env);
  for (int i = 0; i < kFnCount; i++)
    o.Set(kFunctionNames[i], lib.resolved[i] ? Napi::Value(Napi::String::New(env, lib.resolved[i])) : env.Null());
  return o;
}

Napi::Object OpenResult(Napi::Env env, const Library& lib) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", lib.path);
  o.Set("functions", FunctionsObject(env, lib));
  return o;
}

struct OpenOp : Op {
  std::string path;
  unsigned int flags = 0;
  bool readOnly = false;
  Library loaded;

  void Run() override {
    std::string error;
    if (!LoadLibrary(path, &loaded, &error)) {
      fail = LibraryFailure(kErrLoadFailed, "cannot load the NVML library '" + path + "': " + error);
      return;
    }
    // Errors of nvmlInit name the library just loaded.
    const Library& l = loaded;
    if (!l.nvmlInitWithFlags && !l.nvmlInit_v2) {
      fail = LibraryFailure(kErrLoadFailed, "cannot load the NVML library '" + path +
                                                "': it exports neither nvmlInitWithFlags nor nvmlInit (not NVML)");
      return;
    }
    nvmlReturn_t ret;
    const char* fn;
    if (l.nvmlInitWithFlags) {
      fn = "nvmlInitWithFlags";
      ret = l.nvmlInitWithFlags(flags);
    } else if (flags == 0 && l.nvmlInit_v2) {
      fn = "nvmlInit_v2";
      ret = l.nvmlInit_v2();
    } else {
      fn = flags ? "nvmlInitWithFlags" : "nvmlInit_v2";
      ret = NVML_ERROR_FUNCTION_NOT_FOUND;
    }
    if (ret != NVML_SUCCESS) fail = NvmlFailure(&loaded, ret, fn);
  }
  void Commit(Napi::Env) override {
    if (fail.failed) {
      addon->phase = Phase::kClosed;
      // Loaded but nvmlInit failed: errorString() still uses this library's texts.
      if (loaded.handle) addon->lib = loaded;
      return;
    }
    addon->lib = loaded;
    addon->readOnly = readOnly;
    addon->phase = Phase::kOpen;
  }
  Napi::Value Build(Napi::Env env) override { return OpenResult(env, addon->lib); }
};

struct ShutdownOp : Op {
  void Run() override {
    // GPM sample buffers belong to the library: free the ones JS never freed (no call is in flight).
    if (lib().nvmlGpmSampleFree)
      for (void* s : handles().LivePointers(kGpmSample)) lib().nvmlGpmSampleFree(static_cast<nvmlGpmSample_t>(s));
    NVML(nvmlShutdown);
  }
  void Commit(Napi::Env env) override {
    addon->handles.Clear();
    addon->phase = Phase::kClosed;
    addon->shutdownQueued = false;
    std::vector<Napi::Promise::Deferred> waiters;
    waiters.swap(addon->closeWaiters);
    for (auto& d : waiters) {
      if (fail.failed)
        d.Reject(MakeError(env, fail));
      else
        d.Resolve(env.Undefined());
    }
    // The failure now belongs to the close() callers. The op's own promise is internal (nobody
    // holds it): rejecting it would be an unhandled rejection, which ends a Node process.
    fail = Failure();
  }
};

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto op = std::make_unique<OpenOp>();
  op->path = ArgString(info, 0, "path", 4096);
  op->flags = ArgU32(info, 1, "flags");
  op->readOnly = ArgBool(info, 2, "readOnly");
  Addon& a = GetAddon(env);
  // Early answers each settle a deferred of their own: a deferred made and never settled (as one
  // made up front was on the path that queues the open) leaks its persistent handle and promise.
  auto answer = [env](bool ok, Napi::Value v) {
    Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
    if (ok)
      d.Resolve(v);
    else
      d.Reject(v);
    return d.Promise();
  };
  if (op->path.empty())
    return answer(false, MakeError(env, LibraryFailure(kErrLoadFailed, "cannot load the NVML library: empty path")));
  // CUDA's link-time stub library answers every call with an error: never load it.
  if (op->path.find("/stubs/") != std::string::npos)
    return answer(false,
                  MakeError(env, LibraryFailure(kErrLoadFailed, "cannot load the NVML library '" + op->path +
                                                                    "': refusing a CUDA stub library (stubs/)")));
  switch (a.phase) {
    case Phase::kOpen:
      if (a.lib.path == op->path) return answer(true, OpenResult(env, a.lib));
      return answer(false, MakeError(env, LibraryFailure(kErrLoadFailed, "cannot load the NVML library '" + op->path +
                                                                             "': '" + a.lib.path +
                                                                             "' is already open (close() it first)")));
    case Phase::kOpening:
    case Phase::kClosing:
      return answer(false, MakeError(env, LibraryFailure(kErrNotInitialized,
                                                         a.phase == Phase::kOpening
                                                             ? "open() is already in progress"
                                                             : "close() is in progress; open() after it settled")));
    case Phase::kClosed: break;
  }
  a.phase = Phase::kOpening;
  return QueueLifecycle(env, std::move(op));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Addon& a = GetAddon(env);
  Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
  if (a.phase == Phase::kClosed) {
    d.Resolve(env.Undefined());
    return d.Promise();
  }
  if (a.phase == Phase::kOpening) {
    d.Reject(MakeError(env, LibraryFailure(kErrNotInitialized, "open() is in progress; close() after it settled")));
    return d.Promise();
  }
  a.phase = Phase::kClosing;
  a.closeWaiters.push_back(d);
  MaybeShutdown(env);
  return d.Promise();
}

Napi::Value IsOpen(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), GetAddon(info.Env()).phase == Phase::kOpen);
}

Napi::Value SetReadOnly(const Napi::CallbackInfo& info) {
  GetAddon(info.Env()).readOnly = ArgBool(info, 0, "readOnly");
  return info.Env().Undefined();
}

Napi::Value Functions(const Napi::CallbackInfo& info) {
  Addon& a = GetAddon(info.Env());
  if (a.phase != Phase::kOpen && a.phase != Phase::kClosing) return Napi::Object::New(info.Env());
  return FunctionsObject(info.Env(), a.lib);
}

Napi::Value PendingCalls(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(GetAddon(info.Env()).pending));
}

}  // namespace

void MaybeShutdown(Napi::Env env) {
  Addon& a = GetAddon(env);
  if (a.phase != Phase::kClosing || a.pending != 0 || a.shutdownQueued) return;
  a.shutdownQueued = true;
  QueueLifecycle(env, std::make_unique<ShutdownOp>());
}

void RegisterLifecycle(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("errorString", Napi::Function::New(env, ErrorString, "errorString"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("isOpen", Napi::Function::New(env, IsOpen, "isOpen"));
  exports.Set("setReadOnly", Napi::Function::New(env, SetReadOnly, "setReadOnly"));
  exports.Set("functions", Napi::Function::New(env, Functions, "functions"));
  exports.Set("pendingCalls", Napi::Function::New(env, PendingCalls, "pendingCalls"));
}

}  // namespace nvmlmig
