// The device model the planner works on: GI profiles with their placements, and CI profiles with placements
// inside each GI profile.
//
// NVML only describes CI profiles through an existing GI handle. So the model takes them from the driver for
// every GI profile that has a GI on the GPU when the model is read (and caches that per model), and derives the
// rest from the documented slice rules (deriveCiProfiles). test/layout/model.test.ts checks the derivation
// against the driver's answer for every GI profile of every mock GPU model.
import type { GpuInstanceProfile, ComputeInstanceProfile, Placement } from '../types.js';
import type { CiProfileModel, DeviceModel, GiProfileModel } from './types.js';
import { MigProfileName } from '../profile-name.js';

/**
 * GI profile names an earlier driver gave a profile that the current driver names differently, per board name
 * (nvmlDeviceGetName) and current name. The driver's current name stays authoritative: an older name is only an
 * alias on that board, for layouts and `-cgi`; everything printed or exported uses the current name. Only renames
 * with a recorded source are listed.
 */
const OLDER_PROFILE_NAMES: Record<string, Record<string, string[]>> = {
  // GB200: an earlier driver's `-lgip` (NVIDIA/gpu-operator PR #1303, March 2025) showed 1g.24gb and 1g.24gb+me,
  // and the operator's default-mig-parted-config of that time has all-3g.95gb, all-4g.95gb, all-7g.189gb; the
  // current driver (NVIDIA/mig-parted issue #227, August 2025) and config say 1g.23gb, 3g.93gb, 4g.93gb, 7g.186gb.
  'NVIDIA GB200': {
    '1g.23gb': ['1g.24gb'],
    '1g.23gb+me': ['1g.24gb+me'],
    '3g.93gb': ['3g.95gb'],
    '4g.93gb': ['4g.95gb'],
    '7g.186gb': ['7g.189gb'],
  },
};

/**
 * The names an earlier driver gave the GI profile `currentName` of the board `boardName` (empty when none is recorded).
 *
 * @example
 * ```ts
 * import { olderProfileNames } from 'nvml-mig/layout';
 *
 * olderProfileNames('NVIDIA GB200', '3g.93gb'); // [ '3g.95gb' ]
 * ```
 */
export function olderProfileNames(boardName: string, currentName: string): string[] {
  const parsed = MigProfileName.check(currentName);
  if (typeof parsed === 'string') return [];
  return OLDER_PROFILE_NAMES[boardName]?.[parsed.gpuInstanceName] ?? [];
}

/**
 * Resolves a GI profile name against one board's current profile names: the current name that `name` is (the same
 * name, or an older name a driver used for it on this board), or null when `name` names none of them.
 *
 * @example
 * ```ts
 * import { currentProfileName } from 'nvml-mig/layout';
 *
 * currentProfileName('NVIDIA GB200', ['1g.23gb', '3g.93gb'], '3g.95gb'); // '3g.93gb'
 * currentProfileName('NVIDIA B200', ['1g.23gb', '3g.90gb'], '1g.24gb');  // null: not an alias there
 * ```
 */
export function currentProfileName(boardName: string, currentNames: readonly string[], name: string): string | null {
  const wanted = MigProfileName.check(name);
  if (typeof wanted === 'string' || wanted.computeSlices !== null) return null; // a GI profile name only
  for (const current of currentNames) {
    const c = MigProfileName.check(current);
    if (typeof c === 'string') continue;
    if (c.gpuInstanceName === wanted.gpuInstanceName) return current;
  }
  for (const current of currentNames) {
    const older = olderProfileNames(boardName, current).map((o) => MigProfileName.parse(o).gpuInstanceName);
    if (older.includes(wanted.gpuInstanceName)) return current;
  }
  return null;
}

/** NVML's CI profile index constants by slice count (1c=0, 2c=1, 3c=2, 4c=3, 7c=4, 8c=5, 6c=6). */
const CI_PROFILE_ID_BY_SLICES: Record<number, number> = { 1: 0, 2: 1, 3: 2, 4: 3, 7: 4, 8: 5, 6: 6 };

