// Command-line parsing. Two spellings reach the same Command: nvidia-smi's (`-i 0 -mig 1`,
// `mig -cgi 19,14 -C`, `-L`) and readable subcommands (`mode enable`, `create-gi 19 14 -C`).
// Global options may stand anywhere on the line, as nvidia-smi allows for `-i`.

import { parseProfileName } from '../profiles.js';
import { UsageError } from './errors.js';

export type DelegateTarget = 'apply' | 'assert' | 'export' | 'exporter';

/** A profile as typed: an id (`19`), a short name (`1g.10gb`) or a driver name (`MIG 1g.10gb`), optionally `:start`. */
export interface ProfileSpec {
  text: string;
  id: number | null;
  name: string | null;
  start: number | null;
}

export type Command =
  | { kind: 'help'; topic: string | null }
  | { kind: 'version' }
  | { kind: 'mode'; enable: boolean }
  | { kind: 'list' }
  | { kind: 'status' }
  | { kind: 'profiles' }
  | { kind: 'placements' }
  | { kind: 'create-gi'; profiles: ProfileSpec[]; withCi: boolean }
  | { kind: 'list-gi'; gi: number[] | null }
  | { kind: 'destroy-gi'; gi: number[] | null }
  | { kind: 'ci-profiles'; gi: number[] | null }
  | { kind: 'create-ci'; profiles: ProfileSpec[] | null; gi: number[] | null }
  | { kind: 'list-ci'; gi: number[] | null; ci: number[] | null }
  | { kind: 'destroy-ci'; gi: number[] | null; ci: number[] | null }
  | { kind: 'delegate'; target: DelegateTarget; argv: string[] };

export interface GlobalOptions {
  /** GPUs as typed (`-i 0,1`, a UUID or a PCI bus id); null = all GPUs. */
  gpus: string[] | null;
  /** Machine spec for the bundled mock (NVML_MOCK_MACHINE syntax); null = the real driver. */
  mock: string | null;
  mockState: string | null;
  json: boolean;
  debug: boolean;
  readOnly: boolean;
}

export interface ParsedArgs {
  global: GlobalOptions;
  command: Command;
}

/** Readable subcommand names, in the order `--help` lists them. */
export const SUBCOMMANDS = [
  'mode', 'list', 'status', 'profiles', 'placements', 'create-gi', 'list-gi', 'destroy-gi',
  'ci-profiles', 'create-ci', 'list-ci', 'destroy-ci', 'apply', 'assert', 'export', 'exporter', 'help',
] as const;

const DELEGATES: readonly string[] = ['apply', 'assert', 'export', 'exporter'];
const COMMAND_WORDS = new Set<string>([...SUBCOMMANDS, 'mig']);

/** Value-taking long/short options of the readable spelling and of `mig`. */
const MIG_ACTIONS: Record<string, Command['kind']> = {
  '-lgip': 'profiles', '--list-gpu-instance-profiles': 'profiles',
  '-lgipp': 'placements', '--list-gpu-instance-possible-placements': 'placements',
  '-cgi': 'create-gi', '--create-gpu-instance': 'create-gi',
  '-lgi': 'list-gi', '--list-gpu-instances': 'list-gi',
  '-dgi': 'destroy-gi', '--destroy-gpu-instance': 'destroy-gi',
  '-lcip': 'ci-profiles', '--list-compute-instance-profiles': 'ci-profiles',
  '-cci': 'create-ci', '--create-compute-instance': 'create-ci',
  '-lci': 'list-ci', '--list-compute-instances': 'list-ci',
  '-dci': 'destroy-ci', '--destroy-compute-instance': 'destroy-ci',
};

/** Splits `--name=value` into its parts; other tokens come back as [token, null]. */
function splitEq(token: string): [string, string | null] {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    if (eq > 0) return [token.slice(0, eq), token.slice(eq + 1)];
  }
  return [token, null];
}

/** Parses a comma-separated list of non-negative integers (`-gi 1,7`). */
export function parseIdList(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`invalid ${what} list '${text}': expected comma-separated numbers such as 1,7`);
  }
  return parts.map(Number);
}

