// MIG profile names: one type with parse and format, used by the facade (profile names of GPU and
// compute instances), the command line (create-gi 1g.10gb), layouts (mig-devices keys) and the exporter
// (the short names of its labels). The grammar, as the driver and mig-parted write names:
//
//   [MIG ][<C>c.]<G>g.<M>gb[+<attr>[,<attr>...] | -<attr>[,<attr>...]]
//
// C: compute slices of a compute instance inside a GPU instance of G slices (1 <= C <= G; C = G is
// the GI-wide compute instance, which the driver names like its GPU instance, so it is written
// without "<C>c."); M: memory in GB (at least 1); attr: a lower-case word, dot-separated parts
// allowed ("me", "gfx", "me.all"), each at most once. Case is ignored; the canonical form is lower
// case without "MIG ". Examples: 1g.10gb, MIG 1c.3g.40gb, 1g.10gb+me, 1g.24gb-me, 1g.24gb+me.all,
// 2g.48gb+gfx,me.

/**
 * A parsed profile name in the go-nvlib / mig-parted format `[Cc.]Gg.Mgb[+attr[,attr]|-attr]`.
 *
 * @example
 * ```ts
 * import { parseProfileName, type ParsedProfileName } from 'nvml-mig';
 *
 * const p: ParsedProfileName | null = parseProfileName('1c.3g.40gb');
 * console.log(p?.computeSlices, p?.gpuSlices, p?.memoryGB); // 1 3 40
 * ```
 */
export interface ParsedProfileName {
  /** C of "Cc.", or null when the name has no compute part (a GI, or the GI-wide CI: "3c.3g.40gb" is "3g.40gb"). */
  computeSlices: number | null;
  /** G of "Gg". */
  gpuSlices: number;
  /** M of "Mgb". */
  memoryGB: number;
  /** In order, with their sign: ['+me'], ['+gfx', '+me'], ['-me'], ['+me.all']. */
  attributes: string[];
  /** The GPU instance part in canonical form: "3g.40gb+me". */
  gpuInstanceName: string;
  /** The whole name in canonical form, without "MIG ": "1c.3g.40gb+me". */
  canonical: string;
}

const MIG_PREFIX = 'MIG ';
const NAME_RE = /^(?:mig\s+)?(?:(\d{1,6})c\.)?(\d{1,6})g\.(\d{1,7})gb(?:([+-])(.*))?$/;
const ATTR_RE = /^[a-z][a-z0-9]*(?:\.[a-z0-9]+)*$/;
const EXPECTED =
  'expected [MIG ][<C>c.]<G>g.<M>gb, optionally with +attr[,attr] or -attr (e.g. 1g.10gb, 1c.3g.40gb, 1g.10gb+me, MIG 3g.40gb)';

/**
 * A MIG profile name: parse any accepted spelling with {@link MigProfileName.parse}, format it with
 * `toString()` (canonical, short) or {@link MigProfileName.fullName} (the driver's "MIG " form).
 * The CLI, layout files and the exporter all read names through this one type.
 *
 * @example
 * ```ts
 * import { MigProfileName } from 'nvml-mig';
 *
 * const p = MigProfileName.parse('MIG 1C.3g.40GB+me');
 * console.log(String(p), p.fullName, p.gpuInstanceName); // 1c.3g.40gb+me MIG 1c.3g.40gb+me 3g.40gb+me
 * console.log(MigProfileName.parse('3c.3g.40gb').equals('MIG 3g.40gb')); // true: the GI-wide CI
 * ```
 */
export class MigProfileName implements ParsedProfileName {
  readonly computeSlices: number | null;
  readonly gpuSlices: number;
  readonly memoryGB: number;
  readonly attributes: string[];
  readonly gpuInstanceName: string;
  readonly canonical: string;

  private constructor(computeSlices: number | null, gpuSlices: number, memoryGB: number, attributes: string[]) {
    this.computeSlices = computeSlices;
    this.gpuSlices = gpuSlices;
    this.memoryGB = memoryGB;
    this.attributes = attributes;
    const suffix =
      attributes.length === 0 ? '' : attributes[0][0] + attributes.map((a) => a.slice(1)).join(',');
    this.gpuInstanceName = `${gpuSlices}g.${memoryGB}gb${suffix}`;
    this.canonical = computeSlices === null ? this.gpuInstanceName : `${computeSlices}c.${this.gpuInstanceName}`;
  }