/**
 * CI profiles of a GI with `g` compute slices, as the driver offers them on A30/A100/H100/H200:
 * the full CI (g slices), plus sub-CIs of 1, 2 and 4 slices smaller than g, and 3 slices on GIs of 6 or more slices
 * (a 4g GI offers no 3c). A c-slice CI starts on multiples of its alignment (1, 2, 4 for c = 1, 2, 3|4) and must end
 * inside the GI; the full CI sits at 0. instanceCount is the number of placements.
 *
 * @example
 * ```ts
 * import { deriveCiProfiles } from 'nvml-mig/layout';
 *
 * console.log(deriveCiProfiles('3g.40gb', 3).map((c) => c.name)); // [ '1c.3g.40gb', '2c.3g.40gb', '3g.40gb' ]
 * ```
 */
export function deriveCiProfiles(giName: string, g: number): CiProfileModel[] {
  const out: CiProfileModel[] = [];
  for (const c of [1, 2, 3, 4]) {
    if (c >= g || (c === 3 && g < 6)) continue;
    const align = c === 3 ? 4 : c;
    const placements: Placement[] = [];
    for (let s = 0; s + c <= g; s += align) placements.push({ start: s, size: c });
    out.push({ id: CI_PROFILE_ID_BY_SLICES[c]!, name: `${c}c.${giName}`, sliceCount: c, instanceCount: placements.length, placements });
  }
  out.push({ id: CI_PROFILE_ID_BY_SLICES[g] ?? g, name: giName, sliceCount: g, instanceCount: 1, placements: [{ start: 0, size: g }] });
  return out;
}

/**
 * One GI profile as {@link buildModel} takes it: the driver profile, its placements, and its CI profiles when known.
 *
 * @example
 * ```ts
 * import { buildModel, type GiProfileInput } from 'nvml-mig/layout';
 *
 * const oneSlice: GiProfileInput = {
 *   profile: { id: 19, shortName: '1g.10gb', sliceCount: 1, instanceCount: 7, memorySizeMB: 9984 },
 *   placements: [0, 1, 2, 3, 4, 5, 6].map((start) => ({ start, size: 1 })), // no ciProfiles: derived
 * };
 * console.log(buildModel('NVIDIA H100 80GB HBM3', [oneSlice]).giProfiles[0]?.ciSource); // 'derived'
 * ```
 */
export interface GiProfileInput {
  profile: Pick<GpuInstanceProfile, 'id' | 'shortName' | 'sliceCount' | 'instanceCount' | 'memorySizeMB'>;
  placements: Placement[];
  /** From the driver, when a GI of this profile could be asked. */
  ciProfiles?: CiProfileModel[];
}

/**
 * Builds a model from profile data (the facade's, or a test's).
 *
 * @example
 * ```ts
 * import { buildModel } from 'nvml-mig/layout';
 *
 * const model = buildModel('NVIDIA A30', [{ profile: { id: 0, shortName: '4g.24gb', sliceCount: 4, instanceCount: 1, memorySizeMB: 24062 }, placements: [{ start: 0, size: 4 }] }]);
 * console.log(model.slots, model.computeSlices, model.key); // a planner model from the profiles and placements
 * ```
 */
export function buildModel(name: string, inputs: GiProfileInput[]): DeviceModel {
  const giProfiles: GiProfileModel[] = inputs
    .filter((i) => i.placements.length > 0)
    .map((i) => ({
      id: i.profile.id,
      name: i.profile.shortName.toLowerCase(),
      sliceCount: i.profile.sliceCount,
      memorySizeMB: i.profile.memorySizeMB,
      instanceCount: i.profile.instanceCount,
      placements: [...i.placements].sort((a, b) => a.start - b.start),
      ciProfiles: i.ciProfiles ?? deriveCiProfiles(i.profile.shortName.toLowerCase(), i.profile.sliceCount),
      ciSource: i.ciProfiles ? 'driver' : 'derived',
    }));
  const slots = Math.max(0, ...giProfiles.flatMap((g) => g.placements.map((p) => p.start + p.size)));
  const computeSlices = Math.max(0, ...giProfiles.map((g) => g.sliceCount));
  const key = `${name}|${giProfiles.map((g) => `${g.id}:${g.name}`).join(',')}`;
  return { key, name, slots, computeSlices, giProfiles };
}

