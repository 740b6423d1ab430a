// MIG profiles: the profile index constants, the fallback name for legacy drivers whose v1 profile
// struct carries no name, and profile enumeration. Names themselves (parse, format, compare) are
// lib/profile-name.ts.
import { MigProfileName, fullProfileName, shortProfileName } from './profile-name';

/**
 * GPU instance profile INDEX constants (what nvmlDeviceGetGpuInstanceProfileInfo takes). They are
 * not profile ids: index 0 (1 slice) is id 19 on A100/H100.
 *
 * @example
 * ```ts
 * import { init, GPU_INSTANCE_PROFILE_INDEX } from 'nvml-mig';
 *
 * const nvml = await init();
 * const p = await (await nvml.device(0)).gpuInstanceProfile(GPU_INSTANCE_PROFILE_INDEX.SLICE_3);
 * console.log(p.id, p.name); // 9 'MIG 3g.40gb' on an H100 80GB
 * await nvml.shutdown();
 * ```
 */
export const GPU_INSTANCE_PROFILE_INDEX = Object.freeze({
  SLICE_1: 0x0,
  SLICE_2: 0x1,
  SLICE_3: 0x2,
  SLICE_4: 0x3,
  SLICE_7: 0x4,
  SLICE_8: 0x5,
  SLICE_6: 0x6,
  SLICE_1_REV1: 0x7,
  SLICE_2_REV1: 0x8,
  SLICE_1_REV2: 0x9,
  SLICE_1_GFX: 0xa,
  SLICE_2_GFX: 0xb,
  SLICE_4_GFX: 0xc,
  SLICE_1_NO_ME: 0xd,
  SLICE_2_NO_ME: 0xe,
  SLICE_1_ALL_ME: 0xf,
  SLICE_2_ALL_ME: 0x10,
  SLICE_3_GFX: 0x11,
});

/**
 * Compute instance profile INDEX constants (for CI profiles the driver's id equals the index).
 *
 * @example
 * ```ts
 * import { init, COMPUTE_INSTANCE_PROFILE_INDEX } from 'nvml-mig';
 *
 * const nvml = await init();
 * const [gi] = await (await nvml.device(0)).gpuInstances();
 * const oneSlice = await gi.computeInstanceProfile(COMPUTE_INSTANCE_PROFILE_INDEX.SLICE_1);
 * console.log(oneSlice.id, oneSlice.name);
 * await nvml.shutdown();
 * ```
 */
export const COMPUTE_INSTANCE_PROFILE_INDEX = Object.freeze({
  SLICE_1: 0x0,
  SLICE_2: 0x1,
  SLICE_3: 0x2,
  SLICE_4: 0x3,
  SLICE_7: 0x4,
  SLICE_8: 0x5,
  SLICE_6: 0x6,
  SLICE_1_REV1: 0x7,
  SLICE_7_NVL: 0x8,
});

/**
 * The only compute-instance engine profile NVML defines (NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED).
 *
 * @example
 * ```ts
 * import { COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED } from 'nvml-mig';
 *
 * console.log(COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED); // 0
 * ```
 */
export const COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED = 0;

/**
 * GI profile capability bits of the v3 struct.
 *
 * @example
 * ```ts
 * import { init, GPU_INSTANCE_PROFILE_CAPS } from 'nvml-mig';
 *
 * const nvml = await init();
 * for (const p of await (await nvml.device(0)).gpuInstanceProfiles()) {
 *   console.log(p.name, (p.capabilities & GPU_INSTANCE_PROFILE_CAPS.GFX) !== 0);
 * }
 * await nvml.shutdown();
 * ```
 */
export const GPU_INSTANCE_PROFILE_CAPS = Object.freeze({ P2P: 0x1, GFX: 0x2 });

/**
 * The short name of a compute instance profile inside a GI: "1c.3g.40gb", or the GI's own name
 * when the CI spans the whole GI (that is how the driver names the default CI).
 *
 * @example
 * ```ts
 * import { computeInstanceProfileShortName } from 'nvml-mig';
 *
 * computeInstanceProfileShortName(1, '3g.40gb'); // '1c.3g.40gb'
 * computeInstanceProfileShortName(3, '3g.40gb'); // '3g.40gb' (the CI spans the whole GI)
 * ```
 */
