// init()/shutdown() and the Nvml object: one open library per process, reference counted.
// The native addon is loaded on the first init(), so requiring the package needs no driver.

import type { NativeBinding } from './native';
import type { FunctionTable, InitOptions } from './types';
import { LIBRARY_ERROR_CODES, NvmlError, libraryError, withCallerStack } from './errors';
import { loadBinding } from './binding';
import { checkInitOptions, checkObject, checkString, checkUint32 } from './validate';
import type { Device } from './device';
import { MigDevice } from './mig-device';
import { Session } from './session';
import { call, mutation } from './facade-call';

// Node >= 20.4 defines Symbol.asyncDispose (as Symbol.for('nodejs.asyncDispose')); older 20.x lack it.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('nodejs.asyncDispose');

const DEFAULT_LIBRARY = 'libnvidia-ml.so.1';

/**
 * The opened NVML library, from {@link init}: versions, devices, the function table, shutdown.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * for (const gpu of await nvml.devices()) console.log(gpu.index, await gpu.name(), await gpu.migMode());
 * console.log(nvml.hasFunction('nvmlDeviceCreateGpuInstanceWithPlacement'));
 * await nvml.shutdown();
 * ```
 */
export class Nvml {
  /** @internal */
  readonly _session: Session;

  /** @internal (use init()) */
  constructor(session: Session) {
    this._session = session;
  }

  /** The library that was loaded. */
  get libraryPath(): string {
    return this._session.libraryPath;
  }

  get readOnly(): boolean {
    return this._session.readOnly;
  }

  /** @internal the liveness check of every call (see call() in facade-call.ts) */
  _live(): NativeBinding {
    this._session.check(LIBRARY_ERROR_CODES.NOT_INITIALIZED);
    return this._session.binding;
  }

  /** @internal */
  readonly _handle = null;

  /** Which bound NVML functions the loaded library has: name → resolved symbol (e.g. "..._v2") or null. */
  functions(): FunctionTable {
    this._session.check(LIBRARY_ERROR_CODES.NOT_INITIALIZED);
    return { ...this._session.binding.functions() };
  }

  /** True if the library resolved `name` (a bound name such as 'nvmlDeviceGetMigMode', or a versioned symbol). */
  hasFunction(name: string): boolean {
    checkString('name', name);
    const table = this.functions();
    if (table[name] != null) return true;
    return Object.values(table).includes(name);
  }

  /** The driver version, e.g. "580.159.04". */
  driverVersion(): Promise<string> {
    return call(this, (b) => b.systemGetDriverVersion());
  }

  /** The NVML library version, e.g. "13.580.159.04". */
  nvmlVersion(): Promise<string> {
    return call(this, (b) => b.systemGetNvmlVersion());
  }

  /** The CUDA driver version as one number, e.g. 13000 for CUDA 13.0. */
  cudaDriverVersion(): Promise<number> {
    return call(this, (b) => b.systemGetCudaDriverVersion());
  }

  /** How many GPUs NVML sees (MIG devices are not counted). */
  deviceCount(): Promise<number> {
    return call(this, (b) => b.deviceGetCount());
  }

  /** The GPU at an index, in NVML's order (0-based). */
  device(index: number): Promise<Device> {
    return call(this, async () => this._session.device(checkUint32('index', index)));
  }

  /** Every GPU, in index order. */
  devices(): Promise<Device[]> {
    return call(this, async (b) => {
      const n = await b.deviceGetCount();
      return Promise.all(Array.from({ length: n }, (_, i) => this._session.device(i)));
    });
  }

  /** "GPU-..." → Device; "MIG-..." (either UUID format) → MigDevice (its index is -1: not known from a UUID). */
  deviceByUuid(uuid: string): Promise<Device | MigDevice> {
    return call(this, async (b) => {
      const handle = await b.deviceGetHandleByUuid(checkString('uuid', uuid));
      if (!(await b.deviceIsMigDeviceHandle(handle))) return this._session.deviceOfHandle(handle);
      const parent = await this._session.deviceOfHandle(await b.deviceGetDeviceHandleFromMigDeviceHandle(handle));
      return new MigDevice(parent, -1, handle);
    });
  }

  /** The GPU with a PCI bus id such as "00000000:07:00.0". */
  deviceByPciBusId(busId: string): Promise<Device> {
    return call(this, async (b) => this._session.deviceOfHandle(await b.deviceGetHandleByPciBusId(checkString('busId', busId))));
  }

