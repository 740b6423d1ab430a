// A physical GPU: identity, memory, processes, MIG mode, GPU instance profiles and instances,
// and the MIG devices under it.

import type { DeviceHandle, GpuInstanceHandle, NativeBinding, RawGpuInstanceProfileInfo, RawPciInfo } from './native';
import type { GpuInstanceProfile, MemoryInfo, MigMode, PciInfo, Placement, ProcessInfo, SetMigModeResult } from './types';
import type { Nvml } from './nvml';
import type { Session, DeviceCache } from './session';
import { call, mutation } from './facade-call';
import { memo } from './memo';
import { NvmlError, isNvmlError, nvmlReturnName } from './errors';
import { checkBoolean, checkOptionalPlacement, checkOptionalUint32, checkUint32 } from './validate';
import {
  deriveGpuInstanceProfileName,
  enumerateProfiles,
  instancesOfProfiles,
  GPU_INSTANCE_PROFILE_INDEX,
} from './profiles';
import { shortProfileName } from './profile-name';
import { GpuInstance } from './gpu-instance';
import { MigDevice } from './mig-device';
import { checkActivityOptions, measureActivity, type Activity, type ActivityOptions } from './activity';

/** NVML field ids answered through nvmlDeviceGetFieldValues. */
const FI_DEV_IS_RESETLESS_MIG_SUPPORTED = 184;
const FI_DEV_IS_MIG_MODE_INDEPENDENT_MIG_QUERY_CAPABLE = 199;
/** Profile indices the NVML 13 header defines (0x0..0x11); asked in one batch. */
const GI_PROFILE_INDEX_BATCH = GPU_INSTANCE_PROFILE_INDEX.SLICE_3_GFX + 1;

function toGpuInstanceProfile(raw: RawGpuInstanceProfileInfo, index: number): GpuInstanceProfile {
  // No driver name (the v1 struct; or an empty one, which the addon already asked v2 for): derive one.
  const name = raw.name || deriveGpuInstanceProfileName(index, raw.sliceCount, raw.memorySizeMB);
  return Object.freeze({
    index,
    id: raw.id,
    name,
    shortName: shortProfileName(name),
    structVersion: raw.structVersion,
    isP2pSupported: raw.isP2pSupported,
    capabilities: raw.capabilities,
    sliceCount: raw.sliceCount,
    instanceCount: raw.instanceCount,
    multiprocessorCount: raw.multiprocessorCount,
    copyEngineCount: raw.copyEngineCount,
    decoderCount: raw.decoderCount,
    encoderCount: raw.encoderCount,
    jpegCount: raw.jpegCount,
    ofaCount: raw.ofaCount,
    memorySizeMB: raw.memorySizeMB,
  });
}

function toPciInfo(raw: RawPciInfo): PciInfo {
  return {
    busId: raw.busId,
    busIdLegacy: raw.busIdLegacy,
    domain: raw.domain,
    bus: raw.bus,
    device: raw.device,
    pciDeviceId: raw.pciDeviceId,
    pciSubSystemId: raw.pciSubSystemId,
  };
}

export function toMigMode(raw: { current: number; pending: number }): MigMode {
  const current = raw.current === 1;
  const pending = raw.pending === 1;
  return { current, pending, changePending: current !== pending };
}

/**
 * A physical GPU: identity, memory, processes, MIG mode, GPU instance profiles, placements and instances, MIG devices.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init();
 * const gpu = await nvml.device(0);
 * const profile = await gpu.gpuInstanceProfile(0);          // by profile INDEX: 0 = 1 slice
 * const [where] = await gpu.gpuInstancePlacements(profile.id); // by profile ID
 * const gi = await gpu.createGpuInstance(profile.id, where);
 * console.log(gi.id, gi.placement, await gpu.gpuInstanceRemainingCapacity(profile.id));
 * await nvml.shutdown();
 * ```
 */
export class Device {
  readonly nvml: Nvml;
  /** The NVML index of this GPU. */
  readonly index: number;
  /** @internal */
  readonly _session: Session;
  /** @internal the native handle id */
  readonly _handle: DeviceHandle;

