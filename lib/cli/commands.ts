// The MIG commands, each a function of the context that prints nvidia-smi's human output (or
// nothing in --json mode) and returns the data of its JSON document (docs/cli.md: the schema).

import type { Device } from '../device.js';
import type { GpuInstance } from '../gpu-instance.js';
import type { ComputeInstance } from '../compute-instance.js';
import type { ComputeInstanceProfile, GpuInstanceProfile, MigMode, Placement } from '../types.js';
import { isNvmlError } from '../errors.js';
import { sameProfileName } from '../profile-name.js';
import { currentProfileName } from '../layout/model.js';
import type { ProfileSpec } from './args.js';
import { Context, describeProcesses, type NamedProcess } from './context.js';
import { CliError, EXIT, adviceFor, codeText, errorText } from './errors.js';
import {
  formatCiProfiles, formatComputeInstances, formatGiPlacements, formatGiProfiles, formatGpuInstances,
  formatGpuList, lines, type CiProfileRow, type CiRow, type GiPlacementRow, type GiProfileRow, type GiRow,
} from './format.js';

export type JsonData = Record<string, unknown>;

/** A GPU the command works on, with what every message about it names. */
interface Gpu {
  device: Device;
  index: number;
  busId: string;
  mode: MigMode | null;
}

async function describe(device: Device): Promise<Gpu> {
  const [pci, mode] = await Promise.all([device.pciInfo(), migModeOrNull(device)]);
  return { device, index: device.index, busId: pci.busId, mode };
}

/** The MIG mode, or null for a GPU without MIG. */
async function migModeOrNull(device: Device): Promise<MigMode | null> {
  try {
    return await device.migMode();
  } catch (e) {
    if (isNvmlError(e, 'NVML_ERROR_NOT_SUPPORTED') || isNvmlError(e, 'NVML_ERROR_FUNCTION_NOT_FOUND')) return null;
    throw e;
  }
}

/** What to do when a GPU's MIG mode is pending: a reset, which nvml-mig never does itself. */
export function resetAdvice(index: number, busId: string, sim: string | null = null): string {
  if (sim !== null) return `a GPU reset is needed to make it effective: on the simulator, run '${sim} -r -i ${index}' once no simulated process uses the GPU`;
  return `a GPU reset is needed to make it effective: stop every process using GPU ${busId}, then run 'sudo nvidia-smi -r -i ${index}' or reboot (nvml-mig never resets a GPU itself)`;
}

function disabledReason(g: Gpu, sim: string | null): string {
  if (g.mode === null) return `GPU ${g.index} (${g.busId}) does not support MIG`;
  if (g.mode.pending && !g.mode.current) return `MIG mode is pending enable on GPU ${g.index} (${g.busId}): ${resetAdvice(g.index, g.busId, sim)}`;
  return `MIG mode is disabled on GPU ${g.index} (${g.busId}): enable it first with 'nvml-mig -i ${g.index} -mig 1'`;
}

/**
 * The selected GPUs whose MIG mode is on. Listings skip the others silently (nvidia-smi does);
 * changes report a GPU chosen with -i that has MIG off, and refuse when none is left.
 */
async function migGpus(ctx: Context, change: boolean): Promise<Gpu[]> {
  const gpus = await Promise.all((await ctx.selectedDevices()).map(describe));
  const on = gpus.filter((g) => g.mode?.current);
  const off = gpus.filter((g) => !g.mode?.current);
  if (change && ctx.global.gpus !== null) {
    for (const g of off) ctx.fail(disabledReason(g, ctx.simPrefix), new CliError('MIG_DISABLED', '', EXIT.REFUSED), { gpu: g.index });
  }
  if (on.length === 0) {
    if (change && (ctx.global.gpus === null || off.length === 0)) {
      const line = off.length ? `${lines.noMigDevices.replace(/\.$/, '')}: ${off.map((g) => disabledReason(g, ctx.simPrefix)).join('; ')}` : lines.noMigDevices;
      ctx.fail(line, new CliError('MIG_DISABLED', '', EXIT.REFUSED));
    } else if (!change) {
      ctx.print(lines.noMigDevices);
    }
  }
  return on;
}

// ---------------------------------------------------------------------------------------------
// Profiles and placements

async function remainingOrZero(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (isNvmlError(e, 'NVML_ERROR_NOT_SUPPORTED')) return 0;
    throw e;
  }
}