  /**
   * The JSON control channel of the bundled mock library. Resolves with the parsed response;
   * rejects ERR_NVML_MOCK_CONTROL when the mock answers {ok:false}, and
   * NVML_ERROR_FUNCTION_NOT_FOUND on a real driver. Any request other than a read ('state',
   * 'callLog', 'clearCallLog') may change the simulated hardware, so cached static answers are dropped.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the response's fields depend on the command sent
  mockControl(request: object): Promise<any> {
    return mutation(this, async (b) => {
      const json = JSON.stringify(checkObject('request', request));
      const cmd = (request as { cmd?: unknown }).cmd;
      let response: { ok?: unknown; error?: unknown } | null;
      try {
        response = JSON.parse(await b.mockControl(json));
      } finally {
        if (cmd !== 'state' && cmd !== 'callLog' && cmd !== 'clearCallLog') this._session.invalidate();
      }
      if (!response || response.ok !== true) {
        const why = response && typeof response.error === 'string' ? response.error : JSON.stringify(response);
        throw new NvmlError(LIBRARY_ERROR_CODES.MOCK_CONTROL, null, 'nvmlMockControl', `mock control ${JSON.stringify(cmd)} failed: ${why}`);
      }
      return response;
    });
  }

  /** Gives back one init(); the last one closes the library after the calls in flight finished. */
  shutdown(): Promise<void> {
    return withCallerStack(async () => {
      const s = this._session;
      s.check(LIBRARY_ERROR_CODES.NOT_INITIALIZED);
      if (!current || current.session !== s) throw libraryError(LIBRARY_ERROR_CODES.NOT_INITIALIZED, 'NVML is not initialized');
      if (--current.refs > 0) return;
      s.open = false;
      s.invalidate();
      current = null;
      const done = s.binding.close();
      const settled = done.then(
        () => undefined,
        () => undefined,
      );
      closing = settled;
      void settled.then(() => {
        if (closing === settled) closing = null;
      });
      await done;
    });
  }

  /** The same as {@link Nvml.shutdown}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

interface Opening {
  libraryPath: string;
  readOnly: boolean;
  refs: number;
  ready: Promise<Session>;
}

let native: NativeBinding | undefined;
/** The open library, or the one being opened. */
let current: { session: Session; refs: number; libraryPath: string; readOnly: boolean } | null = null;
let opening: Opening | null = null;
/** The close in progress; init() waits for it before opening again. */
let closing: Promise<void> | null = null;

function loadNative(): NativeBinding {
  if (native) return native;
  let b: NativeBinding;
  try {
    // Loaded here, not at require time, so that a missing addon fails init() only.
    b = loadBinding();
  } catch (e) {
    const err = new NvmlError(LIBRARY_ERROR_CODES.LOAD_FAILED, null, null, `the nvml-mig native addon could not be loaded: ${(e as Error)?.message ?? e}`);
    (err as Error & { cause?: unknown }).cause = e;
    throw err;
  }
  b.setErrorClass(NvmlError);
  native = b;
  return b;
}

function mismatch(what: string, asked: unknown, open: unknown): NvmlError {
  return libraryError(
    LIBRARY_ERROR_CODES.ALREADY_LOADED,
    `init(): NVML is already open with ${what} ${JSON.stringify(open)}; this call asked for ${JSON.stringify(asked)} (shut every init() down first)`,
  );
}

/**
 * Opens NVML (the first call) or takes one more reference on the open library (later calls).
 * Path: options.libraryPath ?? env NVML_LIBRARY_PATH ?? 'libnvidia-ml.so.1'. Read-only:
 * options.readOnly ?? env NVML_MIG_READONLY === '1'. A later call that names another libraryPath
 * or readOnly than the open library has rejects ERR_NVML_ALREADY_LOADED.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init({ readOnly: true }); // the system's libnvidia-ml.so.1
 * try {
 *   console.log(await nvml.driverVersion(), await nvml.deviceCount());
 * } finally {
 *   await nvml.shutdown(); // one shutdown() per init()
 * }
 * ```
 */
export function init(options?: InitOptions): Promise<Nvml> {
  return withCallerStack(async () => {
    const opts = checkInitOptions(options);
    while (closing) await closing;
    const open = current ?? opening;
    if (open) {
      if (opts.libraryPath !== undefined && opts.libraryPath !== open.libraryPath) throw mismatch('libraryPath', opts.libraryPath, open.libraryPath);
      if (opts.readOnly !== undefined && opts.readOnly !== open.readOnly) throw mismatch('readOnly', opts.readOnly, open.readOnly);
      if (current) {
        current.refs++;
        return current.session.nvml;
      }
      const o = opening as Opening;
      o.refs++;
      return (await o.ready).nvml;
    }
    const libraryPath = opts.libraryPath ?? (process.env.NVML_LIBRARY_PATH || DEFAULT_LIBRARY);
    const readOnly = opts.readOnly ?? process.env.NVML_MIG_READONLY === '1';
    const b = loadNative();
    const o: Opening = {
      libraryPath,
      readOnly,
      refs: 1,
      ready: b.open(libraryPath, opts.flags ?? 0, readOnly).then((r) => {
        const session = new Session(b, r.path, readOnly);
        session.nvml = new Nvml(session);
        return session;
      }),
    };
    opening = o;
    try {
      const session = await o.ready;
      current = { session, refs: o.refs, libraryPath, readOnly };
      return session.nvml;
    } finally {
      if (opening === o) opening = null;
    }
  });
}