  /** @internal (use nvml.device()) */
  constructor(session: Session, index: number, handle: DeviceHandle) {
    this._session = session;
    this.nvml = session.nvml;
    this.index = index;
    this._handle = handle;
  }

  /** @internal the liveness check of every call (see call() in facade-call.ts) */
  _live(): NativeBinding {
    this._session.check();
    return this._session.binding;
  }

  /** @internal */
  get _cache(): DeviceCache {
    return this._session.cache(this.index);
  }

  /** The product name, e.g. "NVIDIA H100 80GB HBM3". */
  name(): Promise<string> {
    return call(this, (b, h) => b.deviceGetName(h));
  }

  /** The GPU's UUID, "GPU-...". */
  uuid(): Promise<string> {
    return call(this, (b, h) => b.deviceGetUuid(h));
  }

  /** The PCI identity: bus id, device and subsystem ids. */
  pciInfo(): Promise<PciInfo> {
    return call(this, async (b, h) => toPciInfo(await b.deviceGetPciInfo(h)));
  }

  /** Memory in bytes: total, used and free. */
  memoryInfo(): Promise<MemoryInfo> {
    return call(this, (b, h) => b.deviceGetMemoryInfo(h));
  }

  /** The minor number N of the GPU's /dev/nvidiaN. */
  minorNumber(): Promise<number> {
    return call(this, (b, h) => b.deviceGetMinorNumber(h));
  }

  /**
   * The power the whole board draws now, in watts (NVML answers milliwatts: 80968 mW is 80.968).
   * NVML_ERROR_NOT_SUPPORTED on boards without a power sensor. MIG mode makes no difference: power
   * is read for the board, never per GPU or compute instance.
   */
  powerUsage(): Promise<number> {
    return call(this, async (b, h) => (await b.deviceGetPowerUsage(h)) / 1000);
  }

  /** NVML_ERROR_NOT_SUPPORTED while MIG is enabled (NVML has no device-wide utilization then). */
  utilizationRates(): Promise<{ gpu: number; memory: number }> {
    return call(this, (b, h) => b.deviceGetUtilizationRates(h));
  }

  /** The compute processes on the GPU, with the GPU and compute instance each runs in. */
  computeProcesses(): Promise<ProcessInfo[]> {
    return call(this, (b, h) => b.deviceGetComputeRunningProcesses(h));
  }

  /** Whether the GPU has GPM (GPU Performance Monitoring, Hopper and newer), which {@link Device.activity} needs. */
  gpmSupported(): Promise<boolean> {
    return call(this, (b, h) => b.gpmQueryDeviceSupport(h));
  }

  /**
   * The whole GPU's activity (GPM metrics) over `intervalMs` (default 1000, at least 100): two
   * samples that far apart, the metrics computed off the JS thread. NOT_SUPPORTED before Hopper.
   */
  activity(options?: ActivityOptions): Promise<Activity> {
    return call(this, async (b, h) => measureActivity(b, (s) => b.gpmSampleGet(h, s), checkActivityOptions(options)));
  }

  /** False: a Device is a physical GPU (nvmlDeviceIsMigDeviceHandle). */
  isMigDeviceHandle(): Promise<boolean> {
    return call(this, (b, h) => b.deviceIsMigDeviceHandle(h));
  }

  /** The current and pending MIG mode. */
  migMode(): Promise<MigMode> {
    return call(this, async (b, h) => toMigMode(await b.deviceGetMigMode(h)));
  }

  /**
   * Requests MIG on or off. Resolves with the activation status (the request can succeed while the
   * activation does not, e.g. NVML_ERROR_IN_USE on a busy Ampere GPU: the mode then stays pending)
   * and the mode read back. Cached profiles of this GPU are dropped: they belong to a MIG mode.
   */
  setMigMode(enabled: boolean): Promise<SetMigModeResult> {
    return mutation(this, async (b, h) => {
      const on = checkBoolean('enabled', enabled);
      this._session.checkWritable('setMigMode');
      let status: number;
      try {
        status = (await b.deviceSetMigMode(h, on ? 1 : 0)).activationStatus;
      } finally {
        this._session.invalidate(this.index);
      }
      const mode = toMigMode(await b.deviceGetMigMode(h));
      return { activationStatus: nvmlReturnName(status), activationStatusReturn: status, mode };
    });
  }

