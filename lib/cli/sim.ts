// The simulator from the command line (`nvml-mig --mock <machine> sim ...` and `-r`): show and
// reset the simulated machine, reset a GPU, add and remove simulated processes, set and clear
// faults and latency. Every command drives the mock's control channel (lib/testing's
// MockControl); on a real driver they refuse. A new simulator command is one entry of
// SIM_COMMANDS (docs/native.md, "How to add a command").

import { isNvmlError, NVML_RETURN_CODES } from '../errors.js';
import { MockControl, type MockState } from '../testing/index.js';
import type { Context } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { parseIdList } from './profiles-arg.js';
import type { Command, CommandSpec, JsonData, OptionValues } from './spec.js';

/** The control channel of the mock that the context has open; refuses on a real driver. */
async function control(ctx: Context, what: string): Promise<MockControl> {
  const c = new MockControl(ctx.nvml);
  try {
    await c.statePath();
  } catch (e) {
    if (isNvmlError(e, 'NVML_ERROR_FUNCTION_NOT_FOUND') || isNvmlError(e)) {
      throw new CliError('NOT_SIMULATED', `${what} works on the simulator only (nvml-mig --mock <machine> ...); this is a real NVIDIA driver`, EXIT.REFUSED);
    }
    throw e;
  }
  return c;
}

/** A control request the mock refused ("no GPU 3", "process 7 is already there") as the CLI's error. */
async function send<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isNvmlError(e, 'ERR_NVML_MOCK_CONTROL')) {
      throw new CliError('SIM_REFUSED', `${what}: ${e.message.replace(/^mock control "[^"]*" failed: /, '')}`, EXIT.REFUSED);
    }
    throw e;
  }
}

/** The one GPU a simulator command acts on: -i, or GPU 0 of a one-GPU machine. */
async function oneGpu(ctx: Context): Promise<number> {
  const devices = await ctx.selectedDevices();
  if (ctx.global.gpus === null && devices.length > 1) throw new UsageError(`this machine has ${devices.length} GPUs: choose one with -i`);
  if (devices.length !== 1) throw new UsageError('choose one GPU with -i');
  return devices[0].index;
}

function uint(text: string | undefined, what: string, max = 0xffffffff): number {
  if (text === undefined || !/^\d{1,10}$/.test(text) || Number(text) > max) throw new UsageError(`${what} must be a whole number from 0 to ${max}, got '${text ?? ''}'`);
  return Number(text);
}

/** An NVML return code by number (19), enum name (NVML_ERROR_IN_USE) or short name (IN_USE). */
export function parseReturnCode(text: string): number {
  if (/^\d+$/.test(text) && NVML_RETURN_CODES[Number(text)] !== undefined) return Number(text);
  const want = text.toUpperCase().replace(/^NVML_ERROR_/, '');
  for (const [code, name] of Object.entries(NVML_RETURN_CODES)) if (name.replace(/^NVML_ERROR_/, '') === want && name !== 'NVML_SUCCESS') return Number(code);
  throw new UsageError(`unknown NVML return code '${text}': a number or a name such as IN_USE, INSUFFICIENT_RESOURCES, GPU_IS_LOST`);
}

function nvmlFunction(text: string | undefined): string {
  if (text === undefined || !/^(nvml[A-Za-z0-9_]+|\*)$/.test(text)) throw new UsageError(`expected an NVML function name such as nvmlDeviceCreateGpuInstance, got '${text ?? ''}'`);
  return text;
}

/** `-r` / `gpu-reset`: the simulated GPU reset; a real GPU is refused with what to run instead. */
export async function gpuReset(ctx: Context, force: boolean): Promise<JsonData> {
  const devices = await ctx.selectedDevices();
  let c: MockControl;
  try {
    c = await control(ctx, 'gpu-reset');
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    const which = ctx.global.gpus ? ` -i ${ctx.global.gpus.join(',')}` : ' -i <gpu>';
    throw new CliError('RESET_REFUSED', `nvml-mig does not reset a real GPU: stop every process on it, then run 'sudo nvidia-smi -r${which}', or reboot`, EXIT.REFUSED);
  }
  const reset: number[] = [];
  for (const d of devices) {
    const busId = (await d.pciInfo()).busId;
    try {
      await c.gpuReset(d.index, { force });
    } catch (e) {
      if (isNvmlError(e, 'ERR_NVML_MOCK_CONTROL') && /has processes/.test(e.message)) {
        ctx.fail(`Unable to reset GPU ${busId}: In use by another client (processes use it: stop them with 'nvml-mig sim remove-process <pid>', or add --force)`, new CliError('IN_USE', '', EXIT.BUSY), { gpu: d.index });
        continue;
      }
      throw e;
    }
    reset.push(d.index);
    ctx.print(`GPU ${busId} was reset.`);
  }
  if (reset.length === devices.length) ctx.print('All done.');
  return { reset };
}

