// Plain-data types of the layout planner: what a GPU model offers, what a GPU holds now, what it should hold,
// and the plan between the two. All of them are JSON-serialisable.
import type { Placement } from '../types.js';

/**
 * A compute instance profile in a {@link DeviceModel}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget, planGpu, currentCounts, profileKeyOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) {
 *   console.log(gpu.model.slots, gpu.model.giProfiles.map((p) => `${p.name}: ${p.ciProfiles.length} CI profiles`));
 *   const target = { migEnabled: true, migDevices: { '3g.20gb': 2 } };
 *   console.log(resolveTarget(gpu.model, target));                     // [{ giProfileId: 9, ciProfileId: 2, key: '3g.20gb', count: 2 }]
 *   console.log(planGpu(gpu.model, gpu.state, target).steps.length);
 *   console.log(currentCounts(gpu.model, gpu.state), profileKeyOf(gpu.model, 9, 2)); // {} '3g.20gb'
 * }
 * await shutdown();
 * ```
 */
export interface CiProfileModel {
  id: number;
  /** e.g. "1c.3g.40gb"; the CI spanning the whole GI is named like the GI ("3g.40gb"). */
  name: string;
  sliceCount: number;
  instanceCount: number;
  /** Start/size in compute slices inside the GI. */
  placements: Placement[];
}

/**
 * A GPU instance profile in a {@link DeviceModel}: placements and the CI profiles inside.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget, planGpu, currentCounts, profileKeyOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) {
 *   console.log(gpu.model.slots, gpu.model.giProfiles.map((p) => `${p.name}: ${p.ciProfiles.length} CI profiles`));
 *   const target = { migEnabled: true, migDevices: { '3g.20gb': 2 } };
 *   console.log(resolveTarget(gpu.model, target));                     // [{ giProfileId: 9, ciProfileId: 2, key: '3g.20gb', count: 2 }]
 *   console.log(planGpu(gpu.model, gpu.state, target).steps.length);
 *   console.log(currentCounts(gpu.model, gpu.state), profileKeyOf(gpu.model, 9, 2)); // {} '3g.20gb'
 * }
 * await shutdown();
 * ```
 */
export interface GiProfileModel {
  id: number;
  /** Short driver name, e.g. "1g.10gb+me". */
  name: string;
  sliceCount: number;
  memorySizeMB: number;
  instanceCount: number;
  /** Start/size on the GPU's memory-slot grid. */
  placements: Placement[];
  ciProfiles: CiProfileModel[];
  /** 'driver': CI profiles read from an existing GI of this profile; 'derived': from the slice-count rules. */
  ciSource: 'driver' | 'derived';
}

/**
 * What the planner knows of a GPU model: slots, compute slices, GI profiles with placements and CI profiles.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget, planGpu, currentCounts, profileKeyOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) {
 *   console.log(gpu.model.slots, gpu.model.giProfiles.map((p) => `${p.name}: ${p.ciProfiles.length} CI profiles`));
 *   const target = { migEnabled: true, migDevices: { '3g.20gb': 2 } };
 *   console.log(resolveTarget(gpu.model, target));                     // [{ giProfileId: 9, ciProfileId: 2, key: '3g.20gb', count: 2 }]
 *   console.log(planGpu(gpu.model, gpu.state, target).steps.length);
 *   console.log(currentCounts(gpu.model, gpu.state), profileKeyOf(gpu.model, 9, 2)); // {} '3g.20gb'
 * }
 * await shutdown();
 * ```
 */
export interface DeviceModel {
  /** Identity for caches: the device name plus its GI profile ids. */
  key: string;
  name: string;
  /** Size of the memory-slot grid (8 on A100/H100/H200, 4 on A30). */
  slots: number;
  /** Compute slices of the whole GPU (the largest GI profile's slice count). */
  computeSlices: number;
  giProfiles: GiProfileModel[];
}

/**
 * A compute instance in a {@link GpuState}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, readGpu, processesOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb:2' });
 * for (const gpu of await readNode(nvml)) {
 *   console.log(gpu.state.index, gpu.state.name, gpu.state.mig, gpu.state.gpuInstances.length, gpu.model?.slots);
 * }
 * const one = await readGpu(await nvml.device(1));
 * console.log(one.state.processes, await processesOf(one.device, false));
 * await shutdown();
 * ```
 */
export interface CiState {
  id: number;
  profileId: number;
  placement: Placement;
  uuid?: string;
  /** PIDs running on this compute instance. */
  processes: number[];
}

/**
 * A GPU instance in a {@link GpuState}, with its compute instances.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, readGpu, processesOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb:2' });
 * for (const gpu of await readNode(nvml)) {
 *   console.log(gpu.state.index, gpu.state.name, gpu.state.mig, gpu.state.gpuInstances.length, gpu.model?.slots);
 * }
 * const one = await readGpu(await nvml.device(1));
 * console.log(one.state.processes, await processesOf(one.device, false));
 * await shutdown();
 * ```
 */
export interface GiState {
  id: number;
  profileId: number;
  placement: Placement;
  computeInstances: CiState[];
}

/**
 * The MIG mode in a {@link GpuState}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, readGpu, processesOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb:2' });
 * for (const gpu of await readNode(nvml)) {
 *   console.log(gpu.state.index, gpu.state.name, gpu.state.mig, gpu.state.gpuInstances.length, gpu.model?.slots);
 * }
 * const one = await readGpu(await nvml.device(1));
 * console.log(one.state.processes, await processesOf(one.device, false));
 * await shutdown();
 * ```
 */
export interface MigModeState {
  current: boolean;
  pending: boolean;
}

