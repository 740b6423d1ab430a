// What every command works with: the open library, the output streams, the GPUs the user chose,
// and the collected errors that decide the exit code.

import { readFileSync } from 'node:fs';
import type { Nvml } from '../nvml.js';
import type { Device } from '../device.js';
import type { GpuInstance } from '../gpu-instance.js';
import type { ProcessInfo } from '../types.js';
import { isNvmlError } from '../errors.js';
import type { GlobalOptions } from './args.js';
import { CliError, EXIT, UsageError, errorCode, exitCodeOf } from './errors.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One failure as the JSON output carries it. */
export interface ErrorEntry {
  gpu: number | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
  code: string;
  exitCode: number;
  message: string;
}

export interface Where {
  gpu?: number;
  gi?: number;
  ci?: number;
}

/** A process with the name the OS (or the mock) gives it. */
export interface NamedProcess {
  pid: number;
  name: string | null;
  usedMemoryMiB: number | null;
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
}

export class Context {
  exitCode: number = EXIT.OK;
  readonly errors: ErrorEntry[] = [];
  readonly warnings: string[] = [];
  private mockNames: Map<number, string> | null = null;

  constructor(
    readonly nvml: Nvml,
    readonly io: CliIo,
    readonly global: GlobalOptions,
  ) {}

  /** How a command line that reaches the same simulated machine starts, or null on a real driver. */
  get simPrefix(): string | null {
    const g = this.global;
    if (g.mock === null) return null;
    const quote = (t: string) => (/^[\w.,:/=@+-]+$/.test(t) ? t : `'${t.replace(/'/g, "'\\''")}'`);
    return `nvml-mig --mock ${quote(g.mock)}${g.mockState ? ` --mock-state ${quote(g.mockState)}` : ''}`;
  }

  get json(): boolean {
    return this.global.json;
  }

