#include "async.h"

#include <mutex>
#include <new>
#include <shared_mutex>

namespace nvmlmig {

Addon& GetAddon(Napi::Env env) { return *env.GetInstanceData<Addon>(); }

namespace {

// Worker-side part shared by the Promise form and the Sync twin.
void ExecuteOp(Op& op) {
  try {
    std::unique_lock<std::shared_mutex> exclusive;
    std::shared_lock<std::shared_mutex> shared;
    if (op.sync) {
      if (op.exclusive)
        exclusive = std::unique_lock<std::shared_mutex>(op.sync->rw);
      else
        shared = std::shared_lock<std::shared_mutex>(op.sync->rw);
    }
    for (int i = 0; i < op.nrefs; i++) {
      if (!op.addon->handles.Alive(op.refs[i].r)) {
        op.fail = LibraryFailure(kErrStaleHandle, std::string(op.refs[i].name) + " handle " +
                                                      std::to_string(op.refs[i].id) +
                                                      " was invalidated before the call ran");
        return;
      }
    }
    op.Run();
  } catch (const std::bad_alloc&) {
    op.fail = NvmlFailure(&op.addon->lib, NVML_ERROR_MEMORY, "nvml-mig");
  } catch (const std::exception& e) {
    op.fail = LibraryFailure("ERR_NVML_INTERNAL", e.what());
  }
}

// Admission on the JS thread. False with op.fail set: the call rejects without running.
// keep: the Promise form, which must keep the GPU's GpuSync alive while it is queued.
bool Admit(Napi::Env env, Op& op, bool keep) {
  Addon& a = GetAddon(env);
  op.addon = &a;
  if (a.phase != Phase::kOpen) {
    op.fail = LibraryFailure(kErrNotInitialized, a.phase == Phase::kClosing
                                                     ? "NVML is shutting down (close() in progress)"
                                                     : "NVML is not initialized (open() first)");
    return false;
  }
  if (op.mutating && a.readOnly) {
    op.fail = LibraryFailure(kErrReadOnly, "read-only mode: mutating NVML calls are disabled");
    return false;
  }
  for (int i = 0; i < op.nrefs; i++) {
    Ref& ref = op.refs[i];
    Kind actual = kDevice;
    switch (a.handles.Resolve(ref.id, ref.want, &ref.r, &actual, keep && i == 0 ? &op.keepSync : nullptr)) {
      case HandleTable::Lookup::kOk:
        break;
      case HandleTable::Lookup::kWrongKind:
        throw Napi::TypeError::New(env, std::string(ref.name) + " must be a " + KindName(ref.want) +
                                            " handle, got a " + KindName(actual) + " handle");
      case HandleTable::Lookup::kStale:
        op.fail = LibraryFailure(kErrStaleHandle, std::string(ref.name) + " handle " + std::to_string(ref.id) +
                                                      " is stale (destroyed, reconfigured, or from before close())");
        return false;
    }
  }
  if (op.nrefs > 0) op.sync = op.refs[0].r.sync;
  return true;
}

Napi::Value Settle(Napi::Env env, Op& op, Napi::Promise::Deferred* deferred) {
  op.Commit(env);
  if (op.fail.failed) {
    Napi::Value err = MakeError(env, op.fail);
    if (deferred) deferred->Reject(err);
    return err;
  }
  Napi::Value v = op.Build(env);
  if (deferred) deferred->Resolve(v);
  return v;
}

class OpWorker : public Napi::AsyncWorker {
 public:
  OpWorker(Napi::Env env, std::unique_ptr<Op> op, Napi::Promise::Deferred deferred, bool counted)
      : Napi::AsyncWorker(env, "nvml-mig"), op_(std::move(op)), deferred_(deferred), counted_(counted) {}

  Op& op() { return *op_; }
  void Execute() override { ExecuteOp(*op_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    try {
      Settle(env, *op_, &deferred_);
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(Napi::Error::New(env, e.what()).Value());
    }
    if (op_->mutating && op_->sync) {
      GpuSync& g = *op_->sync;
      if (g.fifo.empty()) {
        g.busy = false;
      } else {
        Napi::AsyncWorker* next = g.fifo.front();
        g.fifo.pop_front();
        next->Queue();
      }
    }
    if (counted_) {
      op_->addon->pending--;
      MaybeShutdown(env);
    }
  }

 private:
  std::unique_ptr<Op> op_;
  Napi::Promise::Deferred deferred_;
  bool counted_;
};

}  // namespace

Napi::Value Submit(Napi::Env env, std::unique_ptr<Op> op) {
  // Admit first: it throws TypeError for a wrong-kind handle, and a deferred made before that
  // would never settle (its persistent handle, and the promise, would leak).
  bool admitted = Admit(env, *op, true);
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  if (!admitted) {
    deferred.Reject(MakeError(env, op->fail));
    return deferred.Promise();
  }
  Addon& a = *op->addon;
  bool ordered = op->mutating && op->sync;
  GpuSync* sync = op->sync;
  auto* worker = new OpWorker(env, std::move(op), deferred, true);
  a.pending++;
  if (ordered && sync->busy) {
    sync->fifo.push_back(worker);
  } else {
    if (ordered) sync->busy = true;
    worker->Queue();
  }
  return deferred.Promise();
}

Napi::Value RunSync(Napi::Env env, Op& op) {
  if (!Admit(env, op, false)) throw Napi::Error(env, MakeError(env, op.fail));
  ExecuteOp(op);
  Napi::Value v = Settle(env, op, nullptr);
  if (op.fail.failed) throw Napi::Error(env, v);
  return v;
}

Napi::Promise QueueLifecycle(Napi::Env env, std::unique_ptr<Op> op) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  op->addon = &GetAddon(env);
  auto* worker = new OpWorker(env, std::move(op), deferred, false);
  worker->Queue();
  return deferred.Promise();
}

}  // namespace nvmlmig