/**
 * GI profiles of a GPU in nvidia-smi's order (smallest memory first, then fewer slices, then
 * index: 19, 20, 15, 14, 9, 5, 0 on an H100); null when the GPU cannot list them (no MIG, or MIG
 * off on a driver that needs it on).
 */
async function profilesOrNull(device: Device): Promise<GpuInstanceProfile[] | null> {
  try {
    return (await device.gpuInstanceProfiles()).sort(
      (a, b) => a.memorySizeMB - b.memorySizeMB || a.sliceCount - b.sliceCount || a.index - b.index,
    );
  } catch (e) {
    if (isNvmlError(e, 'NVML_ERROR_NOT_SUPPORTED') || isNvmlError(e, 'NVML_ERROR_FUNCTION_NOT_FOUND')) return null;
    throw e;
  }
}

function profileJson(p: GpuInstanceProfile) {
  return {
    id: p.id, index: p.index, name: p.name, shortName: p.shortName, sliceCount: p.sliceCount,
    memoryMiB: p.memorySizeMB, p2p: p.isP2pSupported, multiprocessors: p.multiprocessorCount,
    copyEngines: p.copyEngineCount, decoders: p.decoderCount, encoders: p.encoderCount, jpegs: p.jpegCount, ofas: p.ofaCount,
  };
}

/** Calls `each` for every GI profile of every selected GPU that lists them: table rows and JSON entries. */
async function forEachGiProfile<R, J>(ctx: Context, each: (device: Device, p: GpuInstanceProfile) => Promise<[R, J]>) {
  const rows: R[] = [];
  const gpus: { index: number; profiles: J[] }[] = [];
  for (const device of await ctx.selectedDevices()) {
    const list = await profilesOrNull(device);
    if (list === null) continue;
    const entries: J[] = [];
    for (const p of list) {
      const [row, entry] = await each(device, p);
      rows.push(row);
      entries.push(entry);
    }
    gpus.push({ index: device.index, profiles: entries });
  }
  return { rows, gpus };
}

/** `mig -lgip` / `profiles`. Works with MIG off where the driver answers (580 does on H100). */
export async function profiles(ctx: Context): Promise<JsonData> {
  const { rows, gpus } = await forEachGiProfile(ctx, async (device, p): Promise<[GiProfileRow, object]> => {
    const free = await remainingOrZero(() => device.gpuInstanceRemainingCapacity(p.id));
    const row = {
      gpu: device.index, name: p.name, id: p.id, free, total: p.instanceCount, memoryMiB: p.memorySizeMB, p2p: p.isP2pSupported,
      sm: p.multiprocessorCount, dec: p.decoderCount, enc: p.encoderCount, ce: p.copyEngineCount, jpeg: p.jpegCount, ofa: p.ofaCount,
    };
    return [row, { ...profileJson(p), instancesFree: free, instancesTotal: p.instanceCount }];
  });
  ctx.print(rows.length ? formatGiProfiles(rows) : lines.noMigDevices);
  return { gpus };
}

/** `mig -lgipp` / `placements`. */
export async function placements(ctx: Context): Promise<JsonData> {
  const { rows, gpus } = await forEachGiProfile(ctx, async (device, p): Promise<[GiPlacementRow, object]> => {
    const pl = await device.gpuInstancePlacements(p.id);
    return [{ gpu: device.index, profileId: p.id, placements: pl }, { id: p.id, name: p.name, placements: pl }];
  });
  ctx.print(rows.length ? formatGiPlacements(rows) : lines.noMigDevices);
  return { gpus };
}

function profileChoices(list: { id: number; name: string }[]): string {
  return list.map((p) => `${p.id} (${p.name.replace(/^MIG /, '')})`).join(', ');
}

/** A typed profile resolved against one GPU's own list: ids and names differ between models. */
async function resolveGiProfile(device: Device, spec: ProfileSpec): Promise<GpuInstanceProfile> {
  const list = (await profilesOrNull(device)) ?? [];
  const name = await device.name();
  // a name resolves on this board only: the driver's current name, or an older name a driver gave that profile here
  const current = spec.id !== null ? null : currentProfileName(name, list.map((p) => p.name), spec.name!);
  const found = spec.id !== null ? list.find((p) => p.id === spec.id) : list.find((p) => current !== null && p.name === current);
  if (!found) {
    throw new CliError('PROFILE_NOT_FOUND', `${name} has no such GPU instance profile (it has ${profileChoices(list)})`, EXIT.REFUSED);
  }
  return found;
}

