// Which target each GPU gets: from a mig-parted config (devices + device-filter), from one layout for every GPU,
// or from a map of GPU index → layout. Then the node plan: one planner run per GPU, each with its own model.
import { parseProfileKey } from '../profile-name.js';
import type { MigConfigEntry } from './config.js';
import { planGpu } from './planner.js';
import { checkLayoutInput } from './check.js';
import type { DeviceModel, GpuPlan, GpuState, GpuTarget, Plan } from './types.js';

/**
 * A layout as the API takes it.
 *
 * @example
 * ```ts
 * import type { LayoutInput } from 'nvml-mig/layout';
 *
 * const everyGpu: LayoutInput = { migEnabled: true, migDevices: { '3g.40gb': 2 } };
 * const byIndex: LayoutInput = { 0: { migEnabled: false, migDevices: {} }, 1: { migEnabled: true, migDevices: { '1g.10gb': 7 } } };
 * // or the MigConfigEntry[] of one config of a mig-parted file (see selectConfig)
 * console.log(everyGpu, byIndex);
 * ```
 */
export type LayoutInput = MigConfigEntry[] | GpuTarget | Record<number, GpuTarget>;

/**
 * The target chosen for one GPU, and which config entry it came from.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, chooseTargets, type TargetChoice } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const states = (await readNode(nvml)).map((g) => g.state);
 * const choice: TargetChoice | undefined = chooseTargets({ 1: { migEnabled: true, migDevices: { '7g.40gb': 1 } } }, states).get(1);
 * console.log(choice?.target.migDevices, choice?.source, choice?.error); // { '7g.40gb': 1 } 'layout for GPU 1' undefined
 * ```
 */
export interface TargetChoice {
  target: GpuTarget;
  source: string;
  error?: string;
}

function filterMatches(filter: string, gpu: GpuState): boolean {
  const [dev, sub] = filter.split(':');
  if (parseInt(dev!, 16) >>> 0 !== gpu.pciDeviceId >>> 0) return false;
  return sub === undefined || parseInt(sub, 16) >>> 0 === gpu.pciSubSystemId >>> 0;
}

/**
 * True when `entry` selects `gpu`: its index is listed (or `all`) and a device-filter, if any, matches.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, parseMigPartedConfig, selectConfig, entrySelects } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * const { entries } = selectConfig(parseMigPartedConfig('{"version": "v1", "mig-configs": {"c": [{"devices": [0], "mig-enabled": false}]}}'));
 * console.log(entries.map((e) => entrySelects(e, gpu.state))); // [ true ]: index 0, and no device-filter to refuse it
 * ```
 */
export function entrySelects(entry: MigConfigEntry, gpu: GpuState): boolean {
  if (entry.devices !== 'all' && !entry.devices.includes(gpu.index)) return false;
  return !entry.deviceFilter || entry.deviceFilter.some((f) => filterMatches(f, gpu));
}

function sameTarget(a: GpuTarget, b: GpuTarget): boolean {
  if (a.migEnabled !== b.migEnabled) return false;
  const ka = Object.entries(a.migDevices).filter(([, n]) => n > 0).sort();
  const kb = Object.entries(b.migDevices).filter(([, n]) => n > 0).sort();
  return JSON.stringify(ka) === JSON.stringify(kb);
}

function describeEntry(e: MigConfigEntry, i: number): string {
  return e.loc ? `entry ${i} (${e.loc.file}:${e.loc.line})` : `entry ${i}`;
}

/**
 * Canonicalises a layout given as an object (`3c.3g.40gb` → `3g.40gb`), validating keys and counts.
 *
 * @example
 * ```ts
 * import { normaliseTarget } from 'nvml-mig/layout';
 *
 * console.log(normaliseTarget({ migEnabled: true, migDevices: { '3c.3g.40gb': 2, '1g.10gb': 0 } }).migDevices); // { '3g.40gb': 2, '1g.10gb': 0 }: canonical keys
 * ```
 */
