// The command registry: every command of `nvml-mig` — the MIG commands, the layout commands, the
// exporter and the simulator — declared once with its options, help and handler. The parser
// (args.ts), the nvidia-smi tokenizer (smi.ts), the help (help.ts) and the runner (run.ts) all
// read this list; adding a command is adding an entry (docs/native.md, "How to add a command").

import * as cmd from './commands.js';
import { UsageError } from './errors.js';
import { parseIdList, parseProfileList } from './profiles-arg.js';
import type { CommandSpec, OptionSpec, OptionValues } from './spec.js';
import { dashboard } from './dashboard.js';
import { status } from './status.js';
import { SIM_COMMANDS } from './sim.js';

/** Options every command takes, anywhere on the line. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  id: { type: 'string', short: 'i', multiple: true, aliases: ['--devices'], value: 'gpus', help: 'GPUs by index list (0,1), UUID or PCI bus id; default: all GPUs' },
  json: { type: 'boolean', help: 'One JSON document on stdout, failures included (schema: docs/cli.md)' },
  'read-only': { type: 'boolean', help: 'Refuse every change before it reaches the driver' },
  mock: { type: 'string', value: 'machine', help: 'Use the bundled simulated GPUs (h100-80gb, a100-40gb:2, a30, ...); the machine is optional' },
  'mock-state': { type: 'string', value: 'file', help: 'State file of the simulation (default: one per machine in the temp folder)' },
  debug: { type: 'boolean', help: 'Print stack traces of errors' },
  help: { type: 'boolean', short: 'h', help: 'Help (also: nvml-mig help <command>)' },
  version: { type: 'boolean', short: 'V', help: 'The package version' },
};

/** nvidia-smi's flags for GPU and compute instance ids; smi.ts turns `-gi 1` into `--gi 1`. */
const GI: OptionSpec = { type: 'string', multiple: true, aliases: ['--gpu-instance-id'], value: 'ids', help: 'GPU instance ids (nvidia-smi: -gi)' };
const CI: OptionSpec = { type: 'string', multiple: true, aliases: ['--compute-instance-id'], value: 'ids', help: 'compute instance ids (nvidia-smi: -ci)' };

function ids(values: OptionValues, key: string, what: string): number[] | null {
  const v = values[key] as string[] | undefined;
  return v === undefined ? null : unique(v.flatMap((t) => parseIdList(t, what)));
}

/** The -gi list, with positional ids added: `list-gi 7` is `list-gi --gi 7`. */
function idsWithPositionals(values: OptionValues, key: string, positionals: string[], what: string): number[] | null {
  const fromOption = ids(values, key, what);
  if (positionals.length === 0) return fromOption;
  return unique([...(fromOption ?? []), ...positionals.flatMap((p) => parseIdList(p, what))]);
}

/** `-gi 13,13` names one instance once: acting on it twice would fail on a handle already gone. */
function unique(list: number[]): number[] {
  return [...new Set(list)];
}

const MANY = Number.POSITIVE_INFINITY;