function describeState(s: MockState): string {
  const out = [`Simulated machine: ${s.machine}${s.privilegedNow ? '' : ' (unprivileged: changes answer Insufficient Permissions)'}`];
  for (const g of s.gpus) {
    const mode = g.migCurrent === g.migPending ? (g.migCurrent ? 'enabled' : 'disabled') : `${g.migCurrent ? 'enabled' : 'disabled'}, pending ${g.migPending ? 'enable' : 'disable'} (reset: nvml-mig --mock -r -i ${g.index})`;
    out.push(`GPU ${g.index}: ${g.name} (${g.busId}), MIG ${mode}`);
    for (const gi of g.gpuInstances) {
      out.push(`  GPU instance ${gi.id}: ${gi.profile} at ${gi.placement.start}:${gi.placement.size}`);
      for (const ci of gi.computeInstances) out.push(`    compute instance ${ci.id}: ${ci.profile}`);
    }
    for (const p of g.processes) {
      out.push(`  process ${p.pid} (${p.name}), ${p.usedMemoryMiB} MiB${p.gi !== undefined ? ` on GPU instance ${p.gi}, compute instance ${p.ci}` : ''}`);
    }
  }
  for (const f of s.faults) {
    const when = f.nth ? `on call ${f.nth}` : f.probability ? `with probability ${f.probability} (seed ${f.seed ?? 0})` : 'on every call';
    out.push(`Fault: ${f.fn} answers ${NVML_RETURN_CODES[f.code] ?? f.code} ${when}`);
  }
  for (const [fn, us] of Object.entries(s.latencyUs)) out.push(`Latency: ${fn} takes ${us} us more`);
  return out.join('\n') + '\n';
}

/** A simulator command: the control channel is opened (or refused) before `act` runs. */
function sim(spec: Omit<CommandSpec, 'run' | 'name'> & { name: string; act(ctx: Context, c: MockControl, cmd: Command): Promise<JsonData> }): CommandSpec {
  const { act, ...rest } = spec;
  return { needs: 'simulator', ...rest, name: `sim ${spec.name}`, run: async (ctx, cmd) => act(ctx, await control(ctx, `sim ${spec.name}`), cmd) };
}