export function computeInstanceProfileShortName(computeSlices: number, gpuInstanceShortName: string): string {
  const gi = MigProfileName.check(gpuInstanceShortName);
  if (typeof gi !== 'string' && gi.gpuSlices === computeSlices) return gi.gpuInstanceName;
  return `${computeSlices}c.${shortProfileName(gpuInstanceShortName)}`;
}

/** The attribute suffix each legacy GI profile index implies (nvml.h comments on the index constants). */
function indexSuffix(profileIndex: number): string {
  const I = GPU_INSTANCE_PROFILE_INDEX;
  switch (profileIndex) {
    case I.SLICE_1_REV1:
    case I.SLICE_2_REV1:
      return '+me';
    case I.SLICE_1_GFX:
    case I.SLICE_2_GFX:
    case I.SLICE_4_GFX:
    case I.SLICE_3_GFX:
      return '+gfx';
    case I.SLICE_1_NO_ME:
    case I.SLICE_2_NO_ME:
      return '-me';
    case I.SLICE_1_ALL_ME:
    case I.SLICE_2_ALL_ME:
      return '+me.all';
    default:
      return '';
  }
}

/**
 * A GI profile name for drivers that only fill the v1 struct (no name field). Memory rounds UP to
 * whole GiB, which reproduces the driver's names on A30/A100/H100 (9984 MiB → "10gb",
 * 81152 MiB → "80gb"); it can differ from the driver's name on other boards (H200 "1g.18gb" has
 * 16384 MiB), which is why the driver's own name is used whenever it exists.
 *
 * @example
 * ```ts
 * import { deriveGpuInstanceProfileName } from 'nvml-mig';
 *
 * deriveGpuInstanceProfileName(0, 1, 9984); // 'MIG 1g.10gb'
 * ```
 */
export function deriveGpuInstanceProfileName(profileIndex: number, sliceCount: number, memorySizeMB: number): string {
  return `MIG ${sliceCount}g.${Math.ceil(memorySizeMB / 1024)}gb${indexSuffix(profileIndex)}`;
}

/**
 * A CI profile name for legacy drivers: "MIG 1c.3g.40gb", or the GI name for the GI-wide CI.
 *
 * @example
 * ```ts
 * import { deriveComputeInstanceProfileName } from 'nvml-mig';
 *
 * deriveComputeInstanceProfileName(1, 'MIG 3g.40gb'); // 'MIG 1c.3g.40gb'
 * ```
 */
export function deriveComputeInstanceProfileName(sliceCount: number, gpuInstanceName: string): string {
  return fullProfileName(computeInstanceProfileShortName(sliceCount, shortProfileName(gpuInstanceName)));
}

/** Upper bound of profile indices probed, in case a driver never answers INVALID_ARGUMENT. */
const MAX_PROFILE_INDEX = 256;

/**
 * Every supported profile of an NVML profile-info call, in index order: indices 0, 1, 2, ... until
 * the driver answers NVML_ERROR_INVALID_ARGUMENT (the header's forward-compatible enumeration),
 * skipping NVML_ERROR_NOT_SUPPORTED (a profile this GPU lacks). Indices are asked `batch` at a time
 * because each answer is a slow driver round trip (about 0.46 ms on an H100).
 */
export async function enumerateProfiles<T>(batch: number, get: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let first = 0; first < MAX_PROFILE_INDEX; first += batch) {
    const answers = await Promise.allSettled(Array.from({ length: batch }, (_, i) => get(first + i)));
    for (const a of answers) {
      if (a.status === 'fulfilled') {
        out.push(a.value);
        continue;
      }
      const code = (a.reason as { code?: unknown })?.code;
      if (code === 'NVML_ERROR_INVALID_ARGUMENT') return out;
      if (code !== 'NVML_ERROR_NOT_SUPPORTED') throw a.reason;
    }
  }
  return out;
}

/**
 * The instances of several profiles (NVML lists GIs and CIs one profile id at a time), wrapped and
 * sorted by instance id.
 */
export async function instancesOfProfiles<H, T extends { id: number }>(
  profileIds: number[],
  list: (profileId: number) => Promise<H[]>,
  wrap: (handle: H) => Promise<T>,
): Promise<T[]> {
  const handles = (await Promise.all(profileIds.map(list))).flat();
  const wrapped = await Promise.all(handles.map(wrap));
  return wrapped.sort((x, y) => x.id - y.id);
}
