// The small tokenizer for nvidia-smi's own spelling: it rewrites `-i 0 -mig 1`, `-L`, `-r` and
// `mig -cgi 19,14 -C -gi 1` into the readable spelling (`mode enable`, `create-gi 19,14 -C --gi 1`)
// that node:util parseArgs then reads. Its tables come from the registry's `smi` entries.

import { UsageError } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS, GROUPS } from './registry.js';
import type { CommandSpec } from './spec.js';

/** nvidia-smi's multi-letter single-dash flags, which parseArgs would read as -g -i. */
const MULTI_LETTER: Record<string, string> = { '-gi': '--gi', '-ci': '--ci' };

function flagTable(under: 'mig' | undefined): Map<string, CommandSpec> {
  const m = new Map<string, CommandSpec>();
  for (const c of COMMANDS) if (c.smi && c.smi.under === under) for (const f of c.smi.flags) m.set(f, c);
  return m;
}
const TOP = flagTable(undefined);
const MIG = flagTable('mig');

/** Global options that take a value, in every spelling (`-i`, `--id`, `--devices`, `--mock-state`). */
const GLOBAL_VALUE_FLAGS = new Set<string>(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([name, o]) => o.type === 'string' && name !== 'mock')
    .flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : []), ...(o.aliases ?? [])]),
);

/** Words that can stand where a command goes: `--mock` does not take one of them as its machine. */
const COMMAND_WORDS = new Set<string>([...COMMANDS.map((c) => c.name.split(' ')[0]), 'mig']);

function splitEq(token: string): [string, string | null] {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    if (eq > 0) return [token.slice(0, eq), token.slice(eq + 1)];
  }
  return [token, null];
}

export interface Tokenized {
  /** The command's name ('create-gi', 'sim add-process'), or null when the line has none. */
  name: string | null;
  /** The rest of the line in the readable spelling, the command word(s) taken out. */
  args: string[];
}

/**
 * Finds the command on the line and rewrites nvidia-smi's spelling. With `lenient` (for --help),
 * a flag whose value is missing still names its command.
 */
export function tokenize(argv: string[], lenient: boolean): Tokenized {
  const tokens = [...argv];
  let at = -1;
  for (let i = 0; i < tokens.length; i++) {
    const [name, inline] = splitEq(tokens[i]);
    if (GLOBAL_VALUE_FLAGS.has(name)) {
      if (inline === null) i++;
      continue;
    }
    if (name === '--mock') {
      // The machine is optional: take the next token only when it cannot be anything else.
      const next = tokens[i + 1];
      if (inline === null) {
        if (next !== undefined && !next.startsWith('-') && !COMMAND_WORDS.has(next)) tokens.splice(i, 2, `--mock=${next}`);
        else tokens[i] = '--mock=';
      }
      continue;
    }
    if (TOP.has(name)) {
      at = i;
      break;
    }
    if (MIG.has(name)) throw new UsageError(`${name} is a 'mig' option: nvml-mig mig ${argv.join(' ')}`);
    if (name === '--') break;
    if (name.startsWith('-')) continue;
    at = i;
    break;
  }
  if (at < 0) return { name: null, args: normalise(tokens) };

  const [word, inline] = splitEq(tokens[at]);
  const before = tokens.slice(0, at);
  let after = tokens.slice(at + 1);
  let name: string;
  let lead: string[] = [];
  if (TOP.has(word)) {
    const spec = TOP.get(word)!;
    name = spec.name;
    [lead, after] = takeValue(spec, word, inline, after, lenient);
  } else if (word === 'mig') {
    const found = after.map((t, i) => [splitEq(t)[0], i] as const).filter(([f]) => MIG.has(f));
    if (found.length > 1) throw new UsageError(`one action per command: '${found[0][0]}' and '${found[1][0]}'`);
    if (found.length === 0) {
      const other = after.find((t) => t.startsWith('-') && !MULTI_LETTER[t] && !isGlobal(t));
      throw new UsageError(other ? `unknown mig option '${other}'` : 'mig needs an action such as -lgip, -cgi, -lgi');
    }
    const [flag, idx] = found[0];
    const spec = MIG.get(flag)!;
    name = spec.name;
    const rest = after.slice(idx + 1);
    let value: string[];
    [value, after] = takeValue(spec, flag, splitEq(after[idx])[1], rest, lenient);
    after = [...tokens.slice(at + 1, at + 1 + idx), ...after];
    lead = value;
  } else if (GROUPS.has(word)) {
    const sub = after.findIndex((t) => !t.startsWith('-'));
    if (sub < 0) {
      if (lenient) return { name: word, args: normalise([...before, ...after]) };
      const names = COMMANDS.filter((c) => c.name.startsWith(`${word} `)).map((c) => c.name.slice(word.length + 1));
      throw new UsageError(`${word} needs a command: ${names.join(', ')}`);
    }
    name = `${word} ${after[sub]}`;
    after = [...after.slice(0, sub), ...after.slice(sub + 1)];
  } else {
    name = word;
  }
  return { name, args: normalise([...before, ...lead, ...after]) };
}

function isGlobal(token: string): boolean {
  const [name] = splitEq(token);
  return Object.entries(GLOBAL_OPTIONS).some(([n, o]) => name === `--${n}` || name === `-${o.short}` || (o.aliases ?? []).includes(name));
}

/** The flag's value (`-cgi 19,14` → ['19,14'], `-mig 1` → ['enable']) and the tokens after it. */
function takeValue(spec: CommandSpec, flag: string, inline: string | null, after: string[], lenient: boolean): [string[], string[]] {
  const smi = spec.smi!;
  if (!smi.value) {
    if (inline !== null) throw new UsageError(`${flag} takes no value`);
    return [[], after];
  }
  let value: string | undefined;
  let rest = after;
  if (inline !== null) value = inline;
  else if (after[0] !== undefined && !after[0].startsWith('-')) {
    value = after[0];
    rest = after.slice(1);
  }
  if (value === undefined) {
    if (smi.value === 'optional' || lenient) return [[], rest];
    if (smi.translate) smi.translate('');
    throw new UsageError(`${flag} needs ${smi.valueHelp ?? 'a value'}`);
  }
  if (lenient && smi.translate) {
    try {
      return [smi.translate(value), rest];
    } catch {
      return [[], rest];
    }
  }
  return [smi.translate ? smi.translate(value) : [value], rest];
}

/** `-gi 1` → `--gi 1`; options' other long spellings → their name (`--with-ci` → `--default-compute-instance`). */
function normalise(tokens: string[]): string[] {
  const out: string[] = [];
  let positional = false;
  for (const t of tokens) {
    if (positional || !t.startsWith('-')) {
      out.push(t);
      continue;
    }
    if (t === '--') positional = true;
    const [name, inline] = splitEq(t);
    const canonical = MULTI_LETTER[name] ?? ALIASES.get(name) ?? name;
    out.push(inline === null ? canonical : `${canonical}=${inline}`);
  }
  return out;
}

const ALIASES = new Map<string, string>(
  [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {})].flatMap((opts) =>
    Object.entries(opts).flatMap(([name, o]) => (o.aliases ?? []).map((a) => [a, `--${name}`] as [string, string])),
  ),
);