  /**
   * Parses a name; throws a TypeError for a non-string and a RangeError that says what is wrong for a
   * malformed name.
   *
   * @example
   * ```ts
   * import { MigProfileName } from 'nvml-mig';
   *
   * MigProfileName.parse('1g.10gb+me').memoryGB; // 10
   * try { MigProfileName.parse('4c.3g.40gb'); } catch (e) { console.log((e as RangeError).message); }
   * ```
   */
  static parse(text: string): MigProfileName {
    if (typeof text !== 'string') throw new TypeError(`a MIG profile name must be a string, got ${typeof text}`);
    const r = MigProfileName.check(text);
    if (typeof r === 'string') throw new RangeError(r);
    return r;
  }

  /**
   * Parses a name; returns a message saying what is wrong instead of throwing.
   *
   * @example
   * ```ts
   * import { MigProfileName } from 'nvml-mig';
   *
   * const r = MigProfileName.check('3x.40gb');
   * if (typeof r === 'string') console.log(r); // "3x.40gb" is not a MIG profile: expected ...
   * ```
   */
  static check(text: unknown): MigProfileName | string {
    if (typeof text !== 'string') return `a MIG profile name must be a string, got ${typeof text}`;
    const m = NAME_RE.exec(text.trim().toLowerCase());
    if (!m) return `"${text}" is not a MIG profile: ${EXPECTED}`;
    const c = m[1] === undefined ? null : Number(m[1]);
    const g = Number(m[2]);
    const mem = Number(m[3]);
    if (g < 1) return `"${text}": the GPU-instance slice count must be at least 1`;
    if (c !== null && c < 1) return `"${text}": the compute-instance slice count must be at least 1`;
    if (c !== null && c > g) return `"${text}": a compute instance of ${c} slices cannot fit a ${g}-slice GPU instance`;
    if (mem < 1) return `"${text}": the memory must be at least 1 GB`;
    const attributes: string[] = [];
    if (m[4] !== undefined) {
      for (const a of m[5].split(',')) {
        if (!ATTR_RE.test(a)) return `"${text}": "${a}" is not an attribute (a word such as me, gfx or me.all): ${EXPECTED}`;
        if (attributes.some((x) => x.slice(1) === a)) return `"${text}": attribute ${a} is listed twice`;
        attributes.push(m[4] + a);
      }
    }
    return new MigProfileName(c === g ? null : c, g, mem, attributes);
  }

  /** The driver's spelling: "MIG " and the canonical name ("MIG 1c.3g.40gb"). */
  get fullName(): string {
    return MIG_PREFIX + this.canonical;
  }

  /** Whether another name (parsed or not) means the same profile. A malformed string is never equal. */
  equals(other: MigProfileName | string): boolean {
    const o = typeof other === 'string' ? MigProfileName.check(other) : other;
    return typeof o !== 'string' && o.canonical === this.canonical;
  }

  /** The canonical short name: "1c.3g.40gb+me". */
  toString(): string {
    return this.canonical;
  }
}

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
 * Parses "1g.10gb", "MIG 1c.3g.40gb", "1g.10gb+me", "2g.48gb-me", "1g.24gb+me.all"
 * ({@link MigProfileName}'s grammar). Null if malformed.
 *
 * @example
 * ```ts
 * import { parseProfileName } from 'nvml-mig';
 *
 * parseProfileName('MIG 1g.10gb+me')?.attributes; // ['+me']
 * parseProfileName('ten gigs');                   // null
 * ```
 */
export function parseProfileName(name: string): ParsedProfileName | null {
  const r = MigProfileName.check(name);
  return typeof r === 'string' ? null : r;
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
  const pa = MigProfileName.check(a);
  const pb = MigProfileName.check(b);
  if (typeof pa !== 'string' && typeof pb !== 'string') return pa.canonical === pb.canonical;
  return shortProfileName(a) === shortProfileName(b);
}

/**
 * A `mig-devices` key of a layout, parsed ({@link MigProfileName} in the layout's terms).
 *
 * @example
 * ```ts
 * import { parseProfileKey } from 'nvml-mig/layout';
 *
 * const parsed = parseProfileKey('1g.10gb+me');
 * if (typeof parsed !== 'string') console.log(parsed.giSlices, parsed.memoryGB, parsed.key); // 1 10 1g.10gb+me
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

/**
 * Parses a layout key ({@link MigProfileName}'s grammar, the one `create-gi` accepts); returns a
 * message saying what is wrong instead when it is malformed.
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
  const p = MigProfileName.check(text);
  if (typeof p === 'string') return p;
  return { ciSlices: p.computeSlices, giSlices: p.gpuSlices, memoryGB: p.memoryGB, giName: p.gpuInstanceName, key: p.canonical };
}
