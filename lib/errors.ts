// The one error class of the package. Native code receives it once (binding.setErrorClass) and
// rejects with it; the facade throws it for library states NVML itself has no code for.
import { RETURN_CODE_TABLE } from './return-codes';

/**
 * nvmlReturn_t values and their enum names (the one return-code table, native/return_codes.json).
 *
 * @example
 * ```ts
 * import { NVML_RETURN_CODES } from 'nvml-mig';
 *
 * console.log(NVML_RETURN_CODES[19]); // 'NVML_ERROR_IN_USE'
 * ```
 */
export const NVML_RETURN_CODES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(RETURN_CODE_TABLE.map((e) => [e.value, e.name])),
);

/**
 * Codes of library states that are not NVML return values (nvmlReturn is null for these).
 *
 * @example
 * ```ts
 * import { init, isNvmlError, LIBRARY_ERROR_CODES } from 'nvml-mig';
 *
 * const nvml = await init({ readOnly: true });
 * const gpu = await nvml.device(0);
 * await gpu.setMigMode(true).catch((e) => console.log(isNvmlError(e, LIBRARY_ERROR_CODES.READ_ONLY)));
 * await nvml.shutdown();
 * ```
 */
export const LIBRARY_ERROR_CODES = Object.freeze({
  /** libnvidia-ml.so.1 (or the native addon) could not be loaded. */
  LOAD_FAILED: 'ERR_NVML_LOAD_FAILED',
  /** Used before init() or after the last shutdown(). */
  NOT_INITIALIZED: 'ERR_NVML_NOT_INITIALIZED',
  /** init() asked for another library path or read-only setting while NVML is open. */
  ALREADY_LOADED: 'ERR_NVML_ALREADY_LOADED',
  /** A mutating call while the read-only interlock is on. */
  READ_ONLY: 'ERR_NVML_READ_ONLY',
  /** A destroyed GPU/compute instance, or an object from before a shutdown. */
  STALE_HANDLE: 'ERR_NVML_STALE_HANDLE',
  /** The mock library's control channel answered {ok:false}. */
  MOCK_CONTROL: 'ERR_NVML_MOCK_CONTROL',
});

/**
 * The enum name of an nvmlReturn_t value; unknown numbers get 'NVML_ERROR_UNKNOWN_<n>' (as native code names them).
 *
 * @example
 * ```ts
 * import { nvmlReturnName } from 'nvml-mig';
 *
 * nvmlReturnName(23); // 'NVML_ERROR_INSUFFICIENT_RESOURCES'
 * ```
 */
export function nvmlReturnName(nvmlReturn: number): string {
  return NVML_RETURN_CODES[nvmlReturn] ?? `NVML_ERROR_UNKNOWN_${nvmlReturn}`;
}

const TEXT_BY_NAME: ReadonlyMap<string, string> = new Map(RETURN_CODE_TABLE.map((e) => [e.name, e.text]));

/** nvmlErrorString's text for an NVML code name ('NVML_ERROR_IN_USE' → 'In use by another client'); undefined for other codes. */
export function nvmlReturnText(code: string): string | undefined {
  return TEXT_BY_NAME.get(code);
}

/**
 * The one error class of the package: `code` (the NVML enum name, or a library code such as `ERR_NVML_READ_ONLY`), `nvmlReturn` (NVML's number, null for library codes), `fn` (the NVML function) and the caller's stack.
 *
 * @example
 * ```ts
 * import { init, NvmlError } from 'nvml-mig';
 *
 * const nvml = await init();
 * try {
 *   await (await nvml.device(0)).createGpuInstance(0); // a 7-slice instance on a GPU that has others
 * } catch (e) {
 *   if (!(e instanceof NvmlError)) throw e;
 *   console.log(e.code, e.nvmlReturn, e.fn); // NVML_ERROR_INSUFFICIENT_RESOURCES 23 nvmlDeviceCreateGpuInstance
 * }
 * await nvml.shutdown();
 * ```
 */
export class NvmlError extends Error {
  /** 'NVML_ERROR_IN_USE', ... or one of LIBRARY_ERROR_CODES. */
  readonly code: string;
  /** NVML's number; null for library codes. */
  readonly nvmlReturn: number | null;
  /** The NVML function that failed, e.g. 'nvmlGpuInstanceDestroy'; null when none was called. */
  readonly fn: string | null;