/** Parses one profile spec: `19`, `19:4`, `3g.40gb`, `MIG 3g.40gb`, `3g.40gb:4`. */
export function parseProfileSpec(text: string): ProfileSpec {
  const t = text.trim();
  const m = /^(.*?)(?::(\d+))?$/.exec(t);
  const body = (m?.[1] ?? t).trim();
  const start = m?.[2] !== undefined ? Number(m[2]) : null;
  if (body === '') throw new UsageError(`invalid profile '${text}': expected an id (19), a name (1g.10gb) or 'MIG 1g.10gb'`);
  if (/^\d+$/.test(body)) return { text: t, id: Number(body), name: null, start };
  if (parseProfileName(body) === null) {
    throw new UsageError(`invalid profile '${text}': expected an id (19), a name (1g.10gb) or 'MIG 1g.10gb'`);
  }
  return { text: t, id: null, name: body, start };
}

/** Parses a comma- (and space-) separated list of profile specs; `MIG 1g.10gb` keeps its inner space. */
export function parseProfileList(texts: string[]): ProfileSpec[] {
  const specs: ProfileSpec[] = [];
  for (const text of texts) {
    for (const piece of text.split(',')) {
      if (piece.trim() === '') throw new UsageError(`empty profile in '${text}'`);
      specs.push(parseProfileSpec(piece));
    }
  }
  return specs;
}

/**
 * Parses argv (without node and the script). Throws UsageError for anything it cannot
 * understand, naming the offending token.
 */
