// A GPU instance (GI): its compute instance profiles, placements and compute instances.

import type { ComputeInstanceHandle, GpuInstanceHandle, NativeBinding, RawComputeInstanceProfileInfo } from './native';
import type { ComputeInstanceProfile, GpuInstanceInfo, GpuInstanceProfile, Placement } from './types';
import type { Device } from './device';
import { memo } from './memo';
import { call, mutation } from './facade-call';
import { LIBRARY_ERROR_CODES, libraryError } from './errors';
import { checkOptionalPlacement, checkOptionalUint32, checkUint32 } from './validate';
import {
  COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
  COMPUTE_INSTANCE_PROFILE_INDEX,
  deriveComputeInstanceProfileName,
  enumerateProfiles,
  instancesOfProfiles,
} from './profiles';
import { shortProfileName } from './profile-name';
import { ComputeInstance } from './compute-instance';
import { checkActivityOptions, measureActivity, type Activity, type ActivityOptions } from './activity';

/** CI profile indices the NVML 13 header defines (0x0..0x8); asked in one batch. */
const CI_PROFILE_INDEX_BATCH = COMPUTE_INSTANCE_PROFILE_INDEX.SLICE_7_NVL + 1;

function toComputeInstanceProfile(raw: RawComputeInstanceProfileInfo, index: number, gi: GpuInstanceProfile): ComputeInstanceProfile {
  const name = raw.name || deriveComputeInstanceProfileName(raw.sliceCount, gi.name);
  return Object.freeze({
    index,
    id: raw.id,
    name,
    shortName: shortProfileName(name),
    structVersion: raw.structVersion,
    sliceCount: raw.sliceCount,
    instanceCount: raw.instanceCount,
    multiprocessorCount: raw.multiprocessorCount,
    sharedCopyEngineCount: raw.sharedCopyEngineCount,
    sharedDecoderCount: raw.sharedDecoderCount,
    sharedEncoderCount: raw.sharedEncoderCount,
    sharedJpegCount: raw.sharedJpegCount,
    sharedOfaCount: raw.sharedOfaCount,
    capabilities: raw.capabilities,
    isDefault: raw.sliceCount === gi.sliceCount,
  });
}

/**
 * A GPU instance (GI) on a {@link Device}: its compute instance profiles, placements and compute instances.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const gpu = await nvml.device(0);
 * const gi = await gpu.createGpuInstance((await gpu.gpuInstanceProfile(0)).id);
 * const [ciProfile] = await gi.computeInstanceProfiles();
 * const ci = await gi.createComputeInstance(ciProfile.id);
 * await ci.destroy();
 * await gi.destroy(); // NVML_ERROR_IN_USE while compute instances or processes remain
 * await nvml.shutdown();
 * ```
 */
export class GpuInstance {
  readonly device: Device;
  /** The GI id (what nvidia-smi shows as GI ID). */
  readonly id: number;
  /** The GPU instance profile ID (not index). */
  readonly profileId: number;
  readonly placement: Placement;
  /** @internal */
  readonly _handle: GpuInstanceHandle;
  /** @internal set once destroy() succeeded */
  _destroyed = false;

  /** @internal (use device.gpuInstance() / gpuInstances() / createGpuInstance()) */
  constructor(device: Device, handle: GpuInstanceHandle, id: number, profileId: number, placement: Placement) {
    this.device = device;
    this._handle = handle;
    this.id = id;
    this.profileId = profileId;
    this.placement = Object.freeze(placement);
  }

  /** @internal throws ERR_NVML_STALE_HANDLE for a destroyed GI or one from before a shutdown */
  _check(): void {
    this.device._session.check();
    if (this._destroyed) throw libraryError(LIBRARY_ERROR_CODES.STALE_HANDLE, `GPU instance ${this.id} was destroyed`);
  }

  /** @internal the liveness check of every call (see call() in facade-call.ts) */
  _live(): NativeBinding {
    this._check();
    return this.device._session.binding;
  }

  /** The driver's answer for this GPU instance: id, profile id, placement. */
  info(): Promise<GpuInstanceInfo> {
    return call(this, async (b, gi) => {
      const raw = await b.gpuInstanceGetInfo(gi);
      return { id: raw.id, profileId: raw.profileId, placement: { start: raw.placement.start, size: raw.placement.size } };
    });
  }

