// `nvml-mig` with no command: nvidia-smi's dashboard (the 580 driver's 91-column layout), from
// what NVML gives the library. The columns nvml-mig does not read (persistence mode, display,
// ECC, fan, temperature, performance state, power cap, compute mode) print N/A, as nvidia-smi
// prints them for a GPU whose driver does not answer; the layout and every value nvml-mig reads
// (name, bus id, power usage, memory, utilization, MIG mode, MIG devices, processes) match
// nvidia-smi 580 byte for byte on the mock (scripts/device/smi-fidelity.sh, test/fidelity).

import type { Device } from '../device.js';
import { isNvmlError } from '../errors.js';
import type { Context, NamedProcess } from './context.js';

const WIDTH = 91;
const MiB = 1024 * 1024;

const right = (v: string | number, w: number): string => String(v).padStart(w);
const mib = (bytes: number): number => Math.floor(bytes / MiB);
const line = (...cells: string[]): string => `|${cells.join('|')}|`;

export interface DashboardGpu {
  index: number;
  name: string;
  busId: string;
  /** The board's power draw in watts as NVML gives it (80.968), null where NVML has none. */
  powerW: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  /** GPU utilization in %, null where NVML has none (MIG enabled). */
  utilization: number | null;
  migMode: { current: boolean; pending: boolean } | null;
}

export interface DashboardMig {
  gpu: number;
  gi: number;
  ci: number;
  index: number;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  bar1UsedMiB: number | null;
  bar1TotalMiB: number | null;
  sm: number | null;
  ce: number | null;
  enc: number | null;
  dec: number | null;
  ofa: number | null;
  jpeg: number | null;
}

export interface DashboardProcess {
  gpu: number;
  gi: number | null;
  ci: number | null;
  pid: number;
  name: string | null;
  usedMemoryMiB: number | null;
}

export interface Dashboard {
  time: Date;
  driverVersion: string;
  /** nvidia-smi prints its own version here; nvml-mig prints the driver's (the same with a matching install). */
  cudaVersion: number | null;
  gpus: DashboardGpu[];
  migDevices: DashboardMig[];
  processes: DashboardProcess[];
}

const na = (v: number | null, suffix = ''): string => (v === null ? 'N/A' : `${v}${suffix}`);