/** The simulator's commands: `nvml-mig --mock <machine> sim <command>`. */
export const SIM_COMMANDS: CommandSpec[] = [
  sim({
    name: 'show',
    summary: 'The simulated machine: GPUs, instances, processes, faults',
    usage: '',
    description: 'Shows the whole simulated machine: MIG modes, instances, simulated processes, faults and latency.',
    act: async (ctx, c) => {
      const state = await c.state();
      ctx.print(describeState(state));
      return { state, stateFile: await c.statePath() };
    },
  }),
  sim({
    name: 'reset',
    summary: 'Start the simulated machine afresh (optionally another one)',
    usage: '[machine]',
    description: `Starts the simulated machine afresh: MIG off, no instances, processes, faults or latency. With a
machine (a30, a100-40gb:2, ...) the state file holds that machine from now on.`,
    positionals: { min: 0, max: 1 },
    parse: (_v, [machine]) => ({ machine: machine ?? null }),
    act: async (ctx, c, cmd) => {
      const machine = (cmd.machine as string | null) ?? ctx.global.mock ?? undefined;
      await send('sim reset', () => c.reset(machine));
      const state = await c.state();
      ctx.print(`Simulated machine ${state.machine} started afresh (${state.gpus.length} GPU${state.gpus.length === 1 ? '' : 's'}).`);
      return { machine: state.machine };
    },
  }),
  sim({
    name: 'add-process',
    summary: 'Start a simulated process on a GPU or a MIG device',
    usage: '<pid> [--name text] [--memory MiB] [--gi id [--ci id]]',
    description: `Puts a simulated process on the GPU chosen with -i (GPU 0 on a one-GPU machine). With MIG
enabled, a process runs on a MIG device: --gi names the GPU instance and --ci its compute instance
(default 0). Instances with a process refuse to be destroyed (exit 5), as on a real GPU.`,
    options: {
      name: { type: 'string', value: 'text', help: 'the process name (default: process)' },
      memory: { type: 'string', value: 'MiB', help: 'GPU memory it uses (default 0)' },
      gi: { type: 'string', value: 'id', help: 'the GPU instance it runs on (nvidia-smi: -gi)' },
      ci: { type: 'string', value: 'id', help: 'the compute instance it runs on (default 0; nvidia-smi: -ci)' },
    },
    positionals: { min: 1, max: 1 },
    parse: (v: OptionValues, [pid]) => {
      const p = uint(pid, 'pid');
      if (p === 0) throw new UsageError('pid must be positive');
      if (v.ci !== undefined && v.gi === undefined) throw new UsageError('--ci needs --gi');
      return {
        pid: p,
        name: (v.name as string | undefined) ?? 'process',
        memory: v.memory === undefined ? 0 : uint(v.memory as string, '--memory'),
        gi: v.gi === undefined ? null : parseIdList(v.gi as string, 'GPU instance id')[0],
        ci: v.gi === undefined ? null : v.ci === undefined ? 0 : parseIdList(v.ci as string, 'compute instance id')[0],
      };
    },
    act: async (ctx, c, cmd) => {
      const gpu = await oneGpu(ctx);
      const where = cmd.gi === null ? {} : { gi: cmd.gi as number, ci: cmd.ci as number };
      await send('sim add-process', () => c.addProcess({ gpu, pid: cmd.pid as number, name: cmd.name as string, usedMemoryMiB: cmd.memory as number, ...where }));
      ctx.print(`Process ${cmd.pid} (${cmd.name}) runs on GPU ${gpu}${cmd.gi === null ? '' : ` GPU instance ${cmd.gi} compute instance ${cmd.ci}`}.`);
      return { gpu, pid: cmd.pid, name: cmd.name, usedMemoryMiB: cmd.memory, gpuInstanceId: cmd.gi, computeInstanceId: cmd.ci };
    },
  }),
  sim({
    name: 'remove-process',
    summary: 'End a simulated process',
    usage: '<pid>',
    description: 'Ends a simulated process, wherever it runs.',
    positionals: { min: 1, max: 1 },
    parse: (_v, [pid]) => ({ pid: uint(pid, 'pid') }),
    act: async (ctx, c, cmd) => {
      const removed = await send('sim remove-process', () => c.removeProcess(cmd.pid as number));
      ctx.print(`Process ${cmd.pid} ended.`);
      return { pid: cmd.pid, removed };
    },
  }),
  sim({
    name: 'load',
    summary: 'Set the simulated activity GPM reads (a GPU, or one GPU instance)',
    usage: '<fraction> [--gi id] [--sm F] [--tensor F] [--dram F] [--occupancy F]',
    description: `Sets what the GPU chosen with -i does, as GPM (device.activity(), the exporter's
DCGM_FI_PROF_* series) reads it: <fraction> (0 to 1) for every activity metric, and --sm, --tensor,
--dram, --occupancy (0 to 1) for one each. With MIG enabled, --gi names the GPU instance whose load
it is; the GPU's own figures follow from its instances'. The load holds until set again.`,
    options: {
      gi: { type: 'string', value: 'id', help: 'the GPU instance (MIG on)' },
      sm: { type: 'string', value: 'F', help: 'SM activity, 0 to 1' },
      tensor: { type: 'string', value: 'F', help: 'tensor pipe activity, 0 to 1' },
      dram: { type: 'string', value: 'F', help: 'DRAM bandwidth use, 0 to 1' },
      occupancy: { type: 'string', value: 'F', help: 'SM occupancy, 0 to 1' },
    },
    positionals: { min: 1, max: 1 },
    parse: (v: OptionValues, [load]) => {
      const fraction = (text: string | undefined, what: string): number => {
        const x = Number(text);
        if (text === undefined || text === '' || !(x >= 0 && x <= 1)) throw new UsageError(`${what} must be a number from 0 to 1, got '${text ?? ''}'`);
        return x;
      };
      const out: Record<string, number | null> = { load: fraction(load, 'the load'), gi: v.gi === undefined ? null : parseIdList(v.gi as string, 'GPU instance id')[0] };
      for (const k of ['sm', 'tensor', 'dram', 'occupancy'] as const) if (v[k] !== undefined) out[k] = fraction(v[k] as string, `--${k}`);
      return out;
    },
    act: async (ctx, c, cmd) => {
      const gpu = await oneGpu(ctx);
      const { gi, ...levels } = cmd as unknown as { gi: number | null } & Record<string, number>;
      const request = { gpu, ...(gi === null ? {} : { gi }), ...Object.fromEntries(Object.entries(levels).filter(([k]) => ['load', 'sm', 'tensor', 'dram', 'occupancy'].includes(k))) };
      await send('sim load', () => c.setLoad(request));
      ctx.print(`GPU ${gpu}${gi === null ? '' : ` GPU instance ${gi}`} now runs at ${Math.round((cmd.load as number) * 100)}%.`);
      return request;
    },
  }),
  sim({
    name: 'fault',
    summary: 'Make an NVML function fail with a return code',
    usage: '<function> <code> [--nth N | --probability P [--seed S]]',
    description: `Makes an NVML function answer a return code (a number or a name: IN_USE, GPU_IS_LOST, ...): on
every call, on the Nth call from now (--nth), or at random with a seeded probability. The fault
holds for every process using the same state file until 'sim clear-faults'.`,
    options: {
      nth: { type: 'string', value: 'N', help: 'fail only the Nth call (1-based)' },
      probability: { type: 'string', value: 'P', help: 'fail with this probability (0 < P <= 1)' },
      seed: { type: 'string', value: 'S', help: 'the seed of --probability (default 0)' },
    },
    positionals: { min: 2, max: 2 },
    parse: (v, [fn, code]) => {
      const probability = v.probability === undefined ? undefined : Number(v.probability);
      if (probability !== undefined && !(probability > 0 && probability <= 1)) throw new UsageError(`--probability must be in (0, 1], got '${v.probability as string}'`);
      if (probability !== undefined && v.nth !== undefined) throw new UsageError('choose one of --nth and --probability');
      return {
        fn: nvmlFunction(fn), code: parseReturnCode(code ?? ''),
        nth: v.nth === undefined ? undefined : uint(v.nth as string, '--nth'), probability,
        seed: v.seed === undefined ? undefined : uint(v.seed as string, '--seed'),
      };
    },
    act: async (ctx, c, cmd) => {
      const fault = { fn: cmd.fn as string, code: cmd.code as number, ...(cmd.nth ? { nth: cmd.nth as number } : {}), ...(cmd.probability ? { probability: cmd.probability as number, seed: (cmd.seed as number | undefined) ?? 0 } : {}) };
      await send('sim fault', () => c.setFault(fault));
      ctx.print(`${fault.fn} now answers ${NVML_RETURN_CODES[fault.code]}.`);
      return { fault };
    },
  }),
  sim({
    name: 'clear-faults',
    summary: 'Remove the faults (of one function, or all)',
    usage: '[function]',
    description: 'Removes every fault, or those of one NVML function.',
    positionals: { min: 0, max: 1 },
    parse: (_v, [fn]) => ({ fn: fn === undefined ? null : nvmlFunction(fn) }),
    act: async (ctx, c, cmd) => {
      await send('sim clear-faults', () => c.clearFaults((cmd.fn as string | null) ?? undefined));
      ctx.print(cmd.fn ? `Faults of ${cmd.fn} cleared.` : 'Faults cleared.');
      return { fn: cmd.fn };
    },
  }),
  sim({
    name: 'latency',
    summary: 'Delay an NVML function (0 removes the delay)',
    usage: '<function|*> <microseconds>',
    description: "Delays each call of an NVML function ('*': every function) by the given microseconds; 0 removes the delay.",
    positionals: { min: 2, max: 2 },
    parse: (_v, [fn, us]) => ({ fn: nvmlFunction(fn), us: uint(us, 'microseconds', 10_000_000) }),
    act: async (ctx, c, cmd) => {
      await send('sim latency', () => c.setLatency(cmd.fn as string, cmd.us as number));
      ctx.print(cmd.us ? `${cmd.fn} now takes ${cmd.us} us more.` : `${cmd.fn} has no added latency.`);
      return { fn: cmd.fn, us: cmd.us };
    },
  }),
];

export type { Command };
