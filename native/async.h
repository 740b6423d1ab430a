// One tiny op struct per call on a shared base; the same op gives the Promise form and the
// blocking `Sync` twin.
//
// Life of a call (JS thread unless noted):
//  1. Parse(): arguments are checked and copied into plain C++ members (TypeError/RangeError
//     are thrown synchronously). Handle ids are recorded as Refs.
//  2. Admit(): not open → ERR_NVML_NOT_INITIALIZED; mutating and read-only → ERR_NVML_READ_ONLY;
//     each Ref is looked up in the handle table (wrong kind → TypeError; unknown or invalidated →
//     ERR_NVML_STALE_HANDLE). The op remembers the GPU (or event set) its first handle belongs to.
//  3. Reads go to the addon's own call threads (a few per environment, see Dispatcher in
//     async.cc): a queue they drain without sleeping between calls, completed calls settled on the
//     JS thread in batches, one uv_async_t wake-up per batch. Calls marked `pooled` (mutations,
//     event waits, snapshots) go to libuv's thread pool, one napi_async_work each. Mutations are
//     queued per GPU: one is handed to the pool only after the previous mutation of that GPU
//     settled (issue order = completion order).
//  4. Execute (worker): take the GPU lock (shared for reads, exclusive for mutations),
//     re-check that every Ref is still alive, then Run() the NVML calls. Run() touches no N-API
//     value; it registers returned handles and invalidates destroyed ones in the table while the
//     lock is held, so no other op can use a handle between its check and its NVML call. A call
//     thread only tries the lock: a read whose GPU is being mutated moves to libuv's pool, so a
//     slow mutation never holds a call thread (nor the reads of other GPUs).
//  5. JS thread: Build() the JS result or reject with the NvmlError; then the GPU's next
//     mutation is queued and the pending count drops (close() waits for it to reach 0).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "addon_state.h"
#include "args.h"
#include "errors.h"
#include "handles.h"

namespace nvmlmig {

struct Ref {
  uint64_t id = 0;
  KindMask want = 0;
  const char* name = "";
  Resolved r;
};

class Op {
 public:
  virtual ~Op() = default;
  // Worker thread: the NVML calls. Failures go to `fail` (through Call/Check).
  virtual void Run() = 0;
  // JS thread: the resolved value.
  virtual Napi::Value Build(Napi::Env env) { return env.Undefined(); }
  // JS thread, before settling, success or not (lifecycle ops update the addon state here).
  virtual void Commit(Napi::Env) {}
  // Default Parse: no arguments. Ops hide it with their own.
  void Parse(const Napi::CallbackInfo&) {}

  Addon* addon = nullptr;
  Failure fail;
  bool mutating = false;   // read-only interlock and per-GPU issue order
  bool exclusive = false;  // takes the GPU lock exclusively (mutations, event set free)
  // Runs on libuv's thread pool rather than the addon's call threads: calls that may block for
  // long (mutations, event waits, whole snapshots, the mock's control channel) so that they never
  // hold up the fast reads.
  bool pooled = false;
  // Also holds the second handle's lock (shared) when it has its own: a GPM metrics call reads two
  // samples, and neither may be freed under it.
  bool lockSecond = false;
  Ref refs[2];
  int nrefs = 0;
  // The GPU (or event set) of the first handle: its lock, mutation queue and caches.
  GpuSync* sync = nullptr;
  // Keeps *sync alive while the call is off the JS thread (an event set may be freed meanwhile).
  // Sync twins go without: they run to the end before anything can close the session.
  std::shared_ptr<GpuSync> keepSync;
  std::shared_ptr<GpuSync> keepSecondSync;  // the same for the second handle's lock (lockSecond)

 protected:
  void AddRef(const Napi::CallbackInfo& info, size_t i, KindMask want, const char* name) {
    Ref& r = refs[nrefs++];
    r.id = ArgId(info, i, name);
    r.want = want;
    r.name = name;
  }
  template <class T>
  T Ptr(int i) const {
    return static_cast<T>(refs[i].r.ptr);
  }
  const Library& lib() const { return addon->lib; }
  HandleTable& handles() const { return addon->handles; }
  // The GPU slot of the first handle (what registered children belong to).
  uint32_t GpuSlot() const { return refs[0].r.gpuSlot; }

