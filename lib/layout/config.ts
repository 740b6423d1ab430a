// mig-parted's config file (api/spec/v1), read unchanged: `version: v1`, `mig-configs: {name: [spec...]}`.
// Validation follows mig-parted's (unknown fields rejected, required fields, counts >= 0, key format) and every
// error names file:line:column. Plain objects go through the same validator (without positions).
import { readFileSync } from 'node:fs';
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { parseProfileKey } from '../profile-name.js';
import { MAX_MIG_DEVICES_PER_GPU } from './check.js';

/**
 * Where in a config file a value was read (1-based line and column).
 *
 * @example
 * ```ts
 * import { parseMigPartedConfig } from 'nvml-mig/layout';
 *
 * const text = 'version: v1\nmig-configs:\n  all-3g:\n    - devices: all\n      mig-enabled: true\n      mig-devices: { 3g.40gb: 2 }';
 * const [entry] = parseMigPartedConfig(text, 'mig.yaml').migConfigs['all-3g']!;
 * console.log(entry?.loc); // { file: 'mig.yaml', line: 4, column: 7 }
 * ```
 */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * One entry of a mig-parted config: which devices, MIG on or off, and the MIG devices wanted.
 *
 * @example
 * ```ts
 * import { loadMigPartedConfig } from 'nvml-mig/layout';
 *
 * const entries = loadMigPartedConfig('/etc/nvidia-mig-manager/config.yaml').migConfigs['all-balanced'] ?? [];
 * for (const e of entries) console.log(e.devices, e.deviceFilter, e.migEnabled, e.migDevices); // 'all' null true { '1g.10gb': 2, ... }
 * ```
 */
export interface MigConfigEntry {
  devices: 'all' | number[];
  /** PCI ids as written, `0xDDDDVVVV` or `0xDDDDVVVV:0xSSSSssss`; null when the entry has no filter. */
  deviceFilter: string[] | null;
  migEnabled: boolean;
  /** Canonical profile key → count (`3c.3g.40gb` is stored as `3g.40gb`). */
  migDevices: Record<string, number>;
  /** Where the entry is, and where each mig-devices key is, for errors found later (e.g. unknown profile). */
  loc?: SourceLocation;
  keyLocs?: Record<string, SourceLocation>;
}

/**
 * A mig-parted config file (`version: v1`, `mig-configs`), parsed.
 *
 * @example
 * ```ts
 * import { loadMigPartedConfig } from 'nvml-mig/layout';
 *
 * const config = loadMigPartedConfig('mig.yaml');
 * console.log(config.version, config.file, Object.keys(config.migConfigs)); // 'v1' 'mig.yaml' [ 'all-disabled', 'all-1g.10gb', ... ]
 * ```
 */
export interface MigPartedConfig {
  version: 'v1';
  migConfigs: Record<string, MigConfigEntry[]>;
  file?: string;
}

/**
 * One problem found in a config file, with where it is.
 *
 * @example
 * ```ts
 * import { parseMigPartedConfig, LayoutConfigError } from 'nvml-mig/layout';
 *
 * try {
 *   parseMigPartedConfig('version: v2\nmig-configs: {}', 'mig.yaml');
 * } catch (e) {
 *   if (e instanceof LayoutConfigError) for (const p of e.problems) console.error(p.message, p.loc?.line, p.loc?.column);
 * }
 * ```
 */
export interface ConfigProblem {
  message: string;
  loc?: SourceLocation;
}

/**
 * An invalid config file: every problem found, each with its file, line and column.
 *
 * @example
 * ```ts
 * import { loadMigPartedConfig, LayoutConfigError } from 'nvml-mig/layout';
 *
 * try {
 *   loadMigPartedConfig('mig.yaml');
 * } catch (e) {
 *   if (!(e instanceof LayoutConfigError)) throw e;
 *   console.error(e.code, e.problems.length); // 'ERR_LAYOUT_CONFIG'; e.message holds one line per problem
 * }
 * ```
 */