async function resolvePlacement(device: Device, profile: GpuInstanceProfile, start: number | null): Promise<Placement | undefined> {
  if (start === null) return undefined;
  const valid = await device.gpuInstancePlacements(profile.id);
  const p = valid.find((v) => v.start === start);
  if (!p) {
    throw new CliError('INVALID_PLACEMENT', `placement start ${start} is not valid for ${profile.name} (valid: ${valid.map((v) => `${v.start}:${v.size}`).join(', ')})`, EXIT.REFUSED);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// GPU instances

function giJson(gi: GpuInstance, profile: GpuInstanceProfile | null) {
  return { id: gi.id, profileId: gi.profileId, profileName: profile?.name ?? null, placement: gi.placement };
}

function ciJson(ci: ComputeInstance, profile: ComputeInstanceProfile | null) {
  return { id: ci.id, gpuInstanceId: ci.gpuInstance.id, profileId: ci.profileId, profileName: profile?.name ?? null, placement: ci.placement };
}

async function ciProfileOf(gi: GpuInstance, profileId: number): Promise<ComputeInstanceProfile | null> {
  const list = await gi.computeInstanceProfiles().catch(() => [] as ComputeInstanceProfile[]);
  return list.find((p) => p.id === profileId) ?? null;
}

/** The GI's default (full-size) CI profile: what `-C` and a bare `-cci` create. */
async function defaultCiProfile(gi: GpuInstance): Promise<ComputeInstanceProfile> {
  const list = await gi.computeInstanceProfiles();
  const p = list.find((x) => x.isDefault) ?? list[list.length - 1];
  if (!p) throw new CliError('PROFILE_NOT_FOUND', `GPU instance ${gi.id} offers no compute instance profile`, EXIT.REFUSED);
  return p;
}

/** `mig -cgi <profiles> [-C]` / `create-gi`. Stops at the first failure on a GPU, as nvidia-smi does. */
export async function createGi(ctx: Context, specs: ProfileSpec[], withCi: boolean): Promise<JsonData> {
  const created = [];
  let giFailure: unknown = null;
  for (const g of await migGpus(ctx, true)) {
    for (const spec of specs) {
      let gi: GpuInstance;
      let profile: GpuInstanceProfile;
      try {
        profile = await resolveGiProfile(g.device, spec);
        gi = await g.device.createGpuInstance(profile.id, await resolvePlacement(g.device, profile, spec.start));
      } catch (e) {
        ctx.fail(lines.createGiFailed(g.index, spec.text, withAdvice(e)), e, { gpu: g.index });
        if (isNvmlError(e) && e.nvmlReturn !== null) giFailure = e; // a driver refusal, not the read-only interlock
        break;
      }
      ctx.print(lines.createdGi(g.index, gi.id, profile.name, profile.id));
      const entry: Record<string, unknown> = { gpu: g.index, requested: spec.text, gpuInstance: giJson(gi, profile), computeInstance: null };
      created.push(entry);
      if (withCi) {
        try {
          const cp = await defaultCiProfile(gi);
          const ci = await gi.createComputeInstance(cp.id);
          ctx.print(lines.createdCi(g.index, gi.id, ci.id, cp.name, cp.id));
          entry.computeInstance = ciJson(ci, cp);
        } catch (e) {
          ctx.fail(lines.createCiFailed(g.index, gi.id, 'default', withAdvice(e)), e, { gpu: g.index, gi: gi.id });
          break;
        }
      }
    }
  }
  // nvidia-smi closes a -cgi whose GPU instance creation failed with this summary line.
  if (giFailure !== null && !ctx.json) ctx.io.stderr.write(lines.createGisFailed(errorText(giFailure)) + '\n');
  return { created };
}

/** "process 4242 (python) uses it" / "processes 1 (a), 2 (b) use it" */
function processesUsing(procs: NamedProcess[], what = 'it'): string {
  return procs.length > 1 ? `processes ${describeProcesses(procs)} use ${what}` : `process ${describeProcesses(procs)} uses ${what}`;
}

function withAdvice(e: unknown): string {
  const advice = adviceFor(e);
  return advice ? `${errorText(e)} (${advice})` : errorText(e);
}

/**
 * The GIs of a GPU, or those named by -gi (a missing one is reported, not fatal), in nvidia-smi's
 * order: it lists GIs profile by profile (NVML lists them per profile), in -lgip's profile order.
 */
async function chosenGis(g: Gpu, ids: number[] | null, onMissing: ((id: number, e: unknown) => void) | null): Promise<GpuInstance[]> {
  const rank = new Map(((await profilesOrNull(g.device)) ?? []).map((p, i) => [p.id, i]));
  const order = (list: GpuInstance[]) => list.sort((a, b) => (rank.get(a.profileId) ?? 0) - (rank.get(b.profileId) ?? 0) || a.id - b.id);
  if (ids === null) return order(await g.device.gpuInstances());
  const out: GpuInstance[] = [];
  for (const id of ids) {
    try {
      out.push(await g.device.gpuInstance(id));
    } catch (e) {
      if (!isNvmlError(e, 'NVML_ERROR_NOT_FOUND') && !isNvmlError(e, 'NVML_ERROR_INVALID_ARGUMENT')) throw e;
      onMissing?.(id, e);
    }
  }
  return order(out);
}

/**
 * A listing over the MIG-enabled GPUs: `each` adds table rows and returns the GPU's JSON entries
 * (under `key`); the table, or the empty state, is printed once.
 */
async function listing<R>(ctx: Context, key: string, each: (g: Gpu, rows: R[]) => Promise<unknown[]>, render: (rows: R[]) => string, empty: string, emptyWithoutGis = empty): Promise<JsonData> {
  const rows: R[] = [];
  const gpus = [];
  const on = await migGpus(ctx, false);
  for (const g of on) gpus.push({ index: g.index, [key]: await each(g, rows) });
  if (on.length && rows.length) ctx.print(render(rows));
  else if (on.length) {
    let anyGi = false;
    for (const g of on) if (!anyGi) anyGi = (await g.device.gpuInstances().catch(() => [])).length > 0;
    ctx.print(anyGi ? empty : emptyWithoutGis);
    // No GPU instance on any MIG-enabled GPU: nvidia-smi 580 exits 6 for -lgi, -lci and -lcip. An
    // empty result while GPU instances exist (a -gi filter that matches none, GIs without CIs)
    // stays exit 0: no recording of nvidia-smi shows those cases.
    if (!anyGi) ctx.record(emptyWithoutGis, new CliError('NO_GPU_INSTANCES', emptyWithoutGis, EXIT.NOT_FOUND));
  }
  return { gpus };
}

/** `mig -lgi [-gi ids]` / `list-gi`. */
export function listGi(ctx: Context, ids: number[] | null): Promise<JsonData> {
  return listing<GiRow>(ctx, 'gpuInstances', async (g, rows) => {
    const entries = [];
    for (const gi of await chosenGis(g, ids, null)) {
      const profile = await gi.profile();
      rows.push({ gpu: g.index, name: profile.name, profileId: gi.profileId, id: gi.id, placement: gi.placement });
      entries.push(giJson(gi, profile));
    }
    return entries;
  }, formatGpuInstances, lines.noGpuInstancesListed);
}

/** Explains an IN_USE refusal of a GI: its compute instances and the processes on it. */
async function giBusyDetail(ctx: Context, g: Gpu, gi: GpuInstance): Promise<string> {
  const cis = await gi.computeInstances().catch(() => [] as ComputeInstance[]);
  const procs = await ctx.processesOn(g.device, gi);
  const parts: string[] = [];
  const many = cis.length > 1;
  if (cis.length) parts.push(`compute instance${many ? 's' : ''} ${cis.map((c) => c.id).join(',')} still exist${many ? '' : 's'} (destroy ${many ? 'them' : 'it'} first: nvml-mig -i ${g.index} mig -dci -gi ${gi.id})`);
  if (procs.length) parts.push(`${processesUsing(procs)} (stop ${procs.length > 1 ? 'them' : 'it'} first)`);
  return parts.length ? `: ${parts.join('; ')}` : ': a client holds it (stop the processes that use the GPU, then retry)';
}

/** `mig -dgi [-gi ids]` / `destroy-gi`. Without ids: every GI of the selected GPUs, as nvidia-smi does. */
export async function destroyGi(ctx: Context, ids: number[] | null): Promise<JsonData> {
  const destroyed = [];
  let any = false;
  for (const g of await migGpus(ctx, true)) {
    const gis = await chosenGis(g, ids, (id, e) => ctx.fail(lines.destroyGiFailed(g.index, id, errorText(e)), e, { gpu: g.index, gi: id }));
    any ||= gis.length > 0 || ids !== null;
    for (const gi of gis) {
      try {
        await gi.destroy();
      } catch (e) {
        const detail = isNvmlError(e, 'NVML_ERROR_IN_USE') ? await giBusyDetail(ctx, g, gi) : adviceFor(e) ? ` (${adviceFor(e)})` : '';
        ctx.fail(lines.destroyGiFailed(g.index, gi.id, errorText(e) + detail), e, { gpu: g.index, gi: gi.id });
        continue;
      }
      ctx.print(lines.destroyedGi(g.index, gi.id));
      destroyed.push({ gpu: g.index, gpuInstanceId: gi.id });
    }
  }
  if (!any && ctx.exitCode === EXIT.OK) ctx.print(lines.noGpuInstances);
  return { destroyed };
}

// ---------------------------------------------------------------------------------------------
// Compute instances

/** `mig -lcip [-gi ids]` / `ci-profiles`. */
export function ciProfiles(ctx: Context, ids: number[] | null): Promise<JsonData> {
  return listing<CiProfileRow>(ctx, 'gpuInstances', async (g, rows) => {
    const gis = [];
    for (const gi of await chosenGis(g, ids, null)) {
      const entries = [];
      for (const p of await gi.computeInstanceProfiles()) {
        const free = await remainingOrZero(() => gi.computeInstanceRemainingCapacity(p.id));
        rows.push({
          gpu: g.index, gi: gi.id, name: p.name, id: p.id, isDefault: p.isDefault, free, total: p.instanceCount,
          sm: p.multiprocessorCount, dec: p.sharedDecoderCount, enc: p.sharedEncoderCount, ofa: p.sharedOfaCount,
          ce: p.sharedCopyEngineCount, jpeg: p.sharedJpegCount,
        });
        entries.push({
          id: p.id, index: p.index, name: p.name, shortName: p.shortName, isDefault: p.isDefault, sliceCount: p.sliceCount,
          instancesFree: free, instancesTotal: p.instanceCount, multiprocessors: p.multiprocessorCount,
          sharedCopyEngines: p.sharedCopyEngineCount, sharedDecoders: p.sharedDecoderCount, sharedEncoders: p.sharedEncoderCount,
          sharedJpegs: p.sharedJpegCount, sharedOfas: p.sharedOfaCount,
        });
      }
      gis.push({ id: gi.id, profiles: entries });
    }
    return gis;
  }, formatCiProfiles, lines.noGpuInstancesListed);
}

async function resolveCiProfile(gi: GpuInstance, spec: ProfileSpec): Promise<ComputeInstanceProfile> {
  const list = await gi.computeInstanceProfiles();
  const found = spec.id !== null ? list.find((p) => p.id === spec.id) : list.find((p) => sameProfileName(p.name, spec.name!));
  if (!found) {
    throw new CliError('PROFILE_NOT_FOUND', `GPU instance ${gi.id} has no such compute instance profile (it has ${profileChoices(list)})`, EXIT.REFUSED);
  }
  return found;
}

/** `mig -cci [profiles] [-gi ids]` / `create-ci`. Without profiles: the default CI of each GI. */
export async function createCi(ctx: Context, specs: ProfileSpec[] | null, ids: number[] | null): Promise<JsonData> {
  const created = [];
  let anyGi = false;
  for (const g of await migGpus(ctx, true)) {
    const gis = await chosenGis(g, ids, (id, e) =>
      ctx.fail(lines.createCiFailed(g.index, id, specs?.[0]?.text ?? 'default', `GPU instance ${errorText(e)}`), e, { gpu: g.index, gi: id }));
    anyGi ||= gis.length > 0;
    for (const gi of gis) {
      for (const spec of specs ?? [null]) {
        const label = spec?.text ?? 'default';
        try {
          const p = spec ? await resolveCiProfile(gi, spec) : await defaultCiProfile(gi);
          const ci = await gi.createComputeInstance(p.id);
          ctx.print(lines.createdCi(g.index, gi.id, ci.id, p.name, p.id));
          created.push({ gpu: g.index, requested: label, computeInstance: ciJson(ci, p) });
        } catch (e) {
          ctx.fail(lines.createCiFailed(g.index, gi.id, label, withAdvice(e)), e, { gpu: g.index, gi: gi.id });
          break;
        }
      }
    }
  }
  if (!anyGi && ctx.exitCode === EXIT.OK) ctx.fail(lines.noGpuInstances + " (create one first: nvml-mig mig -cgi <profile>)", new CliError('NO_GPU_INSTANCES', '', EXIT.REFUSED));
  return { created };
}

/** Every (GI, CI) pair on a GPU that the -gi/-ci filters select, CIs profile by profile as nvidia-smi lists them. */
async function chosenCis(g: Gpu, gi: number[] | null, ci: number[] | null): Promise<ComputeInstance[]> {
  const out: ComputeInstance[] = [];
  for (const inst of await chosenGis(g, gi, null)) {
    const cis = (await inst.computeInstances()).sort((a, b) => a.profileId - b.profileId || a.id - b.id);
    out.push(...cis.filter((c) => ci === null || ci.includes(c.id)));
  }
  return out;
}

/** `mig -lci [-gi ids] [-ci ids]` / `list-ci`. */
export function listCi(ctx: Context, gi: number[] | null, ci: number[] | null): Promise<JsonData> {
  return listing<CiRow>(ctx, 'computeInstances', async (g, rows) => {
    const entries = [];
    for (const c of await chosenCis(g, gi, ci)) {
      const p = await ciProfileOf(c.gpuInstance, c.profileId);
      rows.push({ gpu: g.index, gi: c.gpuInstance.id, name: p?.name ?? `profile ${c.profileId}`, profileId: c.profileId, id: c.id, placement: c.placement });
      entries.push(ciJson(c, p));
    }
    return entries;
  }, formatComputeInstances, lines.noComputeInstances, lines.noGpuInstancesListed);
}

/** `mig -dci [-gi ids] [-ci ids]` / `destroy-ci`. Without filters: every CI of the selected GPUs. */
export async function destroyCi(ctx: Context, gi: number[] | null, ci: number[] | null): Promise<JsonData> {
  const destroyed = [];
  let any = false;
  for (const g of await migGpus(ctx, true)) {
    const cis = await chosenCis(g, gi, ci);
    any ||= cis.length > 0;
    for (const c of cis) {
      try {
        await c.destroy();
      } catch (e) {
        let detail = adviceFor(e) ? ` (${adviceFor(e)})` : '';
        if (isNvmlError(e, 'NVML_ERROR_IN_USE')) {
          const procs = await ctx.processesOn(g.device, c.gpuInstance, c.id);
          detail = procs.length
            ? `: ${processesUsing(procs)} (stop ${procs.length > 1 ? 'them' : 'it'}, then retry)`
            : ': a client (CUDA, NVENC/NVDEC) holds it (stop it, then retry)';
        }
        ctx.fail(lines.destroyCiFailed(g.index, c.gpuInstance.id, c.id, errorText(e) + detail), e, { gpu: g.index, gi: c.gpuInstance.id, ci: c.id });
        continue;
      }
      ctx.print(lines.destroyedCi(g.index, c.gpuInstance.id, c.id));
      destroyed.push({ gpu: g.index, gpuInstanceId: c.gpuInstance.id, computeInstanceId: c.id });
    }
  }
  if (!any && ctx.exitCode === EXIT.OK) {
    if (ci !== null || gi !== null) {
      ctx.fail(`No compute instances match${gi ? ` -gi ${gi.join(',')}` : ''}${ci ? ` -ci ${ci.join(',')}` : ''}`, new CliError('NOT_FOUND', '', EXIT.REFUSED));
    } else {
      ctx.print(lines.noComputeInstances);
    }
  }
  return { destroyed };
}

// ---------------------------------------------------------------------------------------------
// MIG mode and the GPU list

/** `-mig 0|1` / `mode enable|disable`. A pending result names the reset it needs; nothing resets here. */
export async function setMode(ctx: Context, enable: boolean): Promise<JsonData> {
  const results = [];
  let allEffective = true;
  for (const device of await ctx.selectedDevices()) {
    const g = await describe(device);
    const what = enable ? 'enable' : 'disable';
    try {
      const r = await device.setMigMode(enable);
      const entry = { gpu: g.index, pciBusId: g.busId, requested: enable, activationStatus: r.activationStatus, mode: r.mode, effective: r.mode.current === enable };
      results.push(entry);
      if (entry.effective) {
        ctx.print(lines.modeSet(enable, g.busId));
        continue;
      }
      allEffective = false;
      const busy = r.activationStatus === 'NVML_ERROR_IN_USE';
      const why = r.activationStatus === 'NVML_SUCCESS' ? 'Reset Required' : codeText(r.activationStatus);
      ctx.warn(lines.modePending(enable, g.busId, why));
      let advice = resetAdvice(g.index, g.busId, ctx.simPrefix);
      if (busy) {
        const holders: string[] = [];
        const procs = await ctx.processesOn(device);
        if (procs.length) holders.push(processesUsing(procs, `GPU ${g.index}`));
        const gis = enable ? [] : await device.gpuInstances().catch(() => [] as GpuInstance[]);
        if (gis.length) holders.push(`GPU instances ${gis.map((x) => x.id).join(',')} exist (destroy them: nvml-mig -i ${g.index} mig -dci, then mig -dgi)`);
        const reset = ctx.simPrefix !== null ? `'${ctx.simPrefix} -r -i ${g.index}'` : `('sudo nvidia-smi -r -i ${g.index}') or reboot`;
        advice = `${holders.join('; ') || 'a client holds the GPU'}: free it and run the command again, or reset the GPU ${reset} to make the change effective${ctx.simPrefix !== null ? '' : ' (nvml-mig never resets a GPU itself)'}`;
      }
      ctx.fail(`MIG mode ${what} is pending on GPU ${g.index} (${g.busId}): ${advice}`, new CliError('MIG_MODE_PENDING', '', busy ? EXIT.BUSY : EXIT.PARTIAL), { gpu: g.index });
    } catch (e) {
      allEffective = false;
      let detail = adviceFor(e) ? ` (${adviceFor(e)})` : '';
      if (isNvmlError(e, 'NVML_ERROR_IN_USE')) {
        // Processes first (they must stop before anything else can go), then the instances.
        const gis = await device.gpuInstances().catch(() => [] as GpuInstance[]);
        const procs = await ctx.processesOn(device);
        for (const gi of gis) procs.push(...(await ctx.processesOn(device, gi)).filter((p) => !procs.some((q) => q.pid === p.pid)));
        const parts: string[] = [];
        if (procs.length) parts.push(`${processesUsing(procs, `GPU ${g.index}`)}: stop ${procs.length > 1 ? 'them' : 'it'} first`);
        if (gis.length) parts.push(`GPU instance${gis.length > 1 ? 's' : ''} ${gis.map((x) => x.id).join(',')} exist${gis.length > 1 ? '' : 's'}: destroy ${gis.length > 1 ? 'them' : 'it'} first with 'nvml-mig -i ${g.index} mig -dci' then 'nvml-mig -i ${g.index} mig -dgi'`);
        detail = parts.length ? ` (${parts.join('; ')})` : ' (a client holds the GPU: stop it, then retry)';
      }
      ctx.fail(`Unable to ${what} MIG mode for GPU ${g.busId}: ${errorText(e)}${detail}`, e, { gpu: g.index });
    }
  }
  if (allEffective) ctx.print(lines.allDone);
  return { results };
}

/** The MIG device name as -L prints it ("MIG 1g.10gb"), from NVML's "<GPU> MIG 1g.10gb". */
function migDisplayName(name: string): string {
  const at = name.indexOf('MIG ');
  return at >= 0 ? name.slice(at) : name;
}

/** `-L` / `list`. */
export async function list(ctx: Context): Promise<JsonData> {
  const gpus = [];
  for (const device of await ctx.selectedDevices()) {
    const [name, uuid, mode] = await Promise.all([device.name(), device.uuid(), migModeOrNull(device)]);
    const migDevices = [];
    if (mode?.current) {
      for (const m of await device.migDevices()) {
        const [mname, muuid, gi, ci] = await Promise.all([m.name(), m.uuid(), m.gpuInstanceId(), m.computeInstanceId()]);
        migDevices.push({ index: m.index, name: migDisplayName(mname), uuid: muuid, gpuInstanceId: gi, computeInstanceId: ci });
      }
    }
    gpus.push({ index: device.index, name, uuid, migDevices });
  }
  ctx.print(formatGpuList(gpus));
  return { gpus };
}

export { migDisplayName, migModeOrNull };