export function parseArgs(argv: string[]): ParsedArgs {
  const global: GlobalOptions = { gpus: null, mock: null, mockState: null, json: false, debug: false, readOnly: false };
  // First pass: take out the global options wherever they stand; keep the rest in order.
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = splitEq(argv[i]);
    const value = (what: string): string => {
      if (inline !== null) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${name} needs ${what}`);
      i++;
      return next;
    };
    switch (name) {
      case '--json': global.json = true; break;
      case '--debug': global.debug = true; break;
      case '--read-only': global.readOnly = true; break;
      case '-h': case '--help': help = true; break;
      case '--mock-state': global.mockState = value('a file path'); break;
      case '--mock': {
        if (inline !== null) {
          global.mock = inline;
        } else {
          const next = argv[i + 1];
          // The machine is optional: take the next token only when it cannot be anything else.
          if (next !== undefined && !next.startsWith('-') && !COMMAND_WORDS.has(next)) {
            global.mock = next;
            i++;
          } else {
            global.mock = '';
          }
        }
        break;
      }
      case '-i': case '--id': {
        const v = value('a GPU index, UUID or PCI bus id');
        const ids = v.split(',').map((s) => s.trim());
        if (ids.some((s) => s === '')) throw new UsageError(`invalid GPU selection '${v}'`);
        global.gpus = [...(global.gpus ?? []), ...ids];
        break;
      }
      default: rest.push(argv[i]);
    }
  }
  if (global.mock === '') global.mock = process.env.NVML_MOCK_MACHINE || 'h100-80gb';
  const command = parseCommand(rest, help);
  return { global, command };
}

function parseCommand(rest: string[], help: boolean): Command {
  const first = rest[0];
  if (first === undefined) return help ? { kind: 'help', topic: null } : { kind: 'status' };
  if (first === 'help') return { kind: 'help', topic: rest[1] ?? null };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (DELEGATES.includes(first)) {
    // The layout commands' help is here; everything else belongs to the delegate's own parser.
    if (help && first !== 'exporter') return { kind: 'help', topic: first };
    return { kind: 'delegate', target: first as DelegateTarget, argv: [...rest.slice(1), ...(help ? ['--help'] : [])] };
  }
  if (help) return { kind: 'help', topic: first === 'mig' || first.startsWith('-') ? nvidiaSmiTopic(rest) : first };
  if (first === 'mig') return parseMig(rest.slice(1));
  if (first.startsWith('-')) return parseTopLevelFlags(rest);
  return parseSubcommand(first, rest.slice(1));
}

/** The readable subcommand that an nvidia-smi spelling maps to, for `--help` after it. */
function nvidiaSmiTopic(rest: string[]): string | null {
  for (const t of rest) {
    if (MIG_ACTIONS[t]) return MIG_ACTIONS[t];
    if (t === '-mig' || t === '--multi-instance-gpu') return 'mode';
    if (t === '-L' || t === '--list-gpus') return 'list';
  }
  return null;
}

/** `-mig 1`, `-L`: nvidia-smi's top-level options. */
function parseTopLevelFlags(rest: string[]): Command {
  const [name, inline] = splitEq(rest[0]);
  if (name === '-L' || name === '--list-gpus') {
    expectNoMore(rest.slice(1), name);
    return { kind: 'list' };
  }
  if (name === '-mig' || name === '--multi-instance-gpu') {
    const v = inline ?? rest[1];
    if (v !== '0' && v !== '1') throw new UsageError(`${name} needs 0 (disable) or 1 (enable)`);
    expectNoMore(rest.slice(inline === null ? 2 : 1), name);
    return { kind: 'mode', enable: v === '1' };
  }
  if (MIG_ACTIONS[name]) throw new UsageError(`${name} is a 'mig' option: nvml-mig mig ${rest.join(' ')}`);
  throw new UsageError(`unknown option '${rest[0]}'`);
}

function expectNoMore(tokens: string[], after: string): void {
  if (tokens.length > 0) throw new UsageError(`unexpected '${tokens[0]}' after ${after}`);
}

/** Options shared by the `mig` spelling and the readable one: -gi/-ci filters and -C. */
interface Filters {
  gi: number[] | null;
  ci: number[] | null;
  withCi: boolean;
  positional: string[];
}

function parseFilters(tokens: string[], allowed: { gi?: boolean; ci?: boolean; withCi?: boolean }, context: string): Filters {
  const f: Filters = { gi: null, ci: null, withCi: false, positional: [] };
  for (let i = 0; i < tokens.length; i++) {
    const [name, inline] = splitEq(tokens[i]);
    const value = (): string => {
      if (inline !== null) return inline;
      const next = tokens[i + 1];
      if (next === undefined) throw new UsageError(`${name} needs a list of ids`);
      i++;
      return next;
    };
    if ((name === '-gi' || name === '--gi' || name === '--gpu-instance-id') && allowed.gi) {
      f.gi = [...(f.gi ?? []), ...parseIdList(value(), 'GPU instance id')];
    } else if ((name === '-ci' || name === '--ci' || name === '--compute-instance-id') && allowed.ci) {
      f.ci = [...(f.ci ?? []), ...parseIdList(value(), 'compute instance id')];
    } else if ((name === '-C' || name === '--default-compute-instance' || name === '--with-ci') && allowed.withCi) {
      f.withCi = true;
    } else if (name.startsWith('-') && !/^-\d/.test(name)) {
      throw new UsageError(`unknown option '${tokens[i]}' for ${context}`);
    } else {
      f.positional.push(tokens[i]);
    }
  }
  return f;
}

/** `mig <action> [args] [-gi ..] [-ci ..] [-C]`, as nvidia-smi spells it. */
function parseMig(tokens: string[]): Command {
  let action: Command['kind'] | null = null;
  let actionToken = '';
  let actionArg: string[] | null = null;
  const others: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [name, inline] = splitEq(tokens[i]);
    const kind = MIG_ACTIONS[name];
    if (kind === undefined) {
      others.push(tokens[i]);
      continue;
    }
    if (action !== null) throw new UsageError(`one action per command: '${actionToken}' and '${tokens[i]}'`);
    action = kind;
    actionToken = name;
    if (kind === 'create-gi') {
      const v = inline ?? tokens[i + 1];
      if (v === undefined || (inline === null && v.startsWith('-'))) {
        throw new UsageError(`${name} needs a list of profiles, e.g. ${name} 19,14,9 or ${name} 1g.10gb,3g.40gb`);
      }
      if (inline === null) i++;
      actionArg = [v];
    } else if (kind === 'create-ci') {
      // The profile list is optional: without it, the GI's default (full) CI profile.
      const v = inline ?? tokens[i + 1];
      if (inline !== null) actionArg = [inline];
      else if (v !== undefined && !v.startsWith('-')) {
        actionArg = [v];
        i++;
      }
    }
  }
  if (action === null) {
    throw new UsageError(others.length ? `unknown mig option '${others[0]}'` : 'mig needs an action such as -lgip, -cgi, -lgi');
  }
  return buildMig(action, actionArg, others, `mig ${actionToken}`);
}

function buildMig(kind: Command['kind'], actionArg: string[] | null, others: string[], context: string): Command {
  switch (kind) {
    case 'profiles':
    case 'placements': {
      expectNoMore(parseFilters(others, {}, context).positional, context);
      return { kind };
    }
    case 'create-gi': {
      const f = parseFilters(others, { withCi: true }, context);
      expectNoMore(f.positional, context);
      return { kind, profiles: parseProfileList(actionArg ?? []), withCi: f.withCi };
    }
    case 'list-gi':
    case 'destroy-gi':
    case 'ci-profiles': {
      const f = parseFilters(others, { gi: true }, context);
      expectNoMore(f.positional, context);
      return { kind, gi: f.gi };
    }
    case 'create-ci': {
      const f = parseFilters(others, { gi: true }, context);
      expectNoMore(f.positional, context);
      return { kind, profiles: actionArg ? parseProfileList(actionArg) : null, gi: f.gi };
    }
    case 'list-ci':
    case 'destroy-ci': {
      const f = parseFilters(others, { gi: true, ci: true }, context);
      expectNoMore(f.positional, context);
      return { kind, gi: f.gi, ci: f.ci };
    }
    default:
      throw new UsageError(`not a mig action: ${kind}`);
  }
}

/** Readable subcommands: `create-gi 19 3g.40gb -C`, `destroy-gi 7`, `list-ci --gi 1`. */
function parseSubcommand(name: string, tokens: string[]): Command {
  switch (name) {
    case 'mode': {
      const v = tokens[0];
      if (v !== 'enable' && v !== 'disable') throw new UsageError("mode needs 'enable' or 'disable'");
      expectNoMore(tokens.slice(1), `mode ${v}`);
      return { kind: 'mode', enable: v === 'enable' };
    }
    case 'list':
    case 'status':
    case 'profiles':
    case 'placements':
      expectNoMore(tokens, name);
      return { kind: name };
    case 'create-gi': {
      const f = parseFilters(tokens, { withCi: true }, name);
      if (f.positional.length === 0) throw new UsageError('create-gi needs one or more profiles, e.g. create-gi 1g.10gb 3g.40gb');
      return { kind: name, profiles: parseProfileList(f.positional), withCi: f.withCi };
    }
    case 'list-gi':
    case 'destroy-gi':
    case 'ci-profiles': {
      // Positional GI ids are the same as --gi.
      const f = parseFilters(tokens, { gi: true }, name);
      const gi = mergeIds(f.gi, f.positional, 'GPU instance id');
      return { kind: name, gi };
    }
    case 'create-ci': {
      const f = parseFilters(tokens, { gi: true }, name);
      return { kind: name, profiles: f.positional.length ? parseProfileList(f.positional) : null, gi: f.gi };
    }
    case 'list-ci':
    case 'destroy-ci': {
      const f = parseFilters(tokens, { gi: true, ci: true }, name);
      const ci = mergeIds(f.ci, f.positional, 'compute instance id');
      return { kind: name, gi: f.gi, ci };
    }
    default:
      throw new UsageError(`unknown command '${name}'`);
  }
}

function mergeIds(ids: number[] | null, positional: string[], what: string): number[] | null {
  if (positional.length === 0) return ids;
  const more = positional.flatMap((p) => parseIdList(p, what));
  return [...(ids ?? []), ...more];
}