  bool Check(nvmlReturn_t ret, const char* fn) {
    if (ret == NVML_SUCCESS) return true;
    fail = NvmlFailure(&addon->lib, ret, fn);
    return false;
  }
  bool Check(Status s) { return Check(s.ret, s.fn); }
  template <class F, class... A>
  bool Call(F f, const char* fn, A... args) {
    return Check(f ? f(args...) : NVML_ERROR_FUNCTION_NOT_FOUND, fn);
  }
};

// NVML(nvmlDeviceGetName, dev, buf, n): call the resolved symbol (FUNCTION_NOT_FOUND when the
// library lacks it); false and `fail` set on an error.
#define NVML(fn, ...) Call(lib().fn, #fn, ##__VA_ARGS__)

Napi::Value Submit(Napi::Env env, std::unique_ptr<Op> op);
Napi::Value RunSync(Napi::Env env, Op& op);
// Queues an op that manages the lifecycle itself (open, shutdown): no admission, not counted.
Napi::Promise QueueLifecycle(Napi::Env env, std::unique_ptr<Op> op);
// Called when a counted call settles: starts the shutdown once close() waits and none is left.
void MaybeShutdown(Napi::Env env);

// What native/functions.cjs says of an op (the generated NVML_GETTERS / NVML_OPS_* pass them).
enum OpFlags : unsigned {
  kOpSync = 1,       // also exported as `<name>Sync`
  kOpMutates = 2,    // read-only interlock, exclusive GPU lock, per-GPU issue order
  kOpExclusive = 4,  // exclusive lock only (not a GPU mutation)
  kOpPooled = 8,     // libuv's pool rather than the call threads (may block for long)
};

inline void ApplyFlags(Op& op, const Napi::CallbackInfo& info) {
  auto flags = static_cast<unsigned>(reinterpret_cast<uintptr_t>(info.Data()));
  op.mutating = (flags & kOpMutates) != 0;
  op.exclusive = (flags & (kOpMutates | kOpExclusive)) != 0;
  op.pooled = (flags & kOpPooled) != 0;
}

template <class T>
Napi::Value Async(const Napi::CallbackInfo& info) {
  auto op = std::make_unique<T>();
  ApplyFlags(*op, info);
  op->Parse(info);
  return Submit(info.Env(), std::move(op));
}

template <class T>
Napi::Value Sync(const Napi::CallbackInfo& info) {
  T op;
  ApplyFlags(op, info);
  op.Parse(info);
  return RunSync(info.Env(), op);
}

// ---- shared shapes of ops ----

// The argument name of a handle of these kinds.
constexpr const char* HandleArgName(KindMask want) {
  return want == kMigDevice         ? "migDevice"
         : (want & kAnyDevice)      ? "device"
         : want == kGpuInstance     ? "gpuInstance"
         : want == kComputeInstance ? "computeInstance"
         : want == kGpmSample       ? "sample"
                                    : "set";
}

// Ops whose first argument is one handle of the given kinds.
template <KindMask Want>
struct HandleOp : Op {
  void Parse(const Napi::CallbackInfo& info) { AddRef(info, 0, Want, HandleArgName(Want)); }
};

// Answers: one unsigned number, one handle id, a list of handle ids.
template <class Base>
struct U32Answer : Base {
  unsigned int value = 0;
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, value); }
};
template <class Base>
struct HandleAnswer : Base {
  uint64_t id = 0;
  Napi::Value Build(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(id)); }
};
template <class Base>
struct HandleListAnswer : Base {
  std::vector<uint64_t> ids;
  Napi::Value Build(Napi::Env env) override {
    Napi::Array a = Napi::Array::New(env, ids.size());
    for (size_t i = 0; i < ids.size(); i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(ids[i]));
    return a;
  }
};

// Exports `name` (Promise form) and, with kOpSync, `nameSync`; the flags travel as the
// functions' data.
template <class T>
void ExportOp(Napi::Env env, Napi::Object exports, const char* name, unsigned flags) {
  void* data = reinterpret_cast<void*>(static_cast<uintptr_t>(flags));
  exports.Set(name, Napi::Function::New(env, Async<T>, name, data));
  if (flags & kOpSync) {
    std::string sync = std::string(name) + "Sync";
    exports.Set(sync, Napi::Function::New(env, Sync<T>, sync, data));
  }
}

// Registers the ops of one native/<group>.cc as native/functions.cjs lists them:
// NVML_REGISTER_OPS(NVML_OPS_device) inside RegisterDevice().
#define NVML_EXPORT_OP(js, cls, flags) ExportOp<cls>(env, exports, #js, flags);
#define NVML_REGISTER_OPS(list) list(NVML_EXPORT_OP)

}  // namespace nvmlmig
