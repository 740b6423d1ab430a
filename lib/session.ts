// One open library's state: liveness, the read-only interlock, one Device per index, the caches of
// static driver answers.

import type { NativeBinding, DeviceHandle } from './native';
import type { ComputeInstanceProfile, GpuInstanceProfile, Placement } from './types';
import type { Nvml } from './nvml';
import { LIBRARY_ERROR_CODES, libraryError } from './errors';
import { memo } from './memo';
import { Device } from './device';

/** Static driver answers of one GPU, valid until its MIG mode changes or the library closes. */
export interface DeviceCache {
  giProfiles?: Promise<GpuInstanceProfile[]>;
  giProfileById: Map<number, Promise<GpuInstanceProfile>>;
  giPlacements: Map<number, Promise<Placement[]>>;
  /** keyed by the GPU instance profile id the CI profiles belong to */
  ciProfiles: Map<number, Promise<ComputeInstanceProfile[]>>;
}

/**
 * One open library: from the first init() to the shutdown() that brings the count to 0. Objects
 * (Nvml, Device, instances) keep a reference to it and check `open` before every call, so nothing
 * made before a shutdown reaches the driver afterwards (the native epoch check is the second line).
 */
export class Session {
  open = true;
  /** The Nvml object of this session (set once by init(), which makes both). */
  nvml!: Nvml;
  private readonly devices = new Map<number, Promise<Device>>();
  private readonly caches = new Map<number, DeviceCache>();

  constructor(
    readonly binding: NativeBinding,
    readonly libraryPath: string,
    readonly readOnly: boolean,
  ) {}

  /** Throws unless open: NOT_INITIALIZED for the Nvml object itself, STALE_HANDLE for objects made from it. */
  check(staleCode: string = LIBRARY_ERROR_CODES.STALE_HANDLE): void {
    if (this.open) return;
    throw staleCode === LIBRARY_ERROR_CODES.NOT_INITIALIZED
      ? libraryError(staleCode, 'NVML is not initialized: this Nvml was shut down; call init() again')
      : libraryError(staleCode, 'stale object: it was obtained before NVML was shut down');
  }

  /** The interlock, checked in the facade before native code (which checks again). */
  checkWritable(what: string): void {
    if (this.readOnly) {
      throw libraryError(LIBRARY_ERROR_CODES.READ_ONLY, `${what} refused: NVML was opened read-only (readOnly option or NVML_MIG_READONLY=1)`);
    }
  }

  /** The Device of a GPU index, one object per index while the session lasts. */
  device(index: number): Promise<Device> {
    return memo(this.devices, index, async () => new Device(this, index, await this.binding.deviceGetHandleByIndex(index)));
  }

  /** The Device a (non-MIG) handle belongs to, through its index. */
  async deviceOfHandle(handle: DeviceHandle): Promise<Device> {
    return this.device(await this.binding.deviceGetIndex(handle));
  }

  cache(index: number): DeviceCache {
    let c = this.caches.get(index);
    if (!c) {
      c = { giProfileById: new Map(), giPlacements: new Map(), ciProfiles: new Map() };
      this.caches.set(index, c);
    }
    return c;
  }

  invalidate(index?: number): void {
    if (index === undefined) {
      this.caches.clear();
      this.devices.clear();
    } else {
      this.caches.delete(index);
    }
  }
}