export function normaliseTarget(t: GpuTarget): GpuTarget {
  if (typeof t !== 'object' || t === null || typeof t.migEnabled !== 'boolean') throw new TypeError('a GPU layout needs migEnabled: boolean');
  const migDevices: Record<string, number> = {};
  for (const [k, n] of Object.entries(t.migDevices ?? {})) {
    const p = parseProfileKey(k);
    if (typeof p === 'string') throw new TypeError(p);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`count of ${k} must be an integer >= 0, got ${n}`);
    migDevices[p.key] = (migDevices[p.key] ?? 0) + n;
  }
  if (!t.migEnabled && Object.values(migDevices).some((n) => n > 0)) throw new TypeError('migDevices must be empty when migEnabled is false');
  return { migEnabled: t.migEnabled, migDevices };
}

/**
 * The target of every GPU the layout covers (GPUs it does not cover are left alone, as mig-parted does).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, chooseTargets } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const states = (await readNode(nvml)).map((g) => g.state);
 * for (const [gpu, c] of chooseTargets({ migEnabled: true, migDevices: { '3g.20gb': 2 } }, states)) console.log(gpu, c.target.migDevices, c.source);
 * ```
 */
export function chooseTargets(input: LayoutInput, gpus: GpuState[]): Map<number, TargetChoice> {
  checkLayoutInput(input);
  const out = new Map<number, TargetChoice>();
  if (Array.isArray(input)) {
    for (const gpu of gpus) {
      const hits = input.map((e, i) => ({ e, i })).filter(({ e }) => entrySelects(e, gpu));
      if (hits.length === 0) continue;
      const first = hits[0]!;
      const target = { migEnabled: first.e.migEnabled, migDevices: first.e.migDevices };
      const clash = hits.length > 1 ? hits.find((h) => !sameTarget(h.e, target)) : undefined;
      out.set(gpu.index, {
        target,
        source: describeEntry(first.e, first.i),
        error: clash ? `GPU ${gpu.index} is selected by ${describeEntry(first.e, first.i)} and ${describeEntry(clash.e, clash.i)} with different layouts` : undefined,
      });
    }
  } else if ('migEnabled' in input && typeof input.migEnabled === 'boolean') {
    const t = normaliseTarget(input as GpuTarget);
    for (const gpu of gpus) out.set(gpu.index, { target: t, source: 'layout' });
  } else {
    for (const [k, t] of Object.entries(input as Record<number, GpuTarget>)) {
      const i = Number(k);
      if (gpus.some((g) => g.index === i)) out.set(i, { target: normaliseTarget(t), source: `layout for GPU ${i}` });
    }
  }
  return out;
}

/** Where an unknown-profile error of `entry` points, when the entry came from a file. */
function locate(choice: TargetChoice, entries: LayoutInput, message: string): string {
  if (!Array.isArray(entries)) return message;
  for (const e of entries) {
    for (const [key, loc] of Object.entries(e.keyLocs ?? {})) {
      if (message.startsWith(`profile ${key} `)) return `${loc.file}:${loc.line}:${loc.column}: ${message}`;
    }
  }
  const entry = entries.find((e) => choice.source.startsWith(`entry ${entries.indexOf(e)} `));
  return entry?.loc ? `${entry.loc.file}:${entry.loc.line}:${entry.loc.column}: ${message}` : `${choice.source}: ${message}`;
}

/**
 * Plans a node: each GPU with its own model and state. Pure.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, planNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const plan = planNode(await readNode(nvml), { 0: { migEnabled: true, migDevices: { '1g.5gb': 7 } } }); // pure: no NVML call
 * console.log(plan.ok, plan.changes, plan.gpus.map((g) => g.target)); // true 15, and a plan for GPU 0 only
 * ```
 */
export function planNode(gpus: { state: GpuState; model: DeviceModel | null }[], input: LayoutInput): Plan {
  const choices = chooseTargets(input, gpus.map((g) => g.state));
  const plans: GpuPlan[] = [];
  for (const { state, model } of gpus) {
    const choice = choices.get(state.index);
    if (!choice) continue;
    const p = planGpu(model, state, choice.target, { source: choice.source });
    if (choice.error) Object.assign(p, { ok: false, error: choice.error, steps: [] });
    else if (p.error) p.error = locate(choice, input, p.error);
    plans.push(p);
  }
  return summarise(plans);
}

export function summarise(gpus: GpuPlan[]): Plan {
  const blocked = gpus.some((g) => g.steps.some((s) => s.blockedBy?.length));
  return { gpus, ok: gpus.every((g) => g.ok), blocked, changes: gpus.reduce((n, g) => n + g.steps.length, 0) };
}