const MIG_COMMANDS: CommandSpec[] = [
  {
    name: 'mode',
    summary: 'Enable or disable MIG mode',
    usage: 'enable|disable',
    smi: { flags: ['-mig', '--multi-instance-gpu'], value: 'required', example: '-mig 1|0', translate: (v) => {
      if (v !== '0' && v !== '1') throw new UsageError(`-mig needs 0 (disable) or 1 (enable)`);
      return [v === '1' ? 'enable' : 'disable'];
    } },
    description: `Enables or disables MIG mode. Hopper and later switch at once; Ampere (A100, A30) keeps the
change pending until the GPU is reset. nvml-mig never resets a real GPU: it says when a reset is
needed ('sudo nvidia-smi -r -i <gpu>' with no process on the GPU, or a reboot); on the simulator
(--mock), 'nvml-mig --mock <machine> -r -i <gpu>' resets it.
Disabling MIG with GPU instances present is refused (exit 5) until they are destroyed, as the
driver does (docs/cli.md, "Disabling MIG mode").
Exit: 0 done, 1 pending (reset needed), 5 refused or pending because processes or instances use the GPU, 4 needs root.`,
    positionals: { min: 1, max: 1 },
    parse: (_v, [word]) => {
      if (word !== 'enable' && word !== 'disable') throw new UsageError("mode needs 'enable' or 'disable'");
      return { enable: word === 'enable' };
    },
    run: (ctx, c) => cmd.setMode(ctx, c.enable as boolean),
  },
  {
    name: 'list',
    summary: 'GPUs and their MIG devices with UUIDs',
    usage: '',
    smi: { flags: ['-L', '--list-gpus'], example: '-L' },
    description: 'GPUs with their UUIDs and, under each, its MIG devices with their UUIDs.',
    run: (ctx) => cmd.list(ctx),
  },
  {
    name: 'dashboard',
    summary: "nvidia-smi's dashboard: GPUs, MIG devices, processes (also: no command)",
    usage: '',
    description: `What a bare nvidia-smi prints (the 580 driver's layout): one block per GPU with its name, bus
id, memory use, utilization and MIG mode, the MIG devices table (GPU instance, compute instance,
shared memory and BAR1, SMs, shared engines) and the processes. Columns nvml-mig does not read
(persistence, display, ECC, fan, temperature, performance state, power, compute mode) show N/A.
'nvml-mig' with no command prints it.`,
    run: (ctx) => dashboard(ctx),
  },
  {
    name: 'status',
    summary: 'One tree per GPU: mode, instances, MIG devices, processes',
    usage: '',
    description: `One tree per GPU: PCI bus id, MIG mode (current and pending), memory, GPU instances with their
placement and memory, their compute instances, the MIG device (UUID) of each and the processes on
it, and the processes on the GPU itself.`,
    run: (ctx) => status(ctx),
  },
  {
    name: 'profiles',
    summary: 'GPU instance profiles with free/total counts',
    usage: '',
    smi: { under: 'mig', flags: ['-lgip', '--list-gpu-instance-profiles'], example: 'mig -lgip' },
    description: 'The GPU instance profiles of each GPU: id, free/total instances, memory (GiB), P2P, SMs and engines.',
    run: (ctx) => cmd.profiles(ctx),
  },
  {
    name: 'placements',
    summary: 'Possible placements of each GI profile',
    usage: '',
    smi: { under: 'mig', flags: ['-lgipp', '--list-gpu-instance-possible-placements'], example: 'mig -lgipp' },
    description: "Where each GPU instance profile can be placed, as {starts}:size on the GPU's memory slots.",
    run: (ctx) => cmd.placements(ctx),
  },
  {
    name: 'create-gi',
    summary: 'Create GPU instances (-C: with default CIs)',
    usage: '<profile>[,<profile>...] [-C]',
    smi: { under: 'mig', flags: ['-cgi', '--create-gpu-instance'], value: 'required', valueHelp: 'a list of profiles, e.g. -cgi 19,14,9 or -cgi 1g.10gb,3g.40gb', example: 'mig -cgi 19,14,9 -C' },
    description: `Creates GPU instances in the order given; -C (--default-compute-instance) also creates each one's
default compute instance. A profile is an id (19), a short name (3g.40gb) or 'MIG 3g.40gb', with an
optional :start placement (9:4). Stops at the first failure on a GPU.`,
    options: {
      'default-compute-instance': { type: 'boolean', short: 'C', aliases: ['--with-ci'], help: "also create each GPU instance's default compute instance" },
    },
    positionals: { min: 1, max: MANY },
    parse: (v, pos) => ({ profiles: parseProfileList(pos), withCi: v['default-compute-instance'] === true }),
    run: (ctx, c) => cmd.createGi(ctx, c.profiles as never, c.withCi as boolean),
  },
  {
    name: 'list-gi',
    summary: 'List GPU instances',
    usage: '[ids] [--gi ids]',
    smi: { under: 'mig', flags: ['-lgi', '--list-gpu-instances'], example: 'mig -lgi [-gi ids]' },
    description: 'Lists GPU instances: profile, id and placement (start:size).',
    options: { gi: GI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ gi: idsWithPositionals(v, 'gi', pos, 'GPU instance id') }),
    run: (ctx, c) => cmd.listGi(ctx, c.gi as number[] | null),
  },
  {
    name: 'destroy-gi',
    summary: 'Destroy GPU instances (all when none given)',
    usage: '[ids] [--gi ids]',
    smi: { under: 'mig', flags: ['-dgi', '--destroy-gpu-instance'], example: 'mig -dgi -gi 7' },
    description: `Destroys the given GPU instances, or every GPU instance of the selected GPUs when none are given.
A GPU instance with compute instances or processes is refused (exit 5) with what holds it.`,
    options: { gi: GI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ gi: idsWithPositionals(v, 'gi', pos, 'GPU instance id') }),
    run: (ctx, c) => cmd.destroyGi(ctx, c.gi as number[] | null),
  },
  {
    name: 'ci-profiles',
    summary: 'Compute instance profiles of GPU instances',
    usage: '[ids] [--gi ids]',
    smi: { under: 'mig', flags: ['-lcip', '--list-compute-instance-profiles'], example: 'mig -lcip' },
    description: "Compute instance profiles of each GPU instance; '*' marks the default (full-size) one.",
    options: { gi: GI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ gi: idsWithPositionals(v, 'gi', pos, 'GPU instance id') }),
    run: (ctx, c) => cmd.ciProfiles(ctx, c.gi as number[] | null),
  },
  {
    name: 'create-ci',
    summary: 'Create compute instances (--gi to choose GIs)',
    usage: '[profile,...] [--gi ids]',
    smi: { under: 'mig', flags: ['-cci', '--create-compute-instance'], value: 'optional', example: 'mig -cci 0,1 -gi 1' },
    description: `Creates compute instances in the given GPU instances (all of them when --gi is not given). Without
profiles, the default (full-size) compute instance profile.`,
    options: { gi: GI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ profiles: pos.length ? parseProfileList(pos) : null, gi: ids(v, 'gi', 'GPU instance id') }),
    run: (ctx, c) => cmd.createCi(ctx, c.profiles as never, c.gi as number[] | null),
  },
  {
    name: 'list-ci',
    summary: 'List compute instances',
    usage: '[ids] [--gi ids] [--ci ids]',
    smi: { under: 'mig', flags: ['-lci', '--list-compute-instances'], example: 'mig -lci' },
    description: 'Lists compute instances: GPU instance, profile, id and placement.',
    options: { gi: GI, ci: CI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ gi: ids(v, 'gi', 'GPU instance id'), ci: idsWithPositionals(v, 'ci', pos, 'compute instance id') }),
    run: (ctx, c) => cmd.listCi(ctx, c.gi as number[] | null, c.ci as number[] | null),
  },
  {
    name: 'destroy-ci',
    summary: 'Destroy compute instances (all when none given)',
    usage: '[ids] [--gi ids] [--ci ids]',
    smi: { under: 'mig', flags: ['-dci', '--destroy-compute-instance'], example: 'mig -dci -gi 1 -ci 0' },
    description: `Destroys the selected compute instances (every one when no filter is given). A compute instance
with processes is refused (exit 5), naming them.`,
    options: { gi: GI, ci: CI },
    positionals: { min: 0, max: MANY },
    parse: (v, pos) => ({ gi: ids(v, 'gi', 'GPU instance id'), ci: idsWithPositionals(v, 'ci', pos, 'compute instance id') }),
    run: (ctx, c) => cmd.destroyCi(ctx, c.gi as number[] | null, c.ci as number[] | null),
  },
  {
    name: 'gpu-reset',
    summary: 'Reset a simulated GPU (--mock only; a real GPU: nvidia-smi -r)',
    usage: '[--force]',
    smi: { flags: ['-r', '--gpu-reset'], example: '-r' },
    description: `On the simulator (--mock): resets the selected GPUs (-i), as 'nvidia-smi -r' does a real one: a
pending MIG mode takes effect and every GPU and compute instance is gone. A GPU with processes is
refused (exit 5) unless --force, which ends them. On a real GPU nvml-mig refuses (exit 3): reset it
with 'sudo nvidia-smi -r -i <gpu>' once no process uses it, or reboot.`,
    options: { force: { type: 'boolean', help: 'end the simulated processes on the GPU first' } },
    needs: 'simulator',
    realGpu: "-r resets the simulator only (nvml-mig --mock <machine> -r): on a real GPU stop every process on it, then run 'sudo nvidia-smi -r -i <gpu>', or reboot",
    run: async (ctx, c) => (await import('./sim.js')).gpuReset(ctx, c.force === true),
    parse: (v) => ({ force: v.force === true }),
  },
];