  private fieldFlag(fieldId: number): Promise<boolean | null> {
    return call(this, async (b, h) => {
      let values;
      try {
        values = await b.deviceGetFieldValues(h, [fieldId]);
      } catch (e) {
        if (isNvmlError(e, 'NVML_ERROR_NOT_SUPPORTED') || isNvmlError(e, 'NVML_ERROR_FUNCTION_NOT_FOUND')) return null;
        throw e;
      }
      const v = values[0];
      if (!v || v.nvmlReturn !== 0 || v.value === null) return null;
      return Number(v.value) !== 0;
    });
  }

  /** Whether MIG mode changes take effect without a GPU reset (field 184); null if the driver can't say. */
  isResetlessMigSupported(): Promise<boolean | null> {
    return this.fieldFlag(FI_DEV_IS_RESETLESS_MIG_SUPPORTED);
  }

  /** Whether MIG profiles can be queried with MIG mode off (field 199); null if the driver can't say. */
  isMigQueryCapableWhenDisabled(): Promise<boolean | null> {
    return this.fieldFlag(FI_DEV_IS_MIG_MODE_INDEPENDENT_MIG_QUERY_CAPABLE);
  }

  /** @internal one profile by INDEX, newest struct version the driver fills */
  async _fetchProfile(index: number): Promise<GpuInstanceProfile> {
    return toGpuInstanceProfile(await this._session.binding.deviceGetGpuInstanceProfileInfo(this._handle, index, 0), index);
  }

  /** @internal the cached list of every supported profile */
  _profiles(): Promise<GpuInstanceProfile[]> {
    const c = this._cache;
    if (!c.giProfiles) {
      const p = enumerateProfiles(GI_PROFILE_INDEX_BATCH, (i) => this._fetchProfile(i));
      c.giProfiles = p;
      p.catch(() => {
        if (c.giProfiles === p) c.giProfiles = undefined;
      });
    }
    return c.giProfiles;
  }

  /** The GPU instance profile at profile INDEX (0 = 1 slice); NOT_SUPPORTED for one this GPU lacks. */
  gpuInstanceProfile(index: number): Promise<GpuInstanceProfile> {
    return call(this, async () => {
      const i = checkUint32('index', index);
      const cached = this._cache.giProfiles;
      const hit = cached && (await cached.catch(() => undefined))?.find((p) => p.index === i);
      return hit ?? this._fetchProfile(i);
    });
  }

  /** @internal the cached profile with profile ID `id` */
  _profileById(id: number): Promise<GpuInstanceProfile> {
    const b = this._session.binding;
    return memo(this._cache.giProfileById, id, async () => {
      let raw: RawGpuInstanceProfileInfo | null = null;
      try {
        raw = await b.deviceGetGpuInstanceProfileInfoById(this._handle, id, 0);
      } catch (e) {
        // Drivers before the ById call, or refusing every struct version it takes: look the id
        // up in the enumeration instead (which falls back to the v1 call).
        if (!isNvmlError(e, 'NVML_ERROR_FUNCTION_NOT_FOUND') && !isNvmlError(e, 'NVML_ERROR_ARGUMENT_VERSION_MISMATCH')) throw e;
      }
      const listed = (await this._profiles()).find((p) => p.id === id);
      if (raw) return toGpuInstanceProfile(raw, listed?.index ?? -1);
      if (listed) return listed;
      throw new NvmlError('NVML_ERROR_NOT_FOUND', 6, null, `no GPU instance profile has id ${id} on this GPU`);
    });
  }

  /** The GPU instance profile with profile ID `profileId` (what create/list take: 19 for 1g on H100). */
  gpuInstanceProfileById(profileId: number): Promise<GpuInstanceProfile> {
    return call(this, async () => this._profileById(checkUint32('profileId', profileId)));
  }

  /** Every GPU instance profile this GPU supports, in index order (cached until the MIG mode changes). */
  gpuInstanceProfiles(): Promise<GpuInstanceProfile[]> {
    return call(this, async () => [...(await this._profiles())]);
  }

