// The one wrapper of every public facade call (Nvml, Device, GpuInstance, ComputeInstance, MigDevice).

import type { NativeBinding } from './native';
import { withCallerStack } from './errors';

/** An object of the facade: `_live()` throws unless it may still be used, else gives the binding. */
export interface FacadeObject<H> {
  _live(): NativeBinding;
  readonly _handle: H;
}

/**
 * The one wrapper of every public facade call: the object's liveness check, then `body` with the
 * binding and the object's handle; a failure (thrown or rejected) carries the caller's stack.
 * Must be called synchronously at the start of the public method.
 */
export function call<H, T>(obj: FacadeObject<H>, body: (b: NativeBinding, h: H) => Promise<T>): Promise<T> {
  return withCallerStack(async () => body(obj._live(), obj._handle));
}