  /** A line of human output (nothing in --json mode, where stdout carries one JSON document). */
  print(text: string): void {
    if (!this.json) this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** A warning: one line on stderr, and in the JSON `warnings`. */
  warn(text: string): void {
    this.warnings.push(text);
    this.io.stderr.write(text + '\n');
  }

  /**
   * Records a failure: one line on stderr, an entry for --json, and the exit code. The first
   * failure decides the code, except that a hard failure replaces an earlier PARTIAL.
   */
  fail(line: string, e: unknown, where: Where = {}, exitCode = exitCodeOf(e)): void {
    this.io.stderr.write(line + '\n');
    if (this.global.debug && e instanceof Error && e.stack) this.io.stderr.write(e.stack + '\n');
    this.record(line, e, where, exitCode);
  }

  /**
   * A failure whose line went to stdout with the output it belongs to (a listing that found
   * nothing, printed as nvidia-smi prints it): only the JSON entry and the exit code.
   */
  record(line: string, e: unknown, where: Where = {}, exitCode = exitCodeOf(e)): void {
    this.errors.push({
      gpu: where.gpu ?? null,
      gpuInstanceId: where.gi ?? null,
      computeInstanceId: where.ci ?? null,
      code: errorCode(e),
      exitCode,
      message: line,
    });
    this.setExit(exitCode);
  }

  setExit(code: number): void {
    if (this.exitCode === EXIT.OK || (this.exitCode === EXIT.PARTIAL && code !== EXIT.OK)) this.exitCode = code;
  }

  /** The selected GPUs (-i): indices, UUIDs or PCI bus ids; all GPUs when none were given. */
  async selectedDevices(): Promise<Device[]> {
    const sel = this.global.gpus;
    if (sel === null) return this.nvml.devices();
    const count = await this.nvml.deviceCount();
    const chosen = new Map<number, Device>();
    for (const token of sel) {
      let device: Device;
      if (/^\d+$/.test(token)) {
        const index = Number(token);
        if (index >= count) {
          throw new CliError('GPU_NOT_FOUND', `No GPU with index ${index}: this machine has ${count} GPU${count === 1 ? '' : 's'} (${range(count)})`, EXIT.REFUSED);
        }
        device = await this.nvml.device(index);
      } else if (/^MIG-/i.test(token)) {
        throw new UsageError(`'${token}' is a MIG device: select its GPU with -i and the instance with -gi/-ci`);
      } else {
        device = await this.lookup(token);
      }
      chosen.set(device.index, device);
    }
    return [...chosen.values()].sort((a, b) => a.index - b.index);
  }

  private async lookup(token: string): Promise<Device> {
    try {
      if (/^GPU-/i.test(token)) return (await this.nvml.deviceByUuid(token)) as Device;
      if (token.includes(':')) return await this.nvml.deviceByPciBusId(token);
    } catch (e) {
      if (isNvmlError(e, 'NVML_ERROR_NOT_FOUND') || isNvmlError(e, 'NVML_ERROR_INVALID_ARGUMENT')) {
        throw new CliError('GPU_NOT_FOUND', `No GPU matches '${token}'`, EXIT.REFUSED);
      }
      throw e;
    }
    throw new UsageError(`invalid GPU selection '${token}': expected an index (0), a UUID (GPU-...) or a PCI bus id (00000000:07:00.0)`);
  }

  /** Names of processes: from the mock's state when simulating, else /proc/<pid>/comm. */
  async processName(pid: number): Promise<string | null> {
    if (this.global.mock !== null) {
      this.mockNames ??= await this.readMockNames();
      return this.mockNames.get(pid) ?? null;
    }
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  private async readMockNames(): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    try {
      collectNames(await this.nvml.mockControl({ cmd: 'state' }), names);
    } catch {
      // Names are a courtesy: a mock without the control channel still lists pids.
    }
    return names;
  }

  async named(p: ProcessInfo): Promise<NamedProcess> {
    return {
      pid: p.pid,
      name: await this.processName(p.pid),
      usedMemoryMiB: p.usedGpuMemory === null ? null : Math.round(p.usedGpuMemory / (1024 * 1024)),
      gpuInstanceId: p.gpuInstanceId,
      computeInstanceId: p.computeInstanceId,
    };
  }

  /** Processes on a GPU, or on one of its GPU instances (and compute instance), named. */
  async processesOn(device: Device, gi?: GpuInstance, ciId?: number): Promise<NamedProcess[]> {
    const byPid = new Map<number, ProcessInfo>();
    const add = (list: ProcessInfo[]) => list.forEach((p) => byPid.set(p.pid, p));
    add(await device.computeProcesses().catch(() => []));
    if (gi) {
      // The parent's aggregate needs privileges; the MIG devices of the GI always answer.
      for (const ci of await gi.computeInstances().catch(() => [])) {
        if (ciId !== undefined && ci.id !== ciId) continue;
        const mig = await ci.migDevice().catch(() => null);
        const list = mig ? await mig.computeProcesses().catch(() => []) : [];
        add(list.map((p) => ({ ...p, gpuInstanceId: p.gpuInstanceId ?? gi.id, computeInstanceId: p.computeInstanceId ?? ci.id })));
      }
    }
    const all = [...byPid.values()].filter(
      (p) => !gi || (p.gpuInstanceId === gi.id && (ciId === undefined || p.computeInstanceId === ciId)),
    );
    return Promise.all(all.map((p) => this.named(p)));
  }
}

/** "4242 (python), 4243" */
export function describeProcesses(list: NamedProcess[]): string {
  return list.map((p) => (p.name ? `${p.pid} (${p.name})` : String(p.pid))).join(', ');
}

function range(count: number): string {
  return count === 0 ? 'none' : count === 1 ? '0' : `0-${count - 1}`;
}

/** Walks the mock's state answer and collects every {pid, name} it holds. */
function collectNames(value: unknown, names: Map<number, string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => collectNames(v, names));
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.pid === 'number' && typeof o.name === 'string') names.set(o.pid, o.name);
    Object.values(o).forEach((v) => collectNames(v, names));
  }
}