// Layout commands: the handlers live with the layout module and load on use (yaml stays unloaded
// for the MIG commands).
const LAYOUT_FILE: Record<string, OptionSpec> = {
  file: { type: 'string', short: 'f', aliases: ['--config-file'], value: 'file', help: 'the mig-parted config file (or the first positional argument)' },
  'selected-config': { type: 'string', short: 'c', value: 'name', help: 'which config of the file (default: the only one)' },
};

function layoutFile(v: OptionValues, pos: string[], name: string): string {
  const file = (v.file as string | undefined) ?? pos[0];
  if (v.file !== undefined && pos.length) throw new UsageError(`unexpected '${pos[0]}' after ${name} -f ${v.file as string}`);
  if (file === undefined) throw new UsageError(`${name} needs -f <file>`);
  return file;
}

const LAYOUT_COMMANDS: CommandSpec[] = [
  {
    name: 'apply',
    summary: 'Apply a declarative (mig-parted) layout',
    usage: '[-f] <file> [-c <config>] [--dry-run] [--force] [--rollback-on-failure] [--reset-hook <command>]',
    description: `Brings the GPUs to a layout of a mig-parted config file (the selected config, -c), changing only
what differs. --dry-run prints the plan; instances with processes are kept unless --force.
The file is checked before anything else: unknown keys, wrong types, counts no GPU can hold and
GPUs that do not exist are usage errors (exit 2) naming the place.`,
    options: {
      ...LAYOUT_FILE,
      'dry-run': { type: 'boolean', help: 'print the plan, change nothing' },
      force: { type: 'boolean', help: 'also destroy instances that processes use' },
      'rollback-on-failure': { type: 'boolean', help: 'restore the previous layout when a step fails' },
      'reset-hook': { type: 'string', value: 'command', help: 'shell command run for a GPU whose MIG mode waits for a reset' },
    },
    positionals: { min: 0, max: 1 },
    parse: (v, pos) => ({
      file: layoutFile(v, pos, 'apply'), config: v['selected-config'], dryRun: v['dry-run'] === true, force: v.force === true,
      rollback: v['rollback-on-failure'] === true, resetHook: v['reset-hook'],
    }),
    run: async (ctx, c) => (await import('./layout-commands.js')).apply(ctx, c),
  },
  {
    name: 'assert',
    summary: 'Check that the GPUs match a layout (exit 1 if not)',
    usage: '[-f] <file> [-c <config>]',
    description: 'Checks that the GPUs match a layout of a mig-parted config file. Exit 0 if they do, 1 if not.',
    options: LAYOUT_FILE,
    positionals: { min: 0, max: 1 },
    parse: (v, pos) => ({ file: layoutFile(v, pos, 'assert'), config: v['selected-config'] }),
    run: async (ctx, c) => (await import('./layout-commands.js')).assert(ctx, c),
  },
  {
    name: 'export',
    summary: 'Print the current layout as a config',
    usage: '[--yaml] [-l <label>]',
    description: `Prints the current MIG layout as a mig-parted config (YAML by default; with --json, the config is
the document's "config" member).`,
    options: {
      yaml: { type: 'boolean', help: 'YAML (the default without --json)' },
      'config-label': { type: 'string', short: 'l', value: 'label', help: "the config's name in the file (default: current)" },
    },
    parse: (v) => ({ label: (v['config-label'] as string | undefined) ?? 'current', yaml: v.yaml === true }),
    run: async (ctx, c) => (await import('./layout-commands.js')).exportLayout(ctx, c),
  },
];