  /**
   * This GPU instance's activity (GPM metrics through nvmlGpmMigSampleGet) over `intervalMs`
   * (default 1000, at least 100), as fractions of this instance's own resources (a saturated
   * instance reads 100 whatever its size). NOT_SUPPORTED before Hopper.
   */
  activity(options?: ActivityOptions): Promise<Activity> {
    return call(this, async (b) => {
      const o = checkActivityOptions(options);
      return measureActivity(b, async (s) => {
        this._check();  // destroyed through this object meanwhile: stale, and the samples are freed
        await b.gpmMigSampleGet(this.device._handle, this.id, s);
      }, o);
    });
  }

  /** The GPU instance profile of this GI. */
  profile(): Promise<GpuInstanceProfile> {
    return call(this, () => this.device._profileById(this.profileId));
  }

  private async fetchCiProfile(index: number): Promise<ComputeInstanceProfile> {
    const [raw, gi] = await Promise.all([
      this.device._session.binding.gpuInstanceGetComputeInstanceProfileInfo(this._handle, index, COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, 0),
      this.device._profileById(this.profileId),
    ]);
    return toComputeInstanceProfile(raw, index, gi);
  }

  /** The compute instance profile at CI profile INDEX (shared engine profile); NOT_SUPPORTED if this GI lacks it. */
  computeInstanceProfile(index: number): Promise<ComputeInstanceProfile> {
    return call(this, () => this.fetchCiProfile(checkUint32('index', index)));
  }

  /** The cached list of every CI profile of this GI's profile. */
  private ciProfiles(): Promise<ComputeInstanceProfile[]> {
    return memo(this.device._cache.ciProfiles, this.profileId, () => enumerateProfiles(CI_PROFILE_INDEX_BATCH, (i) => this.fetchCiProfile(i)));
  }

  /** Every CI profile this GI supports, in index order (cached per GI profile until the MIG mode changes). */
  computeInstanceProfiles(): Promise<ComputeInstanceProfile[]> {
    return call(this, async () => [...(await this.ciProfiles())]);
  }

  /** Placements of a CI profile, in compute slices relative to this GI. */
  computeInstancePlacements(profileId: number): Promise<Placement[]> {
    return call(this, async (b, gi) => {
      const raw = await b.gpuInstanceGetComputeInstancePossiblePlacements(gi, checkUint32('profileId', profileId));
      return raw.map((p) => ({ start: p.start, size: p.size }));
    });
  }

  /** How many more compute instances of a CI profile id fit in this GPU instance. */
  computeInstanceRemainingCapacity(profileId: number): Promise<number> {
    return call(this, (b, gi) => b.gpuInstanceGetComputeInstanceRemainingCapacity(gi, checkUint32('profileId', profileId)));
  }

  /** @internal wraps a CI handle, reading its id, profile id and placement */
  async _computeInstanceOf(ci: ComputeInstanceHandle): Promise<ComputeInstance> {
    const info = await this.device._session.binding.computeInstanceGetInfo(ci);
    return new ComputeInstance(this, ci, info.id, info.profileId, { start: info.placement.start, size: info.placement.size });
  }

  /** Creates a compute instance: driver-placed, or at `placement` (compute slices within this GI). */
  createComputeInstance(profileId: number, placement?: Placement): Promise<ComputeInstance> {
    return mutation(this, async (b, gi) => {
      const id = checkUint32('profileId', profileId);
      const at = checkOptionalPlacement('placement', placement);
      this.device._session.checkWritable('createComputeInstance');
      return this._computeInstanceOf(await b.gpuInstanceCreateComputeInstance(gi, id, at));
    });
  }

  /** The compute instances of one CI profile, or of every profile when omitted; sorted by CI id. */
  computeInstances(profileId?: number): Promise<ComputeInstance[]> {
    return call(this, async (b, gi) => {
      const only = checkOptionalUint32('profileId', profileId);
      const ids = only !== undefined ? [only] : (await this.ciProfiles()).map((p) => p.id);
      return instancesOfProfiles(ids, (id) => b.gpuInstanceGetComputeInstances(gi, id), (ci) => this._computeInstanceOf(ci));
    });
  }

  /** The compute instance with CI id `id` in this GI; NVML_ERROR_NOT_FOUND if there is none. */
  computeInstance(id: number): Promise<ComputeInstance> {
    return call(this, async (b, gi) => this._computeInstanceOf(await b.gpuInstanceGetComputeInstanceById(gi, checkUint32('id', id))));
  }

  /** Destroys this GI. NVML_ERROR_IN_USE while it has compute instances or processes. */
  destroy(): Promise<void> {
    return mutation(this, async (b, gi) => {
      this.device._session.checkWritable('GpuInstance.destroy');
      await b.gpuInstanceDestroy(gi);
      this._destroyed = true;
    });
  }
}