// ---- reading the model through the facade -----------------------------------------------------------------

/**
 * What the model reader needs of a GPU instance (the facade's GpuInstance has it).
 *
 * @example
 * ```ts
 * import type { GpuInstance } from 'nvml-mig';
 * import type { GpuInstanceLike } from 'nvml-mig/layout';
 *
 * const asSource = (gi: GpuInstance): GpuInstanceLike => gi;
 * ```
 */
export interface GpuInstanceLike {
  readonly id: number;
  readonly profileId: number;
  computeInstanceProfiles(): Promise<ComputeInstanceProfile[]>;
  computeInstancePlacements(profileId: number): Promise<Placement[]>;
}

/**
 * What the model reader needs of a device (the facade's Device has it).
 *
 * @example
 * ```ts
 * import type { Device } from 'nvml-mig';
 * import { readDeviceModel, type DeviceModelSource } from 'nvml-mig/layout';
 *
 * async function modelOf(device: Device) {
 *   const source: DeviceModelSource = device;
 *   return readDeviceModel(source);
 * }
 * ```
 */
export interface DeviceModelSource {
  name(): Promise<string>;
  gpuInstanceProfiles(): Promise<GpuInstanceProfile[]>;
  gpuInstancePlacements(profileId: number): Promise<Placement[]>;
}

/** CI profiles read from the driver, per model key and GI profile id; they do not change while the driver runs. */
const driverCiCache = new Map<string, Map<number, CiProfileModel[]>>();
const modelCache = new Map<string, DeviceModel>();

async function ciProfilesFromDriver(gi: GpuInstanceLike): Promise<CiProfileModel[]> {
  const out: CiProfileModel[] = [];
  for (const p of await gi.computeInstanceProfiles()) {
    const placements = await gi.computeInstancePlacements(p.id);
    out.push({ id: p.id, name: p.shortName.toLowerCase(), sliceCount: p.sliceCount, instanceCount: p.instanceCount, placements: [...placements].sort((a, b) => a.start - b.start) });
  }
  return out;
}

/**
 * Reads a device's model. `gpuInstances` (the GIs that exist now) lets it learn CI profiles from the driver.
 * Returns null when the driver does not describe profiles (e.g. MIG disabled on a driver that needs it on).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readDeviceModel } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a30' });
 * const model = await readDeviceModel(await nvml.device(0));
 * console.log(model?.slots, model?.giProfiles.map((p) => p.name)); // 4 [ '1g.6gb', ... ]
 * await shutdown();
 * ```
 */
export async function readDeviceModel(device: DeviceModelSource, gpuInstances: GpuInstanceLike[] = []): Promise<DeviceModel | null> {
  let profiles: GpuInstanceProfile[];
  try {
    profiles = await device.gpuInstanceProfiles();
  } catch {
    return null;
  }
  if (profiles.length === 0) return null;
  const name = await device.name();
  const baseKey = `${name}|${profiles.map((p) => `${p.id}:${p.shortName.toLowerCase()}`).join(',')}`;
  let learned = driverCiCache.get(baseKey);
  if (!learned) driverCiCache.set(baseKey, (learned = new Map()));
  let grew = false;
  for (const gi of gpuInstances) {
    if (learned.has(gi.profileId)) continue;
    try {
      learned.set(gi.profileId, await ciProfilesFromDriver(gi));
      grew = true;
    } catch {
      // A GI destroyed meanwhile, or a driver without CI profile queries: the derived rules stand in.
    }
  }
  const cached = modelCache.get(baseKey);
  if (cached && !grew) return cached;
  const inputs: GiProfileInput[] = [];
  for (const p of profiles) {
    inputs.push({ profile: p, placements: await device.gpuInstancePlacements(p.id), ciProfiles: learned.get(p.id) });
  }
  const model = buildModel(name, inputs);
  modelCache.set(baseKey, model);
  return model;
}
