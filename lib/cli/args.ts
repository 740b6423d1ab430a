// Command-line parsing. nvidia-smi's spelling (`-i 0 -mig 1`, `mig -cgi 19,14 -C`, `-L`) is
// rewritten by the tokenizer (smi.ts) into the readable one (`mode enable`, `create-gi 19 14 -C`),
// which node:util parseArgs reads with the command's options from the registry plus the global
// ones. Global options may stand anywhere on the line, as nvidia-smi allows for `-i`.

import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS, findCommand } from './registry.js';
import { tokenize } from './smi.js';
import type { Command, CommandSpec, OptionSpec, OptionValues } from './spec.js';

export { parseIdList, parseProfileList, parseProfileSpec, type ProfileSpec } from './profiles-arg.js';
export type { Command } from './spec.js';

export interface GlobalOptions {
  /** GPUs as typed (`-i 0,1`, a UUID or a PCI bus id); null = all GPUs. */
  gpus: string[] | null;
  /** Machine spec for the bundled mock (NVML_MOCK_MACHINE syntax); null = the real driver. */
  mock: string | null;
  mockState: string | null;
  /** The user named the machine (`--mock a30`), rather than taking the default or the state file's. */
  mockMachineGiven: boolean;
  json: boolean;
  debug: boolean;
  readOnly: boolean;
}

export interface ParsedArgs {
  global: GlobalOptions;
  command: Command;
}

/** Readable command names, in the order `--help` lists them. */
export const SUBCOMMANDS: readonly string[] = COMMANDS.map((c) => c.name);

type ParseArgsOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function forParseArgs(options: Record<string, OptionSpec>): ParseArgsOptions {
  const out: ParseArgsOptions = {};
  for (const [name, o] of Object.entries(options)) out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  return out;
}

/** parseArgs' errors, reworded to name the flag as typed and what it needs. */
function usageFromParseArgs(e: unknown, options: Record<string, OptionSpec>, context: string): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const quoted = /'(-[^',\s]*)/.exec(msg)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option '${quoted}' for ${context}`);
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = quoted.replace(/^-+/, '');
    const spec = Object.entries(options).find(([n, o]) => n === name || o.short === name)?.[1];
    if (spec?.type === 'boolean') return new UsageError(`${quoted} takes no value`);
    return new UsageError(`${quoted} needs ${spec?.value === 'gpus' ? 'a GPU index, UUID or PCI bus id' : `a value (${spec?.value ?? 'text'})`}`);
  }
  return new UsageError(msg.split('\n')[0]);
}

function globalsOf(values: OptionValues): GlobalOptions {
  // With --help the line is read leniently: an option may come back as a flag (true), not text.
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const ids = values.id === undefined ? undefined : (Array.isArray(values.id) ? values.id : [values.id]).filter((v): v is string => typeof v === 'string');
  const gpus = ids;
  let list: string[] | null = null;
  if (gpus) {
    list = [];
    for (const v of gpus) {
      const ids = v.split(',').map((s) => s.trim());
      if (ids.some((s) => s === '')) throw new UsageError(`invalid GPU selection '${v}'`);
      list.push(...ids);
    }
  }
  let mock = values.mock === undefined ? null : (text(values.mock) ?? '');
  if (mock === '') mock = process.env.NVML_MOCK_MACHINE || 'h100-80gb';
  return {
    gpus: list,
    mock,
    mockState: text(values['mock-state']) ?? null,
    mockMachineGiven: typeof values.mock === 'string' && values.mock !== '',
    json: values.json === true,
    debug: values.debug === true,
    readOnly: values['read-only'] === true,
  };
}

function parseLine(args: string[], spec: CommandSpec | null): { values: OptionValues; positionals: string[] } {
  const options = { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) };
  try {
    const r = nodeParseArgs({ args, options: forParseArgs(options), strict: true, allowPositionals: true });
    return { values: r.values as OptionValues, positionals: r.positionals };
  } catch (e) {
    throw usageFromParseArgs(e, options, spec ? spec.name : 'nvml-mig');
  }
}

/**
 * Parses argv (without node and the script). Throws UsageError for anything it cannot
 * understand, naming the offending token.
 */
export function parseArgs(argv: string[]): ParsedArgs {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new TypeError('argv must be an array of strings');
  const wantsHelp = argv.some((a) => a === '-h' || a === '--help');
  const { name, args } = tokenize(argv, wantsHelp);

  if (wantsHelp) {
    // Help needs nothing else to be right: only the global options are read, leniently.
    const global = globalsOf(nodeParseArgs({ args, options: forParseArgs(GLOBAL_OPTIONS), strict: false, allowPositionals: true }).values as OptionValues);
    if (name === null) return { global, command: { kind: 'help', topic: null } };
    return { global, command: { kind: 'help', topic: name } };
  }

  const spec = name === null ? null : findCommand(name);
  if (name !== null && !spec) throw new UsageError(`unknown command '${name}'`);
  const { values, positionals } = parseLine(args, spec ?? null);
  const global = globalsOf(values);
  if (!spec) {
    if (positionals.length) throw new UsageError(`unknown command '${positionals[0]}'`);
    return { global, command: values.version ? { kind: 'version' } : { kind: 'dashboard' } }; // a bare nvidia-smi
  }
  if (values.version) return { global, command: { kind: 'version' } };
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  if (positionals.length > max) throw new UsageError(`unexpected '${positionals[max]}' after ${spec.name}`);
  if (positionals.length < min && !spec.parse) throw new UsageError(`${spec.name} needs ${spec.usage}`);
  const own = spec.parse ? spec.parse(values, positionals) : {};
  if (positionals.length < min) throw new UsageError(`${spec.name} needs ${spec.usage}`);
  return { global, command: { kind: spec.name, ...own } };
}
