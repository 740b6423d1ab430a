// Reads what a GPU holds now (mode, GIs, CIs, the processes on each) through the facade, as plain data for
// the planner, plus the live handles the executor needs.
import type { ComputeInstance, Device, GpuInstance, Nvml } from '../index.js';
import { isNvmlError } from '../index.js';
import type { ProcessInfo } from '../types.js';
import { readDeviceModel } from './model.js';
import type { DeviceModel, GiState, GpuState } from './types.js';

/**
 * A GPU as read for planning: its device, its state as a plain value, its model, and the live instance objects.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, type LiveGpu } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu]: LiveGpu[] = await readNode(nvml);
 * console.log(gpu.state.uuid, gpu.model?.name, gpu.gpuInstances.size); // plain data for the planner; live handles for apply
 * ```
 */
export interface LiveGpu {
  device: Device;
  state: GpuState;
  model: DeviceModel | null;
  gpuInstances: Map<number, GpuInstance>;
  computeInstances: Map<string, ComputeInstance>;
}

export const ciHandleKey = (gi: number, ci: number): string => `${gi}/${ci}`;

/**
 * Processes on a GPU with their GI/CI ids.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { processesOf } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const device = await nvml.device(0);
 * console.log((await processesOf(device, false)).map((p) => p.pid)); // with true (MIG on), a refused aggregate read falls back to each MIG device
 * ```
 */
export async function processesOf(device: Device, migActive: boolean): Promise<ProcessInfo[]> {
  try {
    return await device.computeProcesses();
  } catch (e) {
    // Unprivileged callers cannot read the aggregate on a MIG GPU: ask each MIG device instead.
    if (!migActive || !isNvmlError(e)) throw e;
    const out: ProcessInfo[] = [];
    for (const md of await device.migDevices()) {
      const [gi, ci, procs] = await Promise.all([md.gpuInstanceId(), md.computeInstanceId(), md.computeProcesses()]);
      for (const p of procs) out.push({ ...p, gpuInstanceId: gi, computeInstanceId: ci });
    }
    return out;
  }
}

/**
 * Reads one GPU.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readGpu } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const { state, model } = await readGpu(await nvml.device(1));
 * console.log(state.index, state.mig, model?.slots); // 1 { current: false, pending: false } 8
 * ```
 */
export async function readGpu(device: Device): Promise<LiveGpu> {
  const [name, uuid, pci] = await Promise.all([device.name(), device.uuid(), device.pciInfo()]);
  let mig: GpuState['mig'] = null;
  try {
    const m = await device.migMode();
    mig = { current: m.current, pending: m.pending };
  } catch (e) {
    if (!isNvmlError(e, 'NVML_ERROR_NOT_SUPPORTED')) throw e;
  }
  const gpuInstances = new Map<number, GpuInstance>();
  const computeInstances = new Map<string, ComputeInstance>();
  const gis: GiState[] = [];
  const procs = await processesOf(device, !!mig?.current);
  if (mig?.current) {
    for (const gi of await device.gpuInstances()) {
      gpuInstances.set(gi.id, gi);
      const cis = await gi.computeInstances();
      gis.push({
        id: gi.id,
        profileId: gi.profileId,
        placement: { ...gi.placement },
        computeInstances: cis.map((ci) => {
          computeInstances.set(ciHandleKey(gi.id, ci.id), ci);
          return {
            id: ci.id,
            profileId: ci.profileId,
            placement: { ...ci.placement },
            processes: procs.filter((p) => p.gpuInstanceId === gi.id && p.computeInstanceId === ci.id).map((p) => p.pid),
          };
        }),
      });
    }
  }
  const model = mig ? await readDeviceModel(device, [...gpuInstances.values()]) : null;
  const resetlessMig = mig ? await device.isResetlessMigSupported().catch(() => null) : null;
  const state: GpuState = {
    index: device.index, uuid, name,
    pciDeviceId: pci.pciDeviceId, pciSubSystemId: pci.pciSubSystemId,
    mig, resetlessMig, gpuInstances: gis,
    processes: [...new Set(procs.map((p) => p.pid))].sort((a, b) => a - b),
  };
  return { device, state, model, gpuInstances, computeInstances };
}

/**
 * Reads every GPU (or the listed indices), in index order.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:4' });
 * const gpus = await readNode(nvml, [0, 2]); // or every GPU without indices
 * console.log(gpus.map((g) => `${g.state.index}: ${g.state.gpuInstances.length} GIs`)); // [ '0: 0 GIs', '2: 0 GIs' ]
 * ```
 */
export async function readNode(nvml: Nvml, indices?: number[]): Promise<LiveGpu[]> {
  const count = await nvml.deviceCount();
  const wanted = indices ?? Array.from({ length: count }, (_, i) => i);
  for (const i of wanted) {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`GPU index ${i} does not exist (this node has ${count} GPUs)`);
  }
  const out: LiveGpu[] = [];
  for (const i of wanted) out.push(await readGpu(await nvml.device(i)));
  return out;
}
