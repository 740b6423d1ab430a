// The two wrappers of every public facade call (Nvml, Device, GpuInstance, ComputeInstance, MigDevice).

import type { NativeBinding } from './native';
import { NvmlError, withAwaitingCallers, withCallerStack } from './errors';

/** An object of the facade: `_live()` throws unless it may still be used, else gives the binding. */
export interface FacadeObject<H> {
  _live(): NativeBinding;
  readonly _handle: H;
}

/**
 * The wrapper of every facade read: the object's liveness check, then `body` with the binding and
 * the object's handle. Per call it adds one `.then` to the promise `body` returns and captures no
 * stack (a capture cost more than the whole round trip of a cheap read); a failure carries the
 * callers awaiting the call ({@link withAwaitingCallers}), an error thrown synchronously (stale
 * object, bad argument) its own stack from the public method down. Must be called synchronously
 * at the start of the public method.
 */
export function call<H, T>(obj: FacadeObject<H>, body: (b: NativeBinding, h: H) => Promise<T>): Promise<T> {
  let p: Promise<T>;
  try {
    p = body(obj._live(), obj._handle);
  } catch (e) {
    // Only on failure: the stack starts at the public method that called call().
    if (e instanceof NvmlError) Error.captureStackTrace(e, call);
    return Promise.reject(e);
  }
  return p.then(undefined, withAwaitingCallers);
}

/**
 * The wrapper of the facade calls that change a GPU (create, destroy, setMigMode): as {@link call},
 * and the caller's synchronous frames are captured when called ({@link withCallerStack}), so a
 * failure also names a caller that returns the promise without awaiting it. The capture costs a
 * few microseconds; the driver's work for these calls costs milliseconds.
 */
export function mutation<H, T>(obj: FacadeObject<H>, body: (b: NativeBinding, h: H) => Promise<T>): Promise<T> {
  return withCallerStack(() => body(obj._live(), obj._handle));
}
