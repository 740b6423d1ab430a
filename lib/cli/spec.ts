// The shape of a command of the registry (registry.ts): its name, its help, its options as
// node:util parseArgs declares them, how its arguments become a Command, and its handler.

import type { Context } from './context.js';

/** The JSON data a command returns; the CLI wraps it in the envelope (docs/cli.md). */
export type JsonData = Record<string, unknown>;

/** One option: a parseArgs declaration plus what help prints about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One letter: `-f`. nvidia-smi's multi-letter flags (-gi, -ci) are the tokenizer's (smi.ts). */
  short?: string;
  multiple?: boolean;
  /** Other long spellings accepted for the same option (`--with-ci` for `--default-compute-instance`). */
  aliases?: string[];
  /** What the value is, for help and errors: 'ids', 'file'. */
  value?: string;
  help: string;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What parsing produced: the command's name and its own arguments. */
export interface Command {
  kind: string;
  [arg: string]: unknown;
}

/** What a command needs before its handler runs. */
export type Needs =
  /** Nothing: help, version. */
  | 'nothing'
  /** An open NVML (the driver, or the mock with --mock). */
  | 'nvml'
  /** The simulator (--mock): refused with `realGpu` before any library loads. */
  | 'simulator';

export interface CommandSpec {
  /** The command word(s): `create-gi`, or `sim add-process` in a group. */
  name: string;
  /** One line for `nvml-mig --help`. */
  summary: string;
  /** The arguments after the name, as the usage line shows them: `<profile>[,<profile>...] [-C]`. */
  usage: string;
  /** nvidia-smi's spelling of the same command, when it has one (smi.ts reads it). */
  smi?: SmiSpelling;
  /** The paragraph(s) of `nvml-mig help <name>`. */
  description: string;
  options?: Record<string, OptionSpec>;
  /** How many positional arguments it takes (default none). */
  positionals?: { min: number; max: number };
  needs?: Needs;
  /** With needs 'simulator': what to say to someone without --mock (what to do on a real GPU). */
  realGpu?: string;
  /** Builds the command from the parsed options and positionals; throws UsageError. */
  parse?(values: OptionValues, positionals: string[]): Omit<Command, 'kind'>;
  /** Runs it: prints through the context, records failures there, returns the JSON data. */
  run(ctx: Context, command: Command): Promise<JsonData>;
}

/** How nvidia-smi spells a command: `-L`, `-mig 1`, `mig -cgi 19,14 -C`. */
export interface SmiSpelling {
  /** 'mig': the flag follows the `mig` word (`nvml-mig mig -lgi`); else it stands alone. */
  under?: 'mig';
  /** Its short and long flags: ['-cgi', '--create-gpu-instance']. */
  flags: string[];
  /** Whether the flag takes a value (`-cgi 19,14`); an optional one is taken unless it starts with '-'. */
  value?: 'required' | 'optional';
  /** What the value is, for the error when it is missing. */
  valueHelp?: string;
  /** The value as the readable spelling's positionals (`-mig 1` → ['enable']); default: [value]. */
  translate?(value: string): string[];
  /** The spelling as help shows it: 'mig -cgi 19,14,9 -C'. */
  example: string;
}