export class LayoutConfigError extends Error {
  readonly code = 'ERR_LAYOUT_CONFIG';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'LayoutConfigError';
  }
}

/**
 * A problem as one line: `file:line:column: message`.
 *
 * @example
 * ```ts
 * import { formatProblem } from 'nvml-mig/layout';
 *
 * console.log(formatProblem({ message: 'unknown profile "5g.40gb"', loc: { file: 'mig.yaml', line: 7, column: 9 } }));
 * // mig.yaml:7:9: unknown profile "5g.40gb"
 * ```
 */
export function formatProblem(p: ConfigProblem): string {
  return p.loc ? `${p.loc.file}:${p.loc.line}:${p.loc.column}: ${p.message}` : p.message;
}

const ENTRY_FIELDS = new Set(['devices', 'mig-enabled', 'mig-devices', 'device-filter']);
const FILTER_RE = /^0x[0-9a-f]{8}(?::0x[0-9a-f]{8})?$/i;

class Reader {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly file: string, private readonly lines: LineCounter | null) {}

  loc(node: Node | Pair | null | undefined): SourceLocation | undefined {
    const n = node && 'range' in node ? node : node && 'key' in node ? (node.key as Node) : null;
    const offset = n?.range?.[0];
    if (!this.lines || offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  fail(message: string, node?: Node | Pair | null): void {
    this.problems.push({ message, loc: this.loc(node) });
  }
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'empty' : `${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'nothing';
}

function readEntry(r: Reader, node: unknown, where: string): MigConfigEntry | null {
  if (!isMap(node)) {
    r.fail(`${where}: expected a map with devices, mig-enabled, mig-devices, got ${describe(node)}`, node as Node);
    return null;
  }
  const byKey = new Map<string, Pair>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!ENTRY_FIELDS.has(key)) {
      r.fail(`${where}: unknown field "${key}" (allowed: devices, mig-enabled, mig-devices, device-filter)`, pair);
      continue;
    }
    byKey.set(key, pair);
  }
  const before = r.problems.length;
  const entry: MigConfigEntry = { devices: 'all', deviceFilter: null, migEnabled: false, migDevices: {}, loc: r.loc(node) };

  const devices = byKey.get('devices');
  if (!devices) r.fail(`${where}: missing required field "devices" (all, or a list of GPU indices)`, node);
  else if (isScalar(devices.value) && devices.value.value === 'all') entry.devices = 'all';
  else if (isSeq(devices.value)) {
    const list: number[] = [];
    for (const item of devices.value.items) {
      const v = isScalar(item) ? item.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) r.fail(`${where}: devices: expected a GPU index (integer >= 0), got ${describe(item)}`, item as Node);
      else list.push(v);
    }
    if (devices.value.items.length === 0) r.fail(`${where}: devices: the list is empty`, devices.value);
    entry.devices = [...new Set(list)];
  } else r.fail(`${where}: devices: expected "all" or a list of GPU indices, got ${describe(devices.value)}`, (devices.value as Node) ?? devices);

  const enabled = byKey.get('mig-enabled');
  if (!enabled) r.fail(`${where}: missing required field "mig-enabled" (true or false)`, node);
  else if (!isScalar(enabled.value) || typeof enabled.value.value !== 'boolean') {
    r.fail(`${where}: mig-enabled: expected true or false, got ${describe(enabled.value)}`, (enabled.value as Node) ?? enabled);
  } else entry.migEnabled = enabled.value.value;

  const filter = byKey.get('device-filter');
  if (filter) {
    const items = isSeq(filter.value) ? filter.value.items : [filter.value];
    const list: string[] = [];
    for (const item of items) {
      const v = isScalar(item) ? item.value : undefined;
      if (typeof v !== 'string' || !FILTER_RE.test(v)) {
        r.fail(`${where}: device-filter: expected a PCI id like "0x233010DE" or "0x233010DE:0x16C110DE", got ${describe(item)}`, (item as Node) ?? filter);
      } else list.push(v);
    }
    entry.deviceFilter = list;
  }

  const devs = byKey.get('mig-devices');
  if (devs && !(isScalar(devs.value) && devs.value.value === null)) {
    if (!isMap(devs.value)) r.fail(`${where}: mig-devices: expected a map of profile → count, got ${describe(devs.value)}`, (devs.value as Node) ?? devs);
    else {
      entry.keyLocs = {};
      for (const pair of devs.value.items) {
        const rawKey = isScalar(pair.key) ? String(pair.key.value) : '';
        const parsed = parseProfileKey(rawKey);
        if (typeof parsed === 'string') {
          r.fail(`${where}: mig-devices: ${parsed}`, pair);
          continue;
        }
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          r.fail(`${where}: mig-devices: count of ${rawKey} must be an integer >= 0, got ${describe(pair.value)}`, (pair.value as Node) ?? pair);
          continue;
        }
        if (v > MAX_MIG_DEVICES_PER_GPU) {
          r.fail(`${where}: mig-devices: count of ${rawKey} is ${v}: at most ${MAX_MIG_DEVICES_PER_GPU} MIG devices per GPU are accepted (no MIG GPU holds more than 7)`, (pair.value as Node) ?? pair);
          continue;
        }
        if (parsed.key in entry.migDevices) {
          r.fail(`${where}: mig-devices: ${rawKey} is listed twice (same profile as an earlier key)`, pair);
          continue;
        }
        entry.migDevices[parsed.key] = v;
        entry.keyLocs[parsed.key] = r.loc(pair)!;
      }
      const counts = Object.values(entry.migDevices);
      if (counts.length > 0 && counts.every((c) => c === 0)) r.fail(`${where}: mig-devices: every count is 0 (use mig-devices: {} for MIG enabled with no devices)`, devs.value);
      const total = counts.reduce((x, y) => x + y, 0);
      if (total > MAX_MIG_DEVICES_PER_GPU) r.fail(`${where}: mig-devices: ${total} MIG devices in all: at most ${MAX_MIG_DEVICES_PER_GPU} per GPU are accepted (no MIG GPU holds more than 7)`, devs.value);
    }
  }
  if (entry.migEnabled && enabled && !devs) r.fail(`${where}: mig-devices is required when mig-enabled is true (use {} for no devices)`, node);
  if (!entry.migEnabled && devs && Object.keys(entry.migDevices).length > 0) {
    r.fail(`${where}: mig-devices must be empty when mig-enabled is false`, devs);
  }
  return r.problems.length === before ? entry : null;
}

function readRoot(r: Reader, root: unknown): MigPartedConfig {
  const out: MigPartedConfig = { version: 'v1', migConfigs: {} };
  if (!isMap(root)) {
    r.fail(`expected a map with "version" and "mig-configs", got ${describe(root)}`, root as Node);
    return out;
  }
  let version: Pair | undefined;
  let configs: Pair | undefined;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'version') version = pair;
    else if (key === 'mig-configs') configs = pair;
    else r.fail(`unknown field "${key}" (allowed: version, mig-configs)`, pair);
  }
  if (!version) r.fail('missing required field "version" (must be v1)', root);
  else if (!isScalar(version.value) || version.value.value !== 'v1') r.fail(`version: unsupported version ${describe(version.value)} (must be v1)`, (version.value as Node) ?? version);
  if (!configs) {
    r.fail('missing required field "mig-configs"', root);
    return out;
  }
  if (!isMap(configs.value) || configs.value.items.length === 0) {
    r.fail(`mig-configs: expected a map of config name → list of specs with at least one config, got ${describe(configs.value)}`, (configs.value as Node) ?? configs);
    return out;
  }
  for (const pair of configs.value.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!isSeq(pair.value) || pair.value.items.length === 0) {
      r.fail(`mig-configs.${name}: expected a non-empty list of specs, got ${describe(pair.value)}`, (pair.value as Node) ?? pair);
      continue;
    }
    const entries: MigConfigEntry[] = [];
    pair.value.items.forEach((item, i) => {
      const e = readEntry(r, item, `mig-configs.${name}[${i}]`);
      if (e) entries.push(e);
    });
    out.migConfigs[name] = entries;
  }
  return out;
}

/**
 * Parses mig-parted YAML (or JSON) text. Throws LayoutConfigError listing every problem with its position.
 *
 * @example
 * ```ts
 * import { parseMigPartedConfig } from 'nvml-mig/layout';
 *
 * const config = parseMigPartedConfig('{"version": "v1", "mig-configs": {"all-1g": [{"devices": "all", "mig-enabled": true, "mig-devices": {"1g.10gb": 7}}]}}');
 * console.log(config.migConfigs['all-1g']?.[0]?.migDevices); // { '1g.10gb': 7 }
 * ```
 */
export function parseMigPartedConfig(text: string, file = '<input>'): MigPartedConfig {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(file, lines);
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    r.problems.push({ message: `YAML: ${e.message.split('\n')[0]}`, loc: { file, line: pos.line, column: pos.col } });
  }
  if (r.problems.length) throw new LayoutConfigError(r.problems);
  const cfg = readRoot(r, doc.contents);
  if (r.problems.length) throw new LayoutConfigError(r.problems);
  cfg.file = file;
  return cfg;
}

/**
 * Validates a config given as a plain object (the same rules, messages without positions).
 *
 * @example
 * ```ts
 * import { validateMigPartedConfig } from 'nvml-mig/layout';
 *
 * const config = validateMigPartedConfig({
 *   version: 'v1',
 *   'mig-configs': { 'all-3g': [{ devices: 'all', 'mig-enabled': true, 'mig-devices': { '3g.40gb': 2 } }] },
 * });
 * console.log(Object.keys(config.migConfigs)); // [ 'all-3g' ]
 * ```
 */
export function validateMigPartedConfig(value: unknown): MigPartedConfig {
  const r = new Reader('<object>', null);
  const cfg = readRoot(r, new Document(value).contents);
  if (r.problems.length) throw new LayoutConfigError(r.problems);
  return cfg;
}

/**
 * Reads and parses a mig-parted config file; throws {@link LayoutConfigError} with positions when it is invalid.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { loadMigPartedConfig, selectConfig, applyLayout } from 'nvml-mig/layout';
 *
 * const { entries } = selectConfig(loadMigPartedConfig('/etc/nvidia-mig-manager/config.yaml'), 'all-balanced');
 * const nvml = await init();
 * console.log((await applyLayout(nvml, entries)).ok);
 * await nvml.shutdown();
 * ```
 */
export function loadMigPartedConfig(path: string): MigPartedConfig {
  return parseMigPartedConfig(readFileSync(path, 'utf8'), path);
}

/**
 * Picks a config by name; the name may be left out when the file holds exactly one.
 *
 * @example
 * ```ts
 * import { loadMigPartedConfig, selectConfig } from 'nvml-mig/layout';
 *
 * const { name, entries } = selectConfig(loadMigPartedConfig('mig.yaml'), 'all-balanced'); // throws LayoutConfigError for an unknown name
 * console.log(name, entries.length);
 * ```
 */
export function selectConfig(cfg: MigPartedConfig, name?: string): { name: string; entries: MigConfigEntry[] } {
  const names = Object.keys(cfg.migConfigs);
  if (name === undefined || name === '') {
    if (names.length !== 1) {
      throw new LayoutConfigError([{ message: `the file holds ${names.length} configs (${names.join(', ')}): choose one with -c <name>` }]);
    }
    name = names[0]!;
  }
  const entries = cfg.migConfigs[name];
  if (!entries) throw new LayoutConfigError([{ message: `no config named "${name}" (the file has: ${names.join(', ')})` }]);
  return { name, entries };
}