function integer(flag: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const EXPORTER: CommandSpec = {
  name: 'exporter',
  summary: 'Serve Prometheus metrics of GPUs and MIG devices',
  usage: '[--port 9400] [--host 127.0.0.1] [--interval-ms 1000]',
  description: `Serves Prometheus metrics of every GPU and MIG instance at http://HOST:PORT/metrics, with the
label names dcgm-exporter uses (gpu, UUID, pci_bus_id, device, modelName, GPU_I_PROFILE, GPU_I_ID).
A scrape is answered from memory; the driver is read in the background every --interval-ms.
-i exports only the selected GPUs. Runs until SIGINT or SIGTERM.`,
  options: {
    port: { type: 'string', value: 'N', help: 'TCP port (default 9400; 0 picks a free one)' },
    host: { type: 'string', value: 'addr', help: 'address to bind (default 127.0.0.1; 0.0.0.0 publishes to the network)' },
    'interval-ms': { type: 'string', value: 'N', help: 'refresh interval in ms (default 1000, at least 10)' },
  },
  parse: (v) => {
    if (v.host === '') throw new UsageError('--host needs an address');
    return {
      port: integer('--port', v.port, 9400, 0, 65535),
      host: (v.host as string | undefined) ?? '127.0.0.1',
      intervalMs: integer('--interval-ms', v['interval-ms'], 1000, 10, 2 ** 31 - 1),
    };
  },
  run: async (ctx, c) => (await import('./exporter-command.js')).serve(ctx, c),
};

const HELP: CommandSpec = {
  name: 'help',
  summary: 'This text, or a command\'s own',
  usage: '[command]',
  description: "Prints the list of commands, or one command's help (the same as 'nvml-mig <command> --help'). Needs no GPU.",
  positionals: { min: 0, max: 2 },
  needs: 'nothing',
  parse: (_v, pos) => ({ topic: pos.length ? pos.join(' ') : null }),
  run: () => Promise.resolve({}), // run.ts prints help before any handler
};

/** Every command, in the order `nvml-mig --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [...MIG_COMMANDS, ...LAYOUT_COMMANDS, EXPORTER, ...SIM_COMMANDS, HELP];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

export function findCommand(name: string): CommandSpec | undefined {
  return BY_NAME.get(name);
}

/** Words that start a group of commands (`sim add-process`). */
export const GROUPS: ReadonlySet<string> = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]));
