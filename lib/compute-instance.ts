// A compute instance (CI) inside a GPU instance; each CI is one MIG device.

import type { ComputeInstanceHandle, NativeBinding } from './native';
import type { ComputeInstanceInfo, Placement } from './types';
import type { GpuInstance } from './gpu-instance';
import { LIBRARY_ERROR_CODES, libraryError } from './errors';
import { MigDevice } from './mig-device';
import { call, mutation } from './facade-call';

/**
 * A compute instance (CI) inside a {@link GpuInstance}; each one is a MIG device.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * const [ci] = await gi.computeInstances();
 * console.log(ci.id, ci.profileId, ci.placement, await (await ci.migDevice()).uuid());
 * await nvml.shutdown();
 * ```
 */
export class ComputeInstance {
  readonly gpuInstance: GpuInstance;
  /** The CI id within its GI. */
  readonly id: number;
  /** The compute instance profile ID (equal to its index on every GPU seen so far). */
  readonly profileId: number;
  /** In compute slices, relative to the GI. */
  readonly placement: Placement;
  /** @internal */
  readonly _handle: ComputeInstanceHandle;
  /** @internal set once destroy() succeeded */
  _destroyed = false;

  /** @internal (use gpuInstance.computeInstance() / computeInstances() / createComputeInstance()) */
  constructor(gpuInstance: GpuInstance, handle: ComputeInstanceHandle, id: number, profileId: number, placement: Placement) {
    this.gpuInstance = gpuInstance;
    this._handle = handle;
    this.id = id;
    this.profileId = profileId;
    this.placement = Object.freeze(placement);
  }

  /** @internal the liveness check of every call (see call() in facade-call.ts) */
  _live(): NativeBinding {
    this.gpuInstance._check();
    if (this._destroyed) {
      throw libraryError(LIBRARY_ERROR_CODES.STALE_HANDLE, `compute instance ${this.id} of GPU instance ${this.gpuInstance.id} was destroyed`);
    }
    return this.gpuInstance.device._session.binding;
  }

  /** The driver's answer for this compute instance: id, GPU instance id, profile id, placement. */
  info(): Promise<ComputeInstanceInfo> {
    return call(this, async (b, ci) => {
      const raw = await b.computeInstanceGetInfo(ci);
      return { id: raw.id, gpuInstanceId: this.gpuInstance.id, profileId: raw.profileId, placement: { start: raw.placement.start, size: raw.placement.size } };
    });
  }

  /**
   * The MIG device of this CI: the parent GPU's MIG device with this GI id and CI id (NVML's CI info
   * names the parent GPU, not the MIG device). ERR_NVML_STALE_HANDLE if the GPU lists none (destroyed by another client).
   */
  migDevice(): Promise<MigDevice> {
    return call(this, async () => {
      for (const mig of await this.gpuInstance.device.migDevices()) {
        if ((await mig.gpuInstanceId()) === this.gpuInstance.id && (await mig.computeInstanceId()) === this.id) return mig;
      }
      throw libraryError(LIBRARY_ERROR_CODES.STALE_HANDLE, `compute instance ${this.id} of GPU instance ${this.gpuInstance.id} has no MIG device (destroyed?)`);
    });
  }

  /** Destroys this CI. NVML_ERROR_IN_USE while processes run on it. */
  destroy(): Promise<void> {
    return mutation(this, async (b, ci) => {
      this.gpuInstance.device._session.checkWritable('ComputeInstance.destroy');
      await b.computeInstanceDestroy(ci);
      this._destroyed = true;
    });
  }
}