/**
 * One GPU as a plain value: identity, MIG mode, instances and the pids on it.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, readGpu, processesOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb:2' });
 * for (const gpu of await readNode(nvml)) {
 *   console.log(gpu.state.index, gpu.state.name, gpu.state.mig, gpu.state.gpuInstances.length, gpu.model?.slots);
 * }
 * const one = await readGpu(await nvml.device(1));
 * console.log(one.state.processes, await processesOf(one.device, false));
 * await shutdown();
 * ```
 */
export interface GpuState {
  index: number;
  uuid: string;
  name: string;
  /** 0xDDDDVVVV and the subsystem id, for device-filter. */
  pciDeviceId: number;
  pciSubSystemId: number;
  /** null: the GPU has no MIG. */
  mig: MigModeState | null;
  /** Whether MIG mode changes take effect without a GPU reset (Hopper: true; Ampere: false); null if unknown. */
  resetlessMig?: boolean | null;
  gpuInstances: GiState[];
  /** Every PID on the GPU (MIG or not). */
  processes: number[];
}

/**
 * What one GPU should hold.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface GpuTarget {
  migEnabled: boolean;
  /** Profile key (canonical, e.g. "1c.3g.40gb") → count. */
  migDevices: Record<string, number>;
}

/**
 * A target resolved against a model: counts of (GI profile id, CI profile id) pairs.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, resolveTarget, planGpu, currentCounts, profileKeyOf } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * if (gpu.model) {
 *   console.log(gpu.model.slots, gpu.model.giProfiles.map((p) => `${p.name}: ${p.ciProfiles.length} CI profiles`));
 *   const target = { migEnabled: true, migDevices: { '3g.20gb': 2 } };
 *   console.log(resolveTarget(gpu.model, target));                     // [{ giProfileId: 9, ciProfileId: 2, key: '3g.20gb', count: 2 }]
 *   console.log(planGpu(gpu.model, gpu.state, target).steps.length);
 *   console.log(currentCounts(gpu.model, gpu.state), profileKeyOf(gpu.model, 9, 2)); // {} '3g.20gb'
 * }
 * await shutdown();
 * ```
 */
export interface Demand {
  giProfileId: number;
  ciProfileId: number;
  key: string;
  count: number;
}

/**
 * The operation of a plan step.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export type StepOp = 'destroyCi' | 'destroyGi' | 'setMigMode' | 'createGi' | 'createCi';

interface StepBase {
  op: StepOp;
  gpu: number;
  reason: string;
  /** PIDs that make this step refuse to run unless forced. */
  blockedBy?: number[];
}

/**
 * Plan step: destroy a compute instance.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface DestroyCiStep extends StepBase { op: 'destroyCi'; gi: number; ci: number; profile: string; placement: Placement }
/**
 * Plan step: destroy a GPU instance.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface DestroyGiStep extends StepBase { op: 'destroyGi'; gi: number; profileId: number; profile: string; placement: Placement }
/**
 * Plan step: enable or disable MIG mode.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface SetMigModeStep extends StepBase { op: 'setMigMode'; enabled: boolean }
/**
 * Plan step: create a GPU instance at an explicit placement.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface CreateGiStep extends StepBase {
  op: 'createGi';
  /** Name the later createCi steps use for this GI ("new0", ...). */
  ref: string;
  profileId: number;
  profile: string;
  placement: Placement;
}
/**
 * Plan step: create a compute instance at an explicit placement.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface CreateCiStep extends StepBase {
  op: 'createCi';
  /** An existing GI id, or the ref of a GI created earlier in the plan. */
  gi: number | string;
  giProfile: string;
  profileId: number;
  profile: string;
  placement: Placement;
}
/**
 * One step of a plan.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export type PlanStep = DestroyCiStep | DestroyGiStep | SetMigModeStep | CreateGiStep | CreateCiStep;

/**
 * An instance that already fits the target and stays untouched.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface KeptInstance {
  gi: number;
  ci: number;
  profile: string;
  giPlacement: Placement;
  ciPlacement: Placement;
}

/**
 * The plan of one GPU: its target, the instances kept, the steps to run.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface GpuPlan {
  gpu: number;
  uuid: string;
  name: string;
  target: GpuTarget | null;
  /** Which config entry chose the target (for messages). */
  source?: string;
  ok: boolean;
  error?: string;
  kept: KeptInstance[];
  steps: PlanStep[];
  /** The mode change this plan makes (or one already pending) takes effect only after a GPU reset (Ampere,
   *  or unknown): apply then runs the reset hook, or stops before the instance steps of this GPU. */
  activationNeeded: boolean;
  /** Instance steps are computed after the mode change, because the model is not readable before. */
  deferred: boolean;
}

/**
 * The plan of a whole node: one {@link GpuPlan} per GPU; a plain JSON value.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyLayout, formatPlan, describeStep, type GpuTarget } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const layout: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } };
 * const { plan } = await planLayout(nvml, layout); // every GPU; or { 0: layoutA, 3: layoutB }
 * process.stdout.write(formatPlan(plan));           // the dry run
 * for (const gpu of plan.gpus) for (const step of gpu.steps) console.log(step.op, describeStep(step));
 * const result = await applyLayout(nvml, layout, {
 *   onProgress: (e) => { if (e.type === 'step') console.log(e.text, e.phase); },
 * });
 * console.log(result.ok, result.steps.map((s) => s.status), result.pendingActivation);
 * await shutdown();
 * ```
 */
export interface Plan {
  gpus: GpuPlan[];
  /** True when every GPU plan is ok and no step is blocked. */
  ok: boolean;
  blocked: boolean;
  changes: number;
}
