// The whole surface of the native addon (native/*.cc). The calls and result types come from
// native/functions.cjs through the generated lib/native.gen.ts; this file adds the lifecycle
// calls and the decoded snapshot. Nothing outside lib/ imports this: the facade (lib/nvml.ts and
// friends) is the API.
//
// Conventions of the raw surface:
// - Handles are numbers: ids in the addon's handle table, never raw pointers. An id carries the
//   init epoch, so an id from before a shutdown, or of a destroyed GI/CI, rejects with
//   code 'ERR_NVML_STALE_HANDLE' instead of reaching the driver.
// - Every call returns a Promise and runs its NVML call on a worker thread. Read-only calls also
//   exist as `<name>Sync` (blocking, for hot polling loops that ask for it explicitly).
// - Failures reject with the NvmlError class handed over by setErrorClass().
// - Mutations on one GPU complete in the order they were issued.
// - The addon validates every argument again (types, ranges) and throws TypeError/RangeError.

import type { NativeOps, RawSnapshot } from './native.gen';

export type * from './native.gen';

export interface RawOpenResult {
  path: string;                                  // what was dlopen'ed
  /** every bound function: the symbol actually resolved (newest version first), or null */
  functions: Record<string, string | null>;
}

export interface NativeBinding extends Omit<NativeOps, 'snapshotJson' | 'snapshotJsonSync'> {
  /** Hands the NvmlError class to native code, once, at module load. */
  setErrorClass(ctor: new (code: string, nvmlReturn: number | null, fn: string | null, message?: string) => Error): void;

  /**
   * dlopen(path, RTLD_NOW|RTLD_LOCAL), resolve every symbol, then nvmlInitWithFlags(flags) on a
   * worker. A load failure rejects with code 'ERR_NVML_LOAD_FAILED' and the dlerror() text.
   * readOnly: every mutating call rejects with 'ERR_NVML_READ_ONLY' before reaching NVML.
   */
  open(path: string, flags: number, readOnly: boolean): Promise<RawOpenResult>;
  /** Waits for calls in flight, then nvmlShutdown; every handle id becomes stale. */
  close(): Promise<void>;
  isOpen(): boolean;
  setReadOnly(readOnly: boolean): void;
  /** Function name → resolved symbol or null; {} before open. No NVML call. */
  functions(): Record<string, string | null>;
  /** nvmlErrorString when loaded, else the built-in text; never throws. */
  errorString(nvmlReturn: number): string;
  /** Number of calls queued or running (used by tests of shutdown). */
  pendingCalls(): number;

  // ---- monitoring: every GPU and MIG device in one worker trip ----
  /**
   * The addon answers as JSON (snapshotJson); lib/binding.ts builds these objects from it.
   * parallelGpus (1-64, default 1): how many GPUs are read at once, one thread each.
   */
  snapshot(parallelGpus?: number): Promise<RawSnapshot>;
  snapshotSync(parallelGpus?: number): RawSnapshot;
}
