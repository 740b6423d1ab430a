// `status`: one tree per GPU: MIG mode (current/pending), GPU instances with placements, their
// compute instances, the MIG device (UUID) of each, and the processes on it.

import type { Device } from '../device.js';
import type { GpuInstance } from '../gpu-instance.js';
import type { MigDevice } from '../mig-device.js';
import type { MigMode, Placement } from '../types.js';
import type { Context, NamedProcess } from './context.js';
import { migDisplayName, migModeOrNull, resetAdvice, type JsonData } from './commands.js';
import { gib } from './format.js';

export interface StatusMigDevice {
  index: number;
  name: string;
  uuid: string;
}

export interface StatusComputeInstance {
  id: number;
  profileId: number;
  profileName: string | null;
  placement: Placement;
  migDevice: StatusMigDevice | null;
  processes: NamedProcess[];
}

export interface StatusGpuInstance {
  id: number;
  profileId: number;
  profileName: string;
  placement: Placement;
  memoryMiB: number;
  computeInstances: StatusComputeInstance[];
}

export interface StatusGpu {
  index: number;
  name: string;
  uuid: string;
  pciBusId: string;
  /** null: the GPU has no MIG. */
  migMode: MigMode | null;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
  gpuInstances: StatusGpuInstance[];
  /** Processes not on a listed compute instance (all of them when MIG is off). */
  processes: NamedProcess[];
}

interface Node {
  label: string;
  children?: Node[];
}

function render(node: Node, prefix: string, last: boolean, root: boolean, out: string[]): void {
  out.push(root ? node.label : `${prefix}${last ? '└── ' : '├── '}${node.label}`);
  const kids = node.children ?? [];
  const next = root ? '' : prefix + (last ? '    ' : '│   ');
  kids.forEach((k, i) => render(k, next, i === kids.length - 1, false, out));
}

function processNode(p: NamedProcess): Node {
  const mem = p.usedMemoryMiB === null ? '' : `, ${p.usedMemoryMiB} MiB`;
  return { label: `process ${p.pid} ${p.name ?? '(unknown)'}${mem}` };
}

function modeLabel(g: StatusGpu, sim: string | null): string {
  const m = g.migMode;
  if (m === null) return 'MIG mode: not supported';
  const word = (on: boolean) => (on ? 'Enabled' : 'Disabled');
  if (!m.changePending) return `MIG mode: ${word(m.current)}`;
  return `MIG mode: ${word(m.current)}, pending ${word(m.pending)} (${resetAdvice(g.index, g.pciBusId, sim)})`;
}

/** The human tree of `status`. */
export function formatStatus(gpus: StatusGpu[], sim: string | null = null): string {
  const out: string[] = [];
  for (const g of gpus) {
    const children: Node[] = [
      { label: `PCI bus id: ${g.pciBusId}` },
      { label: modeLabel(g, sim) },
      { label: `Memory: ${gib(g.memoryUsedMiB)} / ${gib(g.memoryTotalMiB)} GiB used` },
    ];
    if (g.migMode?.current) {
      if (g.gpuInstances.length === 0) children.push({ label: 'GPU instances: none' });
      for (const gi of g.gpuInstances) {
        const cis: Node[] = gi.computeInstances.map((ci) => {
          const dev: Node[] = ci.migDevice
            ? [{ label: `${ci.migDevice.name} Device ${ci.migDevice.index} (UUID: ${ci.migDevice.uuid})`, children: ci.processes.map(processNode) }]
            : ci.processes.map(processNode);
          return {
            label: `Compute instance ${ci.id}: ${ci.profileName ?? '?'} (profile ${ci.profileId}), placement ${ci.placement.start}:${ci.placement.size}`,
            children: dev,
          };
        });
        if (cis.length === 0) cis.push({ label: 'compute instances: none' });
        children.push({
          label: `GPU instance ${gi.id}: ${gi.profileName} (profile ${gi.profileId}), placement ${gi.placement.start}:${gi.placement.size}, ${gib(gi.memoryMiB)} GiB`,
          children: cis,
        });
      }
    }
    const onMig = g.gpuInstances.reduce((n, gi) => n + gi.computeInstances.reduce((k, ci) => k + ci.processes.length, 0), 0);
    if (g.processes.length) children.push({ label: `Processes${onMig ? ' outside MIG devices' : ''}:`, children: g.processes.map(processNode) });
    else children.push({ label: onMig ? `Processes: ${onMig} on MIG devices (above), none outside them` : 'Processes: none' });
    render({ label: `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})`, children }, '', true, true, out);
  }
  return out.join('\n') + '\n';
}

async function migDeviceMap(device: Device): Promise<Map<string, StatusMigDevice>> {
  const map = new Map<string, StatusMigDevice>();
  const all: MigDevice[] = await device.migDevices().catch(() => []);
  for (const m of all) {
    const [gi, ci, name, uuid] = await Promise.all([m.gpuInstanceId(), m.computeInstanceId(), m.name(), m.uuid()]);
    map.set(`${gi}/${ci}`, { index: m.index, name: migDisplayName(name), uuid });
  }
  return map;
}

async function gpuInstanceStatus(ctx: Context, device: Device, gi: GpuInstance, migs: Map<string, StatusMigDevice>, seen: Set<number>): Promise<StatusGpuInstance> {
  const profile = await gi.profile();
  const ciProfiles = await gi.computeInstanceProfiles().catch(() => []);
  const computeInstances: StatusComputeInstance[] = [];
  for (const ci of await gi.computeInstances()) {
    const processes = await ctx.processesOn(device, gi, ci.id);
    processes.forEach((p) => seen.add(p.pid));
    computeInstances.push({
      id: ci.id,
      profileId: ci.profileId,
      profileName: ciProfiles.find((p) => p.id === ci.profileId)?.name ?? null,
      placement: ci.placement,
      migDevice: migs.get(`${gi.id}/${ci.id}`) ?? null,
      processes,
    });
  }
  return { id: gi.id, profileId: gi.profileId, profileName: profile.name, placement: gi.placement, memoryMiB: profile.memorySizeMB, computeInstances };
}

/** Gathers the tree of every selected GPU. */
export async function status(ctx: Context): Promise<JsonData> {
  const gpus: StatusGpu[] = [];
  for (const device of await ctx.selectedDevices()) {
    const [name, uuid, pci, mem, migMode] = await Promise.all([device.name(), device.uuid(), device.pciInfo(), device.memoryInfo(), migModeOrNull(device)]);
    const seen = new Set<number>();
    const gpuInstances: StatusGpuInstance[] = [];
    if (migMode?.current) {
      const migs = await migDeviceMap(device);
      for (const gi of await device.gpuInstances()) gpuInstances.push(await gpuInstanceStatus(ctx, device, gi, migs, seen));
    }
    const processes = (await ctx.processesOn(device)).filter((p) => !seen.has(p.pid));
    gpus.push({
      index: device.index, name, uuid, pciBusId: pci.busId, migMode,
      memoryTotalMiB: Math.round(mem.total / (1024 * 1024)), memoryUsedMiB: Math.round(mem.used / (1024 * 1024)),
      gpuInstances, processes,
    });
  }
  ctx.print(formatStatus(gpus, ctx.simPrefix));
  return { gpus };
}
