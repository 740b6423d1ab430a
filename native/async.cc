#include "async.h"

#include <uv.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <thread>
#include <utility>

namespace nvmlmig {

Addon& GetAddon(Napi::Env env) { return *env.GetInstanceData<Addon>(); }

namespace {

// A read queued on the call threads.
struct Call {
  std::unique_ptr<Op> op;
  Napi::Promise::Deferred deferred;
  bool retry = false;  // the GPU's lock was taken: run it on libuv's pool instead
};

// Worker-side part shared by the Promise form and the Sync twin. tryLock (call threads): false
// without running when the GPU's lock is taken (a mutation in progress); the caller moves the op
// to libuv's pool, where it waits for the lock.
bool ExecuteOp(Op& op, bool tryLock = false) {
  try {
    std::unique_lock<std::shared_mutex> exclusive;
    std::shared_lock<std::shared_mutex> shared, second;
    if (op.sync) {
      if (op.exclusive) {
        exclusive = std::unique_lock<std::shared_mutex>(op.sync->rw);
      } else if (tryLock) {
        shared = std::shared_lock<std::shared_mutex>(op.sync->rw, std::try_to_lock);
        if (!shared.owns_lock()) return false;
      } else {
        shared = std::shared_lock<std::shared_mutex>(op.sync->rw);
      }
    }
    GpuSync* other = op.lockSecond && op.nrefs > 1 ? op.refs[1].r.sync : nullptr;
    if (other && other != op.sync) {
      if (tryLock) {
        second = std::shared_lock<std::shared_mutex>(other->rw, std::try_to_lock);
        if (!second.owns_lock()) return false;
      } else {
        second = std::shared_lock<std::shared_mutex>(other->rw);
      }
    }
    for (int i = 0; i < op.nrefs; i++) {
      if (!op.addon->handles.Alive(op.refs[i].r)) {
        op.fail =
            LibraryFailure(kErrStaleHandle, std::string(op.refs[i].name) + " handle " + std::to_string(op.refs[i].id) +
                                                " was invalidated before the call ran");
        return true;
      }
    }
    op.Run();
  } catch (const std::bad_alloc&) {
    op.fail = NvmlFailure(&op.addon->lib, NVML_ERROR_MEMORY, "nvml-mig");
  } catch (const std::exception& e) {
    op.fail = LibraryFailure("ERR_NVML_INTERNAL", e.what());
  }
  return true;
}

// Admission on the JS thread. False with op.fail set: the call rejects without running.
// keep: the Promise form, which must keep the GPU's GpuSync alive while it is queued.
bool Admit(Napi::Env env, Op& op, bool keep) {
  Addon& a = GetAddon(env);
  op.addon = &a;
  if (a.phase != Phase::kOpen) {
    op.fail =
        LibraryFailure(kErrNotInitialized, a.phase == Phase::kClosing ? "NVML is shutting down (close() in progress)"
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
    switch (a.handles.Resolve(ref.id, ref.want, &ref.r, &actual,
                              !keep           ? nullptr
                              : i == 0        ? &op.keepSync
                              : op.lockSecond ? &op.keepSecondSync
                                              : nullptr)) {
      case HandleTable::Lookup::kOk: break;
      case HandleTable::Lookup::kWrongKind:
        throw Napi::TypeError::New(env, std::string(ref.name) + " must be a " + KindName(ref.want) + " handle, got a " +
                                            KindName(actual) + " handle");
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

// Settles the call's promise; never throws.
void SettleGuarded(Napi::Env env, Op& op, Napi::Promise::Deferred& deferred) {
  try {
    Settle(env, op, &deferred);
  } catch (const Napi::Error& e) {
    deferred.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred.Reject(Napi::Error::New(env, e.what()).Value());
  }
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
    SettleGuarded(env, *op_, deferred_);
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

// The addon's call threads (one set per environment): reads are queued here instead of one
// napi_async_work each, and completed calls are settled on the JS thread in batches, one
// uv_async_t wake-up per batch (at most kMaxBatch calls per turn, so that a long batch cannot stall
// the event loop).
//
// Waking a sleeping thread is what costs on a small machine (the JS thread loses its CPU inside the
// futex wake), so a thread that is awake keeps taking calls without sleeping, and another one is
// woken only when none is awake or every awake one has been inside one call for over kSlowNs (a
// slow driver call: real MIG reads take 0.16-0.46 ms) so that reads still overlap there. While calls
// run, sleeping threads also look every kPollNs for calls stuck behind a slow one.
//
// After its last call, one thread stays awake for up to kDefaultSpinNs (NVML_MIG_SPIN_US overrides
// it; 0 = sleep at once), watching the queue. Measured on a real H200 (driver 580): a promise round
// trip of nvmlDeviceGetName fell from 18 us to 4-5 us (the next call needs no wake-up), and
// nvmlDeviceGetMigMode as a promise from 431 us to 159-164 us, its blocking speed: the driver
// answers MIG reads about 2.7 times slower when the calling thread slept since its previous call.
// 10 us of spin was too short for the MIG read (436 us); 25-200 us all gave the fast speed in one
// sweep, 100-200 us (145 us) better than 50 us (161 us) in another, and a bench run with 50 us got
// the slow speed (376 us) where the machine was slower all round: 200 us leaves room for a JS
// thread that takes long to issue the next call.
//
// The uv_async_t is unref'ed while no call is in flight, so idle threads never keep the process
// alive. Threads start on the first call and are joined at environment cleanup (main thread or
// worker_threads).
class Dispatcher {
 public:
  static constexpr size_t kThreads = 4;
  static constexpr size_t kMaxBatch = 64;
  static constexpr uint64_t kSlowNs = 100000;
  static constexpr uint64_t kPollNs = 200000;
  static constexpr uint64_t kDefaultSpinNs = 200000;

  static Dispatcher& Of(Napi::Env env, Addon& a) {
    if (!a.dispatcher) a.dispatcher = new Dispatcher(env);
    return *a.dispatcher;
  }

  // JS thread. Takes ownership of c.
  void Submit(Call* c) {
    if (inflight_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(&async_));
    int wake = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (threads_.empty()) {
        state_.resize(kThreads);
        for (size_t i = 0; i < kThreads; i++) threads_.emplace_back([this, i] { Loop(i); });
      }
      queue_.push_back(c);
      queued_.store(queue_.size(), std::memory_order_release);
      // One wake-up at a time: the woken thread takes every call queued meanwhile.
      if (wakesPending_ == 0 && NeedHelper(NowNs())) {
        if (sleepers_ > 0) {
          wakesPending_++;
          wake = 1;
        } else if (pollers_ > 0) {
          wake = 2;
        }
      }
    }
    if (wake == 1) workCv_.notify_one();
    if (wake == 2) pollCv_.notify_one();
  }

 private:
  struct ThreadState {
    bool awake = true;       // not sleeping: will take queued calls
    bool poller = false;     // sleeping, but looking every kPollNs for calls stuck behind slow ones
    uint64_t busySince = 0;  // start of the current call, 0 between calls
  };

  explicit Dispatcher(Napi::Env env) : env_(env) {
    uv_loop_t* loop = nullptr;
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_uv_event_loop(env, &loop));
    uv_async_init(loop, &async_, OnAsync);
    async_.data = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    napi_add_async_cleanup_hook(env, OnCleanup, this, &cleanup_);
  }

  static uint64_t SpinNsFromEnv() {
    const char* v = std::getenv("NVML_MIG_SPIN_US");
    if (!v || !*v) return kDefaultSpinNs;
    char* end = nullptr;
    unsigned long us = std::strtoul(v, &end, 10);
    return (end && !*end && us <= 10000) ? uint64_t(us) * 1000 : kDefaultSpinNs;
  }

  static uint64_t NowNs() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
  }

  // Under mu_: whether no awake thread will take the next queued call soon.
  bool NeedHelper(uint64_t now) const {
    for (const ThreadState& t : state_)
      if (t.awake && (t.busySince == 0 || now - t.busySince < kSlowNs)) return false;
    return true;
  }

  void Loop(size_t i) {
    ThreadState& me = state_[i];
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (stop_) return;
      if (queue_.empty()) {
        if (Spin(lock)) continue;
        Sleep(me, lock);
        continue;
      }
      Call* c = queue_.front();
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
      running_++;
      me.busySince = NowNs();
      // Calls left behind this one: have a sleeping thread watch whether this one turns out slow.
      bool poll = !queue_.empty() && pollers_ == 0 && !pollRequest_ && sleepers_ > wakesPending_;
      if (poll) pollRequest_ = true;
      lock.unlock();
      if (poll) workCv_.notify_one();
      c->retry = !ExecuteOp(*c->op, true);
      lock.lock();
      me.busySince = 0;
      running_--;
      done_.push_back(c);
      if (!signaled_) {
        signaled_ = true;
        lock.unlock();
        uv_async_send(&async_);
        lock.lock();
      }
    }
  }

  // Under mu_ (released meanwhile): one thread at a time stays awake for up to spinNs_ after its
  // last call, watching the queue. True when a call arrived meanwhile. The thread counts as awake
  // while it spins, so Submit() wakes nobody for a call it will take.
  bool Spin(std::unique_lock<std::mutex>& lock) {
    if (spinNs_ == 0 || spinning_ || stop_) return false;
    spinning_ = true;
    lock.unlock();
    uint64_t until = NowNs() + spinNs_;
    bool got = false;
    for (unsigned n = 0;; n++) {
      if (queued_.load(std::memory_order_acquire) > 0) {
        got = true;
        break;
      }
      if ((n & 15) == 15 && NowNs() >= until) break;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#elif defined(__aarch64__)
      asm volatile("yield");
#endif
    }
    lock.lock();
    spinning_ = false;
    return got || !queue_.empty();
  }

  // Returns when this thread should take queued calls (or stop).
  void Sleep(ThreadState& me, std::unique_lock<std::mutex>& lock) {
    me.awake = false;
    while (!stop_) {
      if (me.poller) {
        if (running_ == 0 || queue_.empty()) {
          me.poller = false;
          pollers_--;
          continue;
        }
        pollCv_.wait_for(lock, std::chrono::nanoseconds(kPollNs));
        if (!stop_ && !queue_.empty() && NeedHelper(NowNs())) {
          me.poller = false;
          pollers_--;
          break;
        }
        continue;
      }
      sleepers_++;
      workCv_.wait(lock);
      sleepers_--;
      if (wakesPending_ > 0) {
        wakesPending_--;
        break;
      }
      if (pollRequest_) {
        pollRequest_ = false;
        me.poller = true;
        pollers_++;
      }
    }
    me.awake = true;
  }

  // JS thread: settle a batch of completed calls in one callback scope (microtasks run once,
  // after the batch).
  static void OnAsync(uv_async_t* handle) {
    auto* d = static_cast<Dispatcher*>(handle->data);
    std::vector<Call*> batch;
    bool more;
    {
      std::lock_guard<std::mutex> lock(d->mu_);
      size_t n = std::min(d->done_.size(), kMaxBatch);
      batch.assign(d->done_.begin(), d->done_.begin() + static_cast<std::ptrdiff_t>(n));
      d->done_.erase(d->done_.begin(), d->done_.begin() + static_cast<std::ptrdiff_t>(n));
      more = !d->done_.empty();
      d->signaled_ = more;
    }
    // A worker thread being terminated cannot run JS any more: N-API calls then fail (and
    // node-addon-api would throw or abort); its calls are dropped, as the environment goes away.
    // Hence the C API here, each step checked.
    if (!batch.empty()) {
      napi_env env = d->env_;
      napi_handle_scope handleScope = nullptr;
      napi_async_context context = nullptr;
      napi_callback_scope callbackScope = nullptr;
      napi_value resource, name;
      if (napi_open_handle_scope(env, &handleScope) == napi_ok && napi_create_object(env, &resource) == napi_ok &&
          napi_create_string_utf8(env, "nvml-mig", NAPI_AUTO_LENGTH, &name) == napi_ok &&
          napi_async_init(env, resource, name, &context) == napi_ok &&
          napi_open_callback_scope(env, resource, context, &callbackScope) == napi_ok) {
        try {
          for (Call*& c : batch) d->Finish(Napi::Env(env), std::exchange(c, nullptr));
        } catch (const std::exception&) {
        }
      }
      for (Call* c : batch) delete c;  // those not finished
      if (callbackScope) napi_close_callback_scope(env, callbackScope);
      if (context) napi_async_destroy(env, context);
      if (handleScope) napi_close_handle_scope(env, handleScope);
    }
    if (more) uv_async_send(&d->async_);
  }

  void Finish(Napi::Env env, Call* c) {
    std::unique_ptr<Call> owned(c);
    if (--inflight_ == 0) uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    if (c->retry) {
      // Its GPU was being mutated: wait for the lock on libuv's pool (still counted as pending).
      (new OpWorker(env, std::move(c->op), c->deferred, true))->Queue();
      return;
    }
    SettleGuarded(env, *c->op, c->deferred);
    Addon* a = c->op->addon;
    a->pending--;
    MaybeShutdown(env);
  }

  // Environment teardown: join the threads (a call in progress finishes its NVML call), drop the
  // calls never settled (nobody can observe them any more), close the handle, then free this.
  static void OnCleanup(napi_async_cleanup_hook_handle, void* arg) {
    auto* d = static_cast<Dispatcher*>(arg);
    {
      std::lock_guard<std::mutex> lock(d->mu_);
      d->stop_ = true;
    }
    d->workCv_.notify_all();
    d->pollCv_.notify_all();
    for (std::thread& t : d->threads_) t.join();
    for (Call* c : d->queue_) delete c;
    for (Call* c : d->done_) delete c;
    d->queue_.clear();
    d->done_.clear();
    uv_close(reinterpret_cast<uv_handle_t*>(&d->async_), [](uv_handle_t* h) {
      auto* self = static_cast<Dispatcher*>(h->data);
      napi_remove_async_cleanup_hook(self->cleanup_);
      delete self;
    });
  }

  napi_env env_;
  uv_async_t async_{};
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
  uint64_t inflight_ = 0;  // JS thread only
  std::mutex mu_;
  std::condition_variable workCv_;  // sleeping threads: take calls
  std::condition_variable pollCv_;  // pollers
  std::deque<Call*> queue_;
  std::deque<Call*> done_;
  std::vector<std::thread> threads_;
  std::vector<ThreadState> state_;
  // How long a call thread stays awake after its last call (NVML_MIG_SPIN_US; 0 = sleep at once).
  uint64_t spinNs_ = SpinNsFromEnv();
  bool spinning_ = false;          // a thread is in Spin() (under mu_)
  std::atomic<size_t> queued_{0};  // queue_.size(), readable without mu_
  size_t sleepers_ = 0;            // threads waiting on workCv_
  size_t pollers_ = 0;             // threads waiting on pollCv_
  size_t running_ = 0;             // threads inside a call
  size_t wakesPending_ = 0;        // sleepers notified to take calls, not yet awake
  bool pollRequest_ = false;       // a sleeper is asked to become a poller
  bool signaled_ = false;          // an uv_async_send is on its way
  bool stop_ = false;
};

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
  a.pending++;
  if (!op->mutating && !op->exclusive && !op->pooled) {
    Dispatcher::Of(env, a).Submit(new Call{std::move(op), deferred});
    return deferred.Promise();
  }
  bool ordered = op->mutating && op->sync;
  GpuSync* sync = op->sync;
  auto* worker = new OpWorker(env, std::move(op), deferred, true);
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