  /** Every placement the profile can take, occupied or not (static: cached). */
  gpuInstancePlacements(profileId: number): Promise<Placement[]> {
    return call(this, async (b, h) => {
      const id = checkUint32('profileId', profileId);
      const list = await memo(this._cache.giPlacements, id, async () =>
        Object.freeze((await b.deviceGetGpuInstancePossiblePlacements(h, id)).map((p) => Object.freeze({ start: p.start, size: p.size }))),
      );
      return [...list];
    });
  }

  /** How many more GPU instances of this profile fit now. */
  gpuInstanceRemainingCapacity(profileId: number): Promise<number> {
    return call(this, (b, h) => b.deviceGetGpuInstanceRemainingCapacity(h, checkUint32('profileId', profileId)));
  }

  /** @internal wraps a GI handle, reading its id, profile id and placement */
  async _gpuInstanceOf(gi: GpuInstanceHandle): Promise<GpuInstance> {
    const info = await this._session.binding.gpuInstanceGetInfo(gi);
    return new GpuInstance(this, gi, info.id, info.profileId, { start: info.placement.start, size: info.placement.size });
  }

  /** Creates a GPU instance: driver-placed, or at `placement` (CreateGpuInstanceWithPlacement). */
  createGpuInstance(profileId: number, placement?: Placement): Promise<GpuInstance> {
    return mutation(this, async (b, h) => {
      const id = checkUint32('profileId', profileId);
      const at = checkOptionalPlacement('placement', placement);
      this._session.checkWritable('createGpuInstance');
      return this._gpuInstanceOf(await b.deviceCreateGpuInstance(h, id, at));
    });
  }

  /** The GPU instances of one profile, or of every profile when omitted; sorted by GI id. */
  gpuInstances(profileId?: number): Promise<GpuInstance[]> {
    return call(this, async (b, h) => {
      const only = checkOptionalUint32('profileId', profileId);
      const ids = only !== undefined ? [only] : (await this._profiles()).map((p) => p.id);
      return instancesOfProfiles(ids, (id) => b.deviceGetGpuInstances(h, id), (gi) => this._gpuInstanceOf(gi));
    });
  }

  /** The GPU instance with GI id `id`; NVML_ERROR_NOT_FOUND if there is none. */
  gpuInstance(id: number): Promise<GpuInstance> {
    return call(this, async (b, h) => this._gpuInstanceOf(await b.deviceGetGpuInstanceById(h, checkUint32('id', id))));
  }

  /** The largest number of MIG devices this GPU can have (0 with MIG off); not how many exist. */
  maxMigDeviceCount(): Promise<number> {
    return call(this, (b, h) => b.deviceGetMaxMigDeviceCount(h));
  }

  /** The MIG device at index `i`, or null where NVML answers one of `emptyCodes`. */
  private async migDeviceAt(b: NativeBinding, h: DeviceHandle, i: number, emptyCodes: string[]): Promise<MigDevice | null> {
    try {
      return new MigDevice(this, i, await b.deviceGetMigDeviceHandleByIndex(h, i));
    } catch (e) {
      if (isNvmlError(e) && emptyCodes.includes(e.code)) return null;
      throw e;
    }
  }

  /** The MIG device at `index`, or null for an empty (sparse) index. */
  migDevice(index: number): Promise<MigDevice | null> {
    return call(this, async (b, h) => this.migDeviceAt(b, h, checkUint32('index', index), ['NVML_ERROR_NOT_FOUND']));
  }

  /** Every MIG device, in index order (indices 0..max-1; empty ones skipped, as go-nvlib does). */
  migDevices(): Promise<MigDevice[]> {
    return call(this, async (b, h) => {
      const max = await b.deviceGetMaxMigDeviceCount(h);
      const found = await Promise.all(
        Array.from({ length: max }, (_, i) => this.migDeviceAt(b, h, i, ['NVML_ERROR_NOT_FOUND', 'NVML_ERROR_INVALID_ARGUMENT'])),
      );
      return found.filter((m): m is MigDevice => m !== null);
    });
  }
}
