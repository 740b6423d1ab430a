// MIG profile names: the driver's "MIG 1g.10gb" vs the short "1g.10gb" that mig-parted configs
// and dcgm-exporter use, parsing "1c.3g.40gb+me", and the fallback name for legacy drivers whose
// v1 profile struct carries no name.

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

const MIG_PREFIX = 'MIG ';

/**
 * "MIG 1g.10gb" → "1g.10gb"; a name without the prefix is returned unchanged.
 *
 * @example
 * ```ts
 * import { shortProfileName } from 'nvml-mig';
 *
 * shortProfileName('MIG 1g.10gb'); // '1g.10gb'
 * ```
 */
export function shortProfileName(name: string): string {
  return name.startsWith(MIG_PREFIX) ? name.slice(MIG_PREFIX.length) : name;
}

/**
 * "1g.10gb" → "MIG 1g.10gb"; a name that has the prefix is returned unchanged.
 *
 * @example
 * ```ts
 * import { fullProfileName } from 'nvml-mig';
 *
 * fullProfileName('3g.40gb'); // 'MIG 3g.40gb'
 * ```
 */
export function fullProfileName(name: string): string {
  return name.startsWith(MIG_PREFIX) ? name : MIG_PREFIX + name;
}

/**
 * A parsed profile name in the go-nvlib / mig-parted format `[Cc.]Gg.Mgb[+attr[,attr]|-attr]`.
 *
 * @example
 * ```ts
 * import { parseProfileName, type ParsedProfileName } from 'nvml-mig';
 *
 * const p: ParsedProfileName | null = parseProfileName('1c.3g.40gb');
 * console.log(p?.computeSlices, p?.gpuSlices, p?.memoryGB);
 * ```
 */
export interface ParsedProfileName {
  /** C of "Cc.", or null when the name has no compute part (a GI, or the GI-wide CI). */
  computeSlices: number | null;
  /** G of "Gg". */
  gpuSlices: number;
  /** M of "Mgb". */
  memoryGB: number;
  /** In order, with their sign: ['+me'], ['+me', '+gfx'], ['-me'], ['+me.all']. */
  attributes: string[];
  /** The GPU instance part in canonical form: "3g.40gb+me". */
  gpuInstanceName: string;
  /** The whole name in canonical form, without "MIG ": "1c.3g.40gb+me". */
  canonical: string;
}

const PROFILE_RE = /^(?:(\d+)c\.)?(\d+)g\.(\d+)gb(?:\+([a-z][a-z0-9.]*(?:,[a-z][a-z0-9.]*)*)|-([a-z][a-z0-9.]*))?$/;

/**
 * Parses "1g.10gb", "MIG 1c.3g.40gb", "1g.10gb+me", "2g.48gb-me", "1g.24gb+me.all". Null if malformed.
 *
 * @example
 * ```ts
 * import { parseProfileName } from 'nvml-mig';
 *
 * parseProfileName('MIG 1g.10gb+me'); // { computeSlices: null, gpuSlices: 1, memoryGB: 10, attributes: ['+me'], ... }
 * parseProfileName('ten gigs');       // null
 * ```
 */
export function parseProfileName(name: string): ParsedProfileName | null {
  if (typeof name !== 'string') return null;
  const m = PROFILE_RE.exec(shortProfileName(name.trim()).toLowerCase());
  if (!m) return null;
  const computeSlices = m[1] === undefined ? null : Number(m[1]);
  const gpuSlices = Number(m[2]);
  const memoryGB = Number(m[3]);
  if (gpuSlices === 0 || computeSlices === 0 || (computeSlices !== null && computeSlices > gpuSlices)) return null;
  const attributes = m[4] !== undefined ? m[4].split(',').map((a) => `+${a}`) : m[5] !== undefined ? [`-${m[5]}`] : [];
  const gpuInstanceName = `${gpuSlices}g.${memoryGB}gb${formatAttributes(attributes)}`;
  return {
    computeSlices,
    gpuSlices,
    memoryGB,
    attributes,
    gpuInstanceName,
    canonical: computeSlices === null ? gpuInstanceName : `${computeSlices}c.${gpuInstanceName}`,
  };
}

function formatAttributes(attributes: string[]): string {
  if (attributes.length === 0) return '';
  if (attributes[0].startsWith('-')) return attributes[0];
  return '+' + attributes.map((a) => a.slice(1)).join(',');
}

/**
 * Whether two profile names mean the same profile ("MIG 1g.10gb" and "1g.10gb" do).
 *
 * @example
 * ```ts
 * import { sameProfileName } from 'nvml-mig';
 *
 * sameProfileName('MIG 1g.10gb', '1g.10gb'); // true
 * ```
 */
export function sameProfileName(a: string, b: string): boolean {
  const pa = parseProfileName(a);
  const pb = parseProfileName(b);
  if (pa && pb) return pa.canonical === pb.canonical;
  return shortProfileName(a) === shortProfileName(b);
}

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
  const gi = parseProfileName(gpuInstanceShortName);
  if (gi && gi.gpuSlices === computeSlices) return gi.gpuInstanceName;
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
  return `${MIG_PREFIX}${sliceCount}g.${Math.ceil(memorySizeMB / 1024)}gb${indexSuffix(profileIndex)}`;
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
  return MIG_PREFIX + computeInstanceProfileShortName(sliceCount, shortProfileName(gpuInstanceName));
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