  constructor(code: string, nvmlReturn: number | null = null, fn: string | null = null, message?: string) {
    super(message ?? (fn ? `${fn}: ${code}` : code));
    this.code = code;
    this.nvmlReturn = nvmlReturn;
    this.fn = fn;
  }
}
// On the prototype, not per instance: keeps `name` out of the own enumerable properties.
Object.defineProperty(NvmlError.prototype, 'name', { value: 'NvmlError', writable: true, configurable: true });

/**
 * Whether `e` is an {@link NvmlError}, and when `code` is given, one with that code.
 *
 * @example
 * ```ts
 * import { init, isNvmlError } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * await gi.destroy().catch((e) => {
 *   if (isNvmlError(e, 'NVML_ERROR_IN_USE')) console.log('busy: destroy its compute instances or stop its processes first');
 *   else throw e;
 * });
 * await nvml.shutdown();
 * ```
 */
export function isNvmlError(e: unknown, code?: string): e is NvmlError {
  return e instanceof NvmlError && (code === undefined || e.code === code);
}

/**
 * Synchronous frames captured by {@link withCallerStack}: the facade's own (its method and helper)
 * and the caller's. Capturing costs per frame; the callers further up come from V8's async stack
 * trace when the failure arrives.
 */
const CALL_FRAMES = 4;

/**
 * Runs one operation so that an NvmlError it rejects with carries the caller's stack, captured
 * synchronously when called (one Error.captureStackTrace, a few microseconds: kept for init,
 * shutdown and the calls that change a GPU, whose driver work costs far more; reads use
 * {@link withAwaitingCallers}). Native rejections are created on the JS thread after the worker
 * finished, so their own stack has no user frames; the frames captured here (formatted only if an
 * error happens) are spliced in instead, followed by the awaiting callers seen when the failure
 * arrives. Must be called synchronously at the start of the public method.
 */
export function withCallerStack<T>(body: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  if (limit > CALL_FRAMES) Error.stackTraceLimit = CALL_FRAMES;
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, withCallerStack);
  Error.stackTraceLimit = limit;
  let p: Promise<T>;
  try {
    p = body();
  } catch (e) {
    return Promise.reject(spliceStack(e, site, withCallerStack));
  }
  return p.then(undefined, function onReject(e: unknown): never {
    throw spliceStack(e, site, onReject);
  });
}

function spliceStack(e: unknown, site: { stack?: string }, below: Frame): unknown {
  if (e instanceof NvmlError && site.stack) {
    const frames = frameLines(site.stack);
    for (const line of awaitingCallers(below)) if (!frames.includes(line)) frames.push(line);
    setStack(e, frames);
  }
  return e;
}

/**
 * The rejection handler of a facade read (see call() in facade-call.ts): nothing is captured when
 * the call is made; when it fails, an NvmlError's stack becomes the callers awaiting it at that
 * moment (V8's async stack trace: every async function awaiting the call, directly, through
 * `Promise.all` or through a chain of `.then`), so `await gpu.name()` failing names the line that
 * awaited it. Rethrows `e`.
 */
export function withAwaitingCallers(e: unknown): never {
  if (e instanceof NvmlError) {
    const frames = awaitingCallers(withAwaitingCallers);
    if (frames.length > 0) setStack(e, frames);
  }
  throw e;
}

/** A function on the stack, as Error.captureStackTrace's second argument takes it. */
type Frame = (...args: never[]) => unknown;

/**
 * The frames of the stack at this point, `below` and what it called left out. In a promise
 * reaction (`below` the handler) what remains are the callers awaiting the promise it settles (V8
 * prints them '    at async …'; a source-map formatter may drop the 'async').
 */
function awaitingCallers(below: Frame): string[] {
  const now: { stack?: string } = {};
  Error.captureStackTrace(now, below);
  return frameLines(now.stack ?? '');
}

/** The '    at …' lines of a formatted stack (the header, which may span lines, left out). */
function frameLines(stack: string): string[] {
  return stack.split('\n').filter((line) => /^\s+at /.test(line));
}

function setStack(e: NvmlError, frames: string[]): void {
  Object.defineProperty(e, 'stack', {
    value: `${e.name}: ${e.message}\n${frames.join('\n')}`,
    writable: true,
    configurable: true,
  });
}

/** A library-state error (nvmlReturn and fn null). */
export function libraryError(code: string, message: string): NvmlError {
  return new NvmlError(code, null, null, message);
}