/** "Thu Dec  3 16:21:06 2026", as C's "%a %b %e %H:%M:%S %Y" in local time. */
function timestamp(t: Date): string {
  const day = t.toLocaleString('en-US', { weekday: 'short' });
  const month = t.toLocaleString('en-US', { month: 'short' });
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${month} ${right(t.getDate(), 2)} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())} ${t.getFullYear()}`;
}

function migModeText(m: DashboardGpu['migMode']): string {
  if (m === null) return 'N/A';
  // The pending mode, starred while it differs from the current one ("Enabled*").
  return (m.pending ? 'Enabled' : 'Disabled') + (m.pending !== m.current ? '*' : '');
}

/**
 * A power figure in its field of `width`: whole watts, '80W' right-aligned, or 'N/A' one place to
 * the left (the 'W' column then blank), as nvidia-smi 580 prints usage (width 16) and cap (width 5):
 * `             84W /  700W` on a real H200, `            N/A  /  N/A ` where NVML has nothing.
 * Whole watts are the milliwatts truncated, not rounded: nvidia-smi 580 printed 80W for the mock
 * H200's 80968 mW (and 52W, 61W, 33W, 68W, 72W for the other models' whole-watt values).
 */
export function wattsCell(w: number | null, width: number): string {
  return w === null ? `${right('N/A', width - 1)} ` : right(`${Math.floor(w)}W`, width);
}

function memoryCell(used: number | null, total: number | null, usedWidth: number, totalWidth: number): string {
  return `${right(na(used), usedWidth)}MiB / ${right(na(total), totalWidth)}MiB`;
}

/** The dashboard text, line for line as nvidia-smi 580 prints it. */
export function formatDashboard(d: Dashboard): string {
  const out: string[] = [];
  const full = (text: string) => `| ${text.padEnd(WIDTH - 4)} |`;
  // A border: '+---+---+' (or '|===+===|' under the column heads), one run per column.
  const bar = (cols: number[], ch = '-') => {
    const edge = ch === '=' ? '|' : '+';
    return edge + cols.map((w) => ch.repeat(w)).join('+') + edge;
  };
  const cuda = d.cudaVersion === null ? 'N/A' : `${Math.floor(d.cudaVersion / 1000)}.${Math.floor((d.cudaVersion % 1000) / 10)}`;

  out.push(`${timestamp(d.time)}       `);
  out.push(bar([WIDTH - 2]));
  out.push(`| NVIDIA-SMI ${d.driverVersion.padEnd(23)}Driver Version: ${d.driverVersion.padEnd(15)}CUDA Version: ${cuda.padEnd(9)}|`);
  const gpuCols = [41, 24, 22];
  out.push(bar(gpuCols));
  out.push(line(' GPU  Name                 Persistence-M ', ' Bus-Id          Disp.A ', ' Volatile Uncorr. ECC '));
  out.push(line(' Fan  Temp   Perf          Pwr:Usage/Cap ', '           Memory-Usage ', ' GPU-Util  Compute M. '));
  out.push(line(' '.repeat(41), ' '.repeat(24), '               MIG M. '));
  out.push(bar(gpuCols, '='));
  for (const g of d.gpus) {
    out.push(line(`${right(g.index, 4)}  ${g.name.padEnd(28)}${right('N/A', 5)}  `, `${right(g.busId, 19)} ${right('N/A', 3)} `, `${right('N/A', 21)} `));
    // Fan, temperature and performance state, then power usage / cap (nvml-mig reads no cap).
    out.push(line(` N/A   N/A  N/A ${wattsCell(g.powerW, 16)} / ${wattsCell(null, 5)} `, `${memoryCell(g.memoryUsedMiB, g.memoryTotalMiB, 8, 6)} `, `${right(na(g.utilization, '%'), 8)}${right('N/A', 13)} `));
    out.push(line(' '.repeat(41), ' '.repeat(24), `${right(migModeText(g.migMode), 21)} `));
    out.push(bar(gpuCols));
  }

  if (d.gpus.some((g) => g.migMode?.current)) {
    const migCols = [18, 34, 11, 23];
    out.push('');
    out.push(bar([WIDTH - 2]));
    out.push(full('MIG devices:'));
    out.push(bar(migCols));
    out.push(line(' GPU  GI  CI  MIG ', '              Shared Memory-Usage ', '        Vol', '        Shared         '));
    out.push(line('      ID  ID  Dev ', '                Shared BAR1-Usage ', ' SM     Unc', ' CE ENC  DEC  OFA  JPG '));
    out.push(line(' '.repeat(18), ' '.repeat(34), '        ECC', ' '.repeat(23)));
    out.push(bar(migCols, '='));
    if (d.migDevices.length === 0) {
      out.push(full(' No MIG devices found'));
      out.push(bar([WIDTH - 2]));
    }
    for (const m of d.migDevices) {
      out.push(line(
        `${right(m.gpu, 3)}${right(m.gi, 5)}${right(m.ci, 4)}${right(m.index, 4)}  `,
        `${memoryCell(m.memoryUsedMiB, m.memoryTotalMiB, 16, 5)}    `,
        `${right(na(m.sm), 3)}${right('N/A', 7)} `,
        `${right(na(m.ce), 3)}${right(na(m.enc), 4)}${right(na(m.dec), 5)}${right(na(m.ofa), 5)}${right(na(m.jpeg), 5)} `,
      ));
      out.push(line(' '.repeat(18), `${memoryCell(m.bar1UsedMiB, m.bar1TotalMiB, 16, 5)}    `, ' '.repeat(11), ' '.repeat(23)));
      out.push(bar(migCols));
    }
  }

  out.push('');
  out.push(bar([WIDTH - 2]));
  out.push(full('Processes:'));
  out.push(full(' GPU   GI   CI              PID   Type   Process name                        GPU Memory'));
  out.push(full('       ID   ID                                                               Usage'));
  out.push(bar([WIDTH - 2], '='));
  if (d.processes.length === 0) out.push(full(' No running processes found'));
  for (const p of d.processes) {
    const head = `${right(p.gpu, 5)}${right(na(p.gi), 5)}${right(na(p.ci), 5)}${right(p.pid, 17)}${right('C', 7)}   `;
    const memory = `${na(p.usedMemoryMiB)}MiB`;
    out.push(`|${head}${(p.name ?? 'N/A').padEnd(WIDTH - 3 - head.length - memory.length)}${memory} |`);
  }
  out.push(bar([WIDTH - 2]));
  return out.join('\n') + '\n';
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (isNvmlError(e)) return null;
    throw e;
  }
}

async function gpuRow(device: Device): Promise<{ row: DashboardGpu; migs: DashboardMig[]; procs: NamedProcess[] }> {
  const [name, pci, power, memory, utilization, mode] = await Promise.all([
    device.name(),
    orNull(device.pciInfo()),
    orNull(device.powerUsage()),
    orNull(device.memoryInfo()),
    orNull(device.utilizationRates()),
    orNull(device.migMode()),
  ]);
  const row: DashboardGpu = {
    index: device.index,
    name,
    busId: pci?.busId ?? 'N/A',
    powerW: power,
    memoryUsedMiB: memory ? mib(memory.used) : null,
    memoryTotalMiB: memory ? mib(memory.total) : null,
    utilization: utilization ? utilization.gpu : null,
    migMode: mode ? { current: mode.current, pending: mode.pending } : null,
  };
  const migs: DashboardMig[] = [];
  if (mode?.current) {
    for (const m of await device.migDevices()) {
      const [gi, ci, mem, bar1, attrs] = await Promise.all([
        m.gpuInstanceId(), m.computeInstanceId(), orNull(m.memoryInfo()), orNull(m.bar1MemoryInfo()), orNull(m.attributes()),
      ]);
      migs.push({
        gpu: device.index, gi, ci, index: m.index,
        memoryUsedMiB: mem ? mib(mem.used) : null, memoryTotalMiB: mem ? mib(mem.total) : null,
        bar1UsedMiB: bar1 ? mib(bar1.used) : null, bar1TotalMiB: bar1 ? mib(bar1.total) : null,
        sm: attrs?.multiprocessorCount ?? null, ce: attrs?.sharedCopyEngineCount ?? null, enc: attrs?.sharedEncoderCount ?? null,
        dec: attrs?.sharedDecoderCount ?? null, ofa: attrs?.sharedOfaCount ?? null, jpeg: attrs?.sharedJpegCount ?? null,
      });
    }
  }
  return { row, migs, procs: [] };
}

/** `nvml-mig` with no command. */
export async function dashboard(ctx: Context): Promise<Record<string, unknown>> {
  const devices = await ctx.selectedDevices();
  const [driverVersion, cudaVersion] = await Promise.all([ctx.nvml.driverVersion(), orNull(ctx.nvml.cudaDriverVersion())]);
  const d: Dashboard = { time: new Date(), driverVersion, cudaVersion, gpus: [], migDevices: [], processes: [] };
  for (const device of devices) {
    const { row, migs } = await gpuRow(device);
    d.gpus.push(row);
    d.migDevices.push(...migs);
    for (const p of await ctx.processesOn(device)) {
      d.processes.push({ gpu: device.index, gi: p.gpuInstanceId, ci: p.computeInstanceId, pid: p.pid, name: p.name, usedMemoryMiB: p.usedMemoryMiB });
    }
  }
  ctx.print(formatDashboard(d).replace(/\n$/, ''));
  return { dashboard: { ...d, time: d.time.toISOString() } };
}
