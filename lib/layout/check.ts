// The door of the layout functions: a layout given as an object (or config entries) is checked
// here before anything is read, planned or allocated. Unknown keys, wrong types, counts no GPU can
// hold and an empty layout are errors naming the place, never a plan that checked nothing.

import type { Nvml } from '../nvml.js';
import { checkNvml } from '../validate.js';

/**
 * The most MIG devices a layout may ask of one GPU. No MIG GPU holds more than 7 (7 compute
 * slices); the ceiling is higher so that a future model is not refused here, and low enough that
 * the planner's work stays small. A config file's counts are held to it as well.
 */
export const MAX_MIG_DEVICES_PER_GPU = 64;

const TARGET_KEYS = ['migEnabled', 'migDevices'];
const ENTRY_KEYS = ['devices', 'deviceFilter', 'migEnabled', 'migDevices', 'loc', 'keyLocs'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** The key the user probably meant: same letters but for case, or one letter added, dropped or changed. */
function suggestion(key: string, known: string[]): string {
  const k = key.toLowerCase();
  const near = known.find((w) => {
    const x = w.toLowerCase();
    if (x === k) return true;
    if (Math.abs(x.length - k.length) > 1) return false;
    let i = 0;
    let j = 0;
    let edits = 0;
    while (i < x.length && j < k.length) {
      if (x[i] === k[j]) { i++; j++; continue; }
      if (++edits > 1) return false;
      if (x.length > k.length) i++;
      else if (k.length > x.length) j++;
      else { i++; j++; }
    }
    return edits + (x.length - i) + (k.length - j) <= 1;
  });
  return near ? ` (did you mean "${near}"?)` : '';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkKeys(o: Record<string, unknown>, known: string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown key "${k}"${suggestion(k, known)}; a layout has ${known.filter((x) => x !== 'loc' && x !== 'keyLocs').join(' and ')}`);
  }
}

function checkDevices(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isPlainObject(v)) throw new TypeError(`${where}.migDevices must be an object of profile → count, got ${describe(v)}`);
  let total = 0;
  for (const [key, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TypeError(`${where}.migDevices["${key}"] must be an integer >= 0, got ${describe(n)}`);
    total += n;
    if (n > MAX_MIG_DEVICES_PER_GPU || total > MAX_MIG_DEVICES_PER_GPU) {
      throw new RangeError(`${where}.migDevices asks for ${n > MAX_MIG_DEVICES_PER_GPU ? n : total} MIG devices on one GPU: at most ${MAX_MIG_DEVICES_PER_GPU} are accepted (no MIG GPU holds more than 7)`);
    }
  }
}

function checkTarget(t: unknown, where: string): void {
  if (!isPlainObject(t)) throw new TypeError(`${where} must be an object { migEnabled, migDevices }, got ${describe(t)}`);
  checkKeys(t, TARGET_KEYS, where);
  if (typeof t.migEnabled !== 'boolean') throw new TypeError(`${where}.migEnabled must be true or false, got ${t.migEnabled === undefined ? 'nothing' : describe(t.migEnabled)}`);
  checkDevices(t.migDevices, where);
}

function checkEntry(e: unknown, where: string): void {
  if (!isPlainObject(e)) throw new TypeError(`${where} must be a config entry, got ${describe(e)}`);
  checkKeys(e, ENTRY_KEYS, where);
  if (e.devices !== 'all' && !(Array.isArray(e.devices) && e.devices.length > 0 && e.devices.every((d) => Number.isInteger(d) && (d as number) >= 0))) {
    throw new TypeError(`${where}.devices must be 'all' or a non-empty list of GPU indices, got ${describe(e.devices)}`);
  }
  if (typeof e.migEnabled !== 'boolean') throw new TypeError(`${where}.migEnabled must be true or false, got ${describe(e.migEnabled)}`);
  checkDevices(e.migDevices, where);
}

/** Which form a layout has: config entries, one target for every GPU, or targets by GPU index. */
export type LayoutForm = 'entries' | 'target' | 'by-gpu';

/**
 * Checks a layout before anything else happens; throws TypeError (shape, keys, types) or
 * RangeError (counts) naming the place. Returns the layout's form.
 */
export function checkLayoutInput(input: unknown): LayoutForm {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new TypeError('layout has no entries: nothing would be checked or changed');
    input.forEach((e, i) => checkEntry(e, `layout[${i}]`));
    return 'entries';
  }
  if (!isPlainObject(input)) {
    throw new TypeError(`layout must be { migEnabled, migDevices }, an object of GPU index → layout, or config entries; got ${describe(input)}`);
  }
  const keys = Object.keys(input);
  if (keys.length === 0) throw new TypeError('layout is empty: give { migEnabled, migDevices } or an object of GPU index → layout');
  if (keys.every((k) => /^\d+$/.test(k))) {
    for (const k of keys) {
      if (k.length > 1 && k.startsWith('0')) throw new TypeError(`layout: GPU index "${k}" must be written without leading zeros`);
      checkTarget(input[k], `layout[${k}]`);
    }
    return 'by-gpu';
  }
  checkTarget(input, 'layout');
  return 'target';
}

/** The GPU indices a by-GPU layout names that the node does not have (an error: nothing would change there). */
export function missingGpus(input: unknown, count: number): number[] {
  if (checkLayoutInput(input) !== 'by-gpu') return [];
  return Object.keys(input as object).map(Number).filter((i) => i >= count);
}

/**
 * The checks every layout function makes first: the library handle, the layout's shape and counts
 * (before anything is read or allocated), and that the GPUs a by-GPU layout names exist.
 */
export async function checkAtTheDoor(nvml: Nvml, input: unknown): Promise<void> {
  checkNvml('nvml', nvml);
  checkLayoutInput(input);
  const count = await nvml.deviceCount();
  const missing = missingGpus(input, count);
  if (missing.length) throw new RangeError(`layout names GPU ${missing.join(', ')}, which this node does not have (it has ${count} GPU${count === 1 ? '' : 's'})`);
}

