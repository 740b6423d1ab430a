// Plain-data types of the layout planner: what a GPU model offers, what a GPU holds now, what it should hold,
// and the plan between the two. All of them are JSON-serialisable.
import type { Placement } from '../types.js';

/**
 * A compute instance profile in a {@link DeviceModel}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * const gi = gpu.model?.giProfiles.find((p) => p.name === '3g.20gb');
 * for (const ci of gi?.ciProfiles ?? []) console.log(ci.id, ci.name, ci.sliceCount, ci.placements); // 0 '1c.3g.20gb' 1 [ ...3 placements ]
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
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * for (const p of gpu.model?.giProfiles ?? []) console.log(p.id, p.name, p.memorySizeMB, p.placements.length, p.ciSource);
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
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * console.log(gpu.model?.name, gpu.model?.slots, gpu.model?.computeSlices); // 'NVIDIA A100-SXM4-40GB' 8 7
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
 * import { applyLayout, readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '1c.3g.40gb': 3 } });
 * const [gpu] = await readNode(nvml);
 * for (const ci of gpu.state.gpuInstances[0]?.computeInstances ?? []) console.log(ci.id, ci.profileId, ci.placement, ci.processes);
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
 * import { applyLayout, readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 2 } });
 * const [gpu] = await readNode(nvml);
 * for (const gi of gpu.state.gpuInstances) console.log(gi.id, gi.profileId, gi.placement, gi.computeInstances.length);
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
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * console.log(gpu.state.mig); // { current: false, pending: false }; a mode set on an A100 stays pending until a reset
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
 * import { readNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * for (const { state } of await readNode(nvml)) {
 *   console.log(state.index, state.name, state.pciDeviceId.toString(16), state.resetlessMig, state.processes); // ... '20b010de' false []
 * }
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
 * import type { GpuTarget } from 'nvml-mig/layout';
 *
 * // profile key → count; a CI profile is written before its GI profile, as in '1c.3g.40gb'
 * const target: GpuTarget = { migEnabled: true, migDevices: { '1g.10gb': 4, '1c.3g.40gb': 3 } };
 * console.log(target.migDevices);
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
 * import { readNode, resolveTarget, type Demand } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const [gpu] = await readNode(nvml);
 * const demands: Demand[] | string = gpu.model ? resolveTarget(gpu.model, { migEnabled: true, migDevices: { '1g.5gb': 7 } }) : 'no model';
 * if (typeof demands !== 'string') for (const d of demands) console.log(d.key, d.giProfileId, d.ciProfileId, d.count); // 1g.5gb 19 0 7
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
 * import { planLayout, type StepOp } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: false, migDevices: {} });
 * const destructive: StepOp[] = ['destroyCi', 'destroyGi'];
 * console.log(plan.gpus.flatMap((g) => g.steps).filter((s) => destructive.includes(s.op)).length);
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
 * import { applyLayout, planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '2c.3g.40gb': 1 } });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 1 } });
 * for (const s of plan.gpus[0]?.steps ?? []) if (s.op === 'destroyCi') console.log(s.gi, s.ci, s.profile, s.blockedBy); // blockedBy: PIDs on that CI
 * ```
 */
export interface DestroyCiStep extends StepBase { op: 'destroyCi'; gi: number; ci: number; profile: string; placement: Placement }
/**
 * Plan step: destroy a GPU instance.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout, planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '7g.80gb': 1 } });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 7 } });
 * for (const s of plan.gpus[0]?.steps ?? []) if (s.op === 'destroyGi') console.log(s.gi, s.profile, s.placement); // 7g.80gb { start: 0, size: 8 }
 * ```
 */
export interface DestroyGiStep extends StepBase { op: 'destroyGi'; gi: number; profileId: number; profile: string; placement: Placement }
/**
 * Plan step: enable or disable MIG mode.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '7g.80gb': 1 } }); // the mock starts with MIG off
 * const mode = plan.gpus[0]?.steps.find((s) => s.op === 'setMigMode');
 * if (mode?.op === 'setMigMode') console.log(mode.enabled, mode.reason); // true 'the target enables MIG'
 * ```
 */
export interface SetMigModeStep extends StepBase { op: 'setMigMode'; enabled: boolean }
/**
 * Plan step: create a GPU instance at an explicit placement.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 2 } });
 * for (const s of plan.gpus[0]?.steps ?? []) if (s.op === 'createGi') console.log(s.ref, s.profile, s.placement.start); // new0 3g.40gb 0, new1 3g.40gb 4
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
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '1c.4g.40gb': 4 } });
 * for (const s of plan.gpus[0]?.steps ?? []) if (s.op === 'createCi') console.log(s.gi, s.giProfile, s.profile); // 'new0' (a GI of this plan) or an existing GI id
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
 * import { planLayout, type PlanStep } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '2g.20gb': 3 } });
 * const steps: PlanStep[] = plan.gpus.flatMap((g) => g.steps); // switch on step.op to reach each kind's fields
 * console.log(steps.map((s) => `${s.gpu} ${s.op}: ${s.reason}`));
 * ```
 */
export type PlanStep = DestroyCiStep | DestroyGiStep | SetMigModeStep | CreateGiStep | CreateCiStep;

/**
 * An instance that already fits the target and stays untouched.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout, planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const layout = { migEnabled: true, migDevices: { '3g.40gb': 2 } };
 * await applyLayout(nvml, layout);
 * const { plan } = await planLayout(nvml, layout); // already there: every instance kept, no steps
 * console.log(plan.gpus[0]?.kept.map((k) => `GI ${k.gi} CI ${k.ci} ${k.profile} at ${k.giPlacement.start}`));
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
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '3g.20gb': 2 } });
 * for (const g of plan.gpus) console.log(g.gpu, g.name, g.ok ? g.steps.length : g.error, g.activationNeeded, g.deferred);
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
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb:4' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 7 } });
 * console.log(plan.ok, plan.blocked, plan.changes, JSON.stringify(plan).length); // a plain JSON value: save it, review it
 * ```
 */
export interface Plan {
  gpus: GpuPlan[];
  /** True when every GPU plan is ok and no step is blocked. */
  ok: boolean;
  blocked: boolean;
  changes: number;
}
