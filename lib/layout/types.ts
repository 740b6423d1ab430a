// Plain-data types of the layout planner: what a GPU model offers, what a GPU holds now, what it should hold,
// and the plan between the two. All of them are JSON-serialisable.
import type { Placement } from '../types.js';

export interface CiProfileModel {
  id: number;
  /** e.g. "1c.3g.40gb"; the CI spanning the whole GI is named like the GI ("3g.40gb"). */
  name: string;
  sliceCount: number;
  instanceCount: number;
  /** Start/size in compute slices inside the GI. */
  placements: Placement[];
}

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

export interface CiState {
  id: number;
  profileId: number;
  placement: Placement;
  uuid?: string;
  /** PIDs running on this compute instance. */
  processes: number[];
}

export interface GiState {
  id: number;
  profileId: number;
  placement: Placement;
  computeInstances: CiState[];
}

export interface MigModeState {
  current: boolean;
  pending: boolean;
}

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

/** What one GPU should hold. */
export interface GpuTarget {
  migEnabled: boolean;
  /** Profile key (canonical, e.g. "1c.3g.40gb") → count. */
  migDevices: Record<string, number>;
}

/** A target resolved against a model: counts of (GI profile id, CI profile id) pairs. */
export interface Demand {
  giProfileId: number;
  ciProfileId: number;
  key: string;
  count: number;
}

export type StepOp = 'destroyCi' | 'destroyGi' | 'setMigMode' | 'createGi' | 'createCi';

interface StepBase {
  op: StepOp;
  gpu: number;
  reason: string;
  /** PIDs that make this step refuse to run unless forced. */
  blockedBy?: number[];
}

export interface DestroyCiStep extends StepBase { op: 'destroyCi'; gi: number; ci: number; profile: string; placement: Placement }
export interface DestroyGiStep extends StepBase { op: 'destroyGi'; gi: number; profileId: number; profile: string; placement: Placement }
export interface SetMigModeStep extends StepBase { op: 'setMigMode'; enabled: boolean }
export interface CreateGiStep extends StepBase {
  op: 'createGi';
  /** Name the later createCi steps use for this GI ("new0", ...). */
  ref: string;
  profileId: number;
  profile: string;
  placement: Placement;
}
export interface CreateCiStep extends StepBase {
  op: 'createCi';
  /** An existing GI id, or the ref of a GI created earlier in the plan. */
  gi: number | string;
  giProfile: string;
  profileId: number;
  profile: string;
  placement: Placement;
}
export type PlanStep = DestroyCiStep | DestroyGiStep | SetMigModeStep | CreateGiStep | CreateCiStep;

export interface KeptInstance {
  gi: number;
  ci: number;
  profile: string;
  giPlacement: Placement;
  ciPlacement: Placement;
}

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

export interface Plan {
  gpus: GpuPlan[];
  /** True when every GPU plan is ok and no step is blocked. */
  ok: boolean;
  blocked: boolean;
  changes: number;
}
