// MIG device keys as mig-parted writes them: `1g.10gb`, `1c.3g.40gb`, `1g.10gb+me`, `1g.24gb-me`,
// `1g.24gb+me.all`, `2g.48gb+gfx,me`. The C part names a compute-instance profile inside a GI of the G part.

/**
 * A `mig-devices` key of a layout, parsed.
 *
 * @example
 * ```ts
 * import { parseProfileKey } from 'nvml-mig/layout';
 *
 * const parsed = parseProfileKey('1g.10gb+me');
 * if (typeof parsed !== 'string') console.log(parsed.giSlices, parsed.memoryGB, parsed.key);
 * ```
 */
export interface ParsedProfileKey {
  /** Compute slices of the CI, or null for a CI spanning the whole GI (`3g.40gb`). */
  ciSlices: number | null;
  giSlices: number;
  memoryGB: number;
  /** GI profile name as the driver spells it (lower case), e.g. "1g.10gb+me". */
  giName: string;
  /** Canonical key: `3c.3g.40gb` is written `3g.40gb`. */
  key: string;
}

const KEY_RE = /^(?:(\d+)c\.)?(\d+)g\.(\d+)gb((?:[+-][a-z][a-z0-9]*(?:\.[a-z0-9]+)*(?:,[a-z][a-z0-9]*(?:\.[a-z0-9]+)*)*)?)$/;

/**
 * Parses a key; returns a message saying what is wrong instead when it is malformed.
 *
 * @example
 * ```ts
 * import { parseProfileKey } from 'nvml-mig/layout';
 *
 * parseProfileKey('1c.3g.40gb'); // { ciSlices: 1, giSlices: 3, memoryGB: 40, giName: '3g.40gb', key: '1c.3g.40gb' }
 * parseProfileKey('3x.40gb');    // a string saying what is wrong
 * ```
 */
export function parseProfileKey(text: string): ParsedProfileKey | string {
  const m = KEY_RE.exec(text.trim().toLowerCase());
  if (!m) {
    return `"${text}" is not a MIG profile: expected <G>g.<M>gb or <C>c.<G>g.<M>gb, optionally with +attr or -attr (e.g. 1g.10gb, 1c.3g.40gb, 1g.10gb+me)`;
  }
  const ci = m[1] === undefined ? null : Number(m[1]);
  const g = Number(m[2]);
  const mem = Number(m[3]);
  if (g < 1) return `"${text}": the GPU-instance slice count must be at least 1`;
  if (ci !== null && ci < 1) return `"${text}": the compute-instance slice count must be at least 1`;
  if (ci !== null && ci > g) return `"${text}": a compute instance of ${ci} slices cannot fit a ${g}-slice GPU instance`;
  const giName = `${g}g.${mem}gb${m[4]}`;
  const ciSlices = ci === null || ci === g ? null : ci;
  return { ciSlices, giSlices: g, memoryGB: mem, giName, key: ciSlices === null ? giName : `${ciSlices}c.${giName}` };
}
