// Executes plans against the GPUs: explicit placements, a progress event per step, no destroy of a busy
// instance unless forced, MIG mode activation only through the caller's reset hook, a clean stop on the first
// failure with the exact list of what ran and the state now, and an optional rollback to the layout from before.
import type { ComputeInstance, Device, GpuInstance, Nvml } from '../index.js';
import { describeStep } from './format.js';
import { planGpu } from './planner.js';
import { ciHandleKey, processesOf, readGpu, readNode, type LiveGpu } from './state.js';
import { planNode, type LayoutInput } from './target.js';
import { checkAtTheDoor } from './check.js';
import type { GiState, GpuPlan, GpuState, MigModeState, Plan, PlanStep } from './types.js';

/**
 * What `onProgress` receives while a layout is applied: the plan, each step starting and ending, MIG mode activation, rollback.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout, type ProgressEvent } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const onProgress = (e: ProgressEvent) => { if (e.type === 'step') console.log(e.index, e.total, e.phase, e.text); };
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 2 } }, { onProgress });
 * ```
 */
export type ProgressEvent =
  | { type: 'plan'; plan: Plan }
  | { type: 'step'; phase: 'start' | 'done' | 'failed'; gpu: number; index: number; total: number; step: PlanStep; text: string; error?: StepError }
  | { type: 'activation'; gpu: number; phase: 'pending' | 'reset' | 'active'; mode: MigModeState; activationStatus?: string }
  | { type: 'rollback'; gpu: number; phase: 'start' | 'done' | 'failed'; error?: StepError };

/**
 * Why a step failed: the error code (from NVML or from the layout engine) and message.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb', unprivileged: true });
 * const result = await applyLayout(nvml, { migEnabled: true, migDevices: { '7g.80gb': 1 } });
 * const failed = result.steps.find((s) => s.status === 'failed');
 * console.log(failed?.error?.code, failed?.error?.message); // 'NVML_ERROR_NO_PERMISSION' 'nvmlDeviceSetMigMode: Insufficient Permissions'
 * ```
 */
export interface StepError {
  code: string;
  message: string;
}

/**
 * What the reset hook of {@link ApplyOptions} receives: the GPU whose MIG mode change waits for a reset.
 *
 * @example
 * ```ts
 * import { execFileSync } from 'node:child_process';
 * import { init } from 'nvml-mig';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const nvml = await init();
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '3g.20gb': 2 } }, {
 *   // an A100's MIG mode change waits for a reset: this hook does it, then the apply continues
 *   resetHook: ({ gpu }) => { execFileSync('nvidia-smi', ['-r', '-i', String(gpu)]); },
 * });
 * await nvml.shutdown();
 * ```
 */
export interface ResetHookContext {
  gpu: number;
  uuid: string;
  device: Device;
}

/**
 * Options of {@link applyLayout} and {@link applyPlan}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout, type ApplyOptions } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb:2' });
 * const options: ApplyOptions = { indices: [1], force: false, rollbackOnFailure: true, onProgress: (e) => console.log(e.type) };
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 7 } }, options); // GPU 1 only
 * ```
 */
export interface ApplyOptions {
  /** Destroy instances (and change modes) even when processes run on them. */
  force?: boolean;
  /** After a failure, restore every GPU this apply changed to its layout from before (same placements). */
  rollbackOnFailure?: boolean;
  /** Called when a MIG mode change waits for activation (Ampere): reset the GPU here. Nothing resets otherwise. */
  resetHook?: (ctx: ResetHookContext) => Promise<void> | void;
  /** Called for every step and mode activation; errors it throws are ignored. */
  onProgress?: (event: ProgressEvent) => void;
  /** Limit the apply to these GPU indices. */
  indices?: number[];
}

/**
 * One step of an apply and how it ended.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { steps } = await applyLayout(nvml, { migEnabled: true, migDevices: { '2g.20gb': 3 } });
 * for (const r of steps) console.log(r.gpu, r.step.op, r.status, r.created); // status: 'done' | 'failed' | 'not-run'; created: the new GI/CI ids
 * ```
 */
export interface StepRecord {
  gpu: number;
  step: PlanStep;
  status: 'done' | 'failed' | 'not-run';
  error?: StepError;
  /** Ids the driver gave to what the step created. */
  created?: { gi: number; ci?: number };
}

/**
 * What {@link applyLayout} resolves with: which steps ran, pending activations, the state after.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const result = await applyLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 2 } });
 * if (!result.ok) console.error(result.code, result.message);
 * console.log(result.after[0]?.gpuInstances.length, result.pendingActivation); // the state read afterwards; GPUs waiting for a reset
 * ```
 */
export interface ApplyResult {
  ok: boolean;
  /** Why nothing or not everything ran: ERR_LAYOUT_INFEASIBLE, ERR_LAYOUT_BLOCKED, ERR_LAYOUT_BUSY, ERR_LAYOUT_STEP_FAILED. */
  code?: string;
  message?: string;
  plan: Plan;
  steps: StepRecord[];
  /** GPUs whose MIG mode change waits for a reset: the instance steps did not run on them. */
  pendingActivation: { gpu: number; mode: MigModeState; activationStatus?: string }[];
  rollback?: { ok: boolean; steps: StepRecord[]; error?: StepError };
  /** The state of the planned GPUs after the apply. */
  after: GpuState[];
}

/**
 * A step refused by the layout engine itself (`ERR_LAYOUT_BUSY`: an instance or GPU with processes; `ERR_LAYOUT_STALE`: the instance is gone).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout, applyPlan, planLayout } from 'nvml-mig/layout';
 *
 * const { nvml, control, shutdown } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '7g.80gb': 1 } });
 * const { plan, live } = await planLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 7 } });
 * await control.addProcess({ gpu: 0, pid: 4242, usedMemoryMiB: 1024, gi: 0, ci: 0 }); // arrives after planning
 * const result = await applyPlan(plan, live);
 * console.log(result.ok, result.steps.find((s) => s.error)?.error?.code); // false 'ERR_LAYOUT_BUSY'
 * await shutdown();
 * ```
 */
export class LayoutStepError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'LayoutStepError';
  }
}

const toStepError = (e: unknown): StepError => ({
  code: (e as { code?: string })?.code ?? 'ERR_UNKNOWN',
  message: e instanceof Error ? e.message : String(e),
});

/**
 * Plans `input` against the node now. Reads the GPUs; plans without touching them.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb:2' });
 * const { plan } = await planLayout(nvml, { 1: { migEnabled: true, migDevices: { '1g.10gb': 7 } } }); // GPU 1 only; nothing runs
 * console.log(plan.ok, plan.changes, plan.gpus.map((g) => g.steps.length));
 * ```
 */
export async function planLayout(nvml: Nvml, input: LayoutInput, indices?: number[]): Promise<{ plan: Plan; live: LiveGpu[] }> {
  await checkAtTheDoor(nvml, input);
  const live = await readNode(nvml, indices);
  return { plan: planNode(live, input), live };
}

class Executor {
  readonly records: StepRecord[] = [];
  readonly pending: ApplyResult['pendingActivation'] = [];
  private counter = 0;
  /** The activation status of the last MIG mode request per GPU, for the pending report. */
  private readonly activation = new Map<number, string>();
  constructor(private readonly opts: ApplyOptions, private readonly total: number) {}

  /** A listener that throws must not leave the GPUs half-changed: its errors are ignored. */
  emit(e: ProgressEvent): void {
    try {
      this.opts.onProgress?.(e);
    } catch {
      // see above
    }
  }

  private async checkIdle(live: LiveGpu, gi: number, ci: number | null): Promise<void> {
    if (this.opts.force) return;
    const procs = (await processesOf(live.device, true)).filter((p) => p.gpuInstanceId === gi && (ci === null || p.computeInstanceId === ci));
    if (procs.length) {
      const what = ci === null ? `GI ${gi}` : `CI ${ci} in GI ${gi}`;
      throw new LayoutStepError('ERR_LAYOUT_BUSY', `${what} on GPU ${live.state.index} has processes (pid ${procs.map((p) => p.pid).join(', ')}); not destroyed (use force to destroy anyway)`);
    }
  }

  /** Runs one step; throws on failure after recording it. */
  async run(live: LiveGpu, step: PlanStep, refs: Map<string, GpuInstance>): Promise<void> {
    const index = ++this.counter;
    const text = describeStep(step);
    const rec: StepRecord = { gpu: live.state.index, step, status: 'failed' };
    this.records.push(rec);
    this.emit({ type: 'step', phase: 'start', gpu: rec.gpu, index, total: this.total, step, text });
    try {
      switch (step.op) {
        case 'destroyCi': {
          const ci = live.computeInstances.get(ciHandleKey(step.gi, step.ci));
          if (!ci) throw new LayoutStepError('ERR_LAYOUT_STALE', `CI ${step.ci} in GI ${step.gi} is gone`);
          await this.checkIdle(live, step.gi, step.ci);
          await ci.destroy();
          live.computeInstances.delete(ciHandleKey(step.gi, step.ci));
          break;
        }
        case 'destroyGi': {
          const gi = live.gpuInstances.get(step.gi);
          if (!gi) throw new LayoutStepError('ERR_LAYOUT_STALE', `GI ${step.gi} is gone`);
          await this.checkIdle(live, step.gi, null);
          await gi.destroy();
          live.gpuInstances.delete(step.gi);
          break;
        }
        case 'setMigMode': {
          if (!this.opts.force && live.state.processes.length) {
            const procs = await processesOf(live.device, false);
            if (procs.length) throw new LayoutStepError('ERR_LAYOUT_BUSY', `GPU ${rec.gpu} has processes (pid ${procs.map((p) => p.pid).join(', ')}); MIG mode not changed (use force)`);
          }
          const r = await live.device.setMigMode(step.enabled);
          this.activation.set(rec.gpu, r.activationStatus);
          if (r.mode.current !== step.enabled) {
            this.emit({ type: 'activation', gpu: rec.gpu, phase: 'pending', mode: { current: r.mode.current, pending: r.mode.pending }, activationStatus: r.activationStatus });
          }
          break;
        }
        case 'createGi': {
          const gi = await live.device.createGpuInstance(step.profileId, step.placement);
          refs.set(step.ref, gi);
          live.gpuInstances.set(gi.id, gi);
          rec.created = { gi: gi.id };
          break;
        }
        case 'createCi': {
          const gi = typeof step.gi === 'number' ? live.gpuInstances.get(step.gi) : refs.get(step.gi);
          if (!gi) throw new LayoutStepError('ERR_LAYOUT_STALE', `GI ${step.gi} is gone`);
          // A CI that spans its whole GI has one place, and the driver knows it better than the derived rules:
          // Hopper on driver 580 puts it at 0:4 inside a 3-slice GI where they say 0:3. So it goes without a placement.
          const giModel = live.model?.giProfiles.find((g) => g.id === gi.profileId);
          const whole = giModel?.ciProfiles.find((c) => c.id === step.profileId)?.sliceCount === giModel?.sliceCount;
          const ci: ComputeInstance = await gi.createComputeInstance(step.profileId, giModel && whole ? undefined : step.placement);
          live.computeInstances.set(ciHandleKey(gi.id, ci.id), ci);
          rec.created = { gi: gi.id, ci: ci.id };
          break;
        }
      }
      rec.status = 'done';
      this.emit({ type: 'step', phase: 'done', gpu: rec.gpu, index, total: this.total, step, text });
    } catch (e) {
      rec.error = toStepError(e);
      this.emit({ type: 'step', phase: 'failed', gpu: rec.gpu, index, total: this.total, step, text, error: rec.error });
      throw e;
    }
  }

  notRun(gpu: number, steps: PlanStep[]): void {
    for (const step of steps) this.records.push({ gpu, step, status: 'not-run' });
  }

  /** Makes the mode change take effect through the reset hook; false when it stays pending. */
  async activate(live: LiveGpu, wanted: boolean): Promise<boolean> {
    let mode = await live.device.migMode();
    if (mode.current === wanted) return true;
    if (this.opts.resetHook) {
      this.emit({ type: 'activation', gpu: live.state.index, phase: 'reset', mode: { current: mode.current, pending: mode.pending } });
      await this.opts.resetHook({ gpu: live.state.index, uuid: live.state.uuid, device: live.device });
      mode = await live.device.migMode();
    }
    if (mode.current === wanted) {
      this.emit({ type: 'activation', gpu: live.state.index, phase: 'active', mode: { current: mode.current, pending: mode.pending } });
      return true;
    }
    this.pending.push({ gpu: live.state.index, mode: { current: mode.current, pending: mode.pending }, activationStatus: this.activation.get(live.state.index) });
    return false;
  }
}

/**
 * Executes one GPU's plan: destroys and mode changes first, then (once the mode is active) the creates. When MIG
 * became active during the apply, the creates are planned again from the fresh state.
 */
async function applyGpu(ex: Executor, live: LiveGpu, plan: GpuPlan): Promise<void> {
  const refs = new Map<string, GpuInstance>();
  const firstCreate = plan.steps.findIndex((s) => s.op === 'createGi' || s.op === 'createCi');
  const early = firstCreate < 0 ? plan.steps : plan.steps.slice(0, firstCreate);
  let late = firstCreate < 0 ? [] : plan.steps.slice(firstCreate);
  for (let i = 0; i < early.length; i++) {
    try {
      await ex.run(live, early[i]!, refs);
    } catch (e) {
      ex.notRun(plan.gpu, [...early.slice(i + 1), ...late]);
      throw e;
    }
  }
  const target = plan.target!;
  const wasActive = live.state.mig?.current === true;
  try {
    if (live.state.mig && !(await ex.activate(live, target.migEnabled))) {
      ex.notRun(plan.gpu, late);
      return;
    }
    if (target.migEnabled && (!wasActive || plan.deferred)) {
      const fresh = await readGpu(live.device);
      Object.assign(live, fresh);
      const again = planGpu(fresh.model, fresh.state, target, { source: plan.source });
      if (!again.ok) throw new LayoutStepError('ERR_LAYOUT_INFEASIBLE', again.error!);
      late = again.steps;
    }
  } catch (e) {
    ex.notRun(plan.gpu, late);
    throw e;
  }
  for (let i = 0; i < late.length; i++) {
    try {
      await ex.run(live, late[i]!, refs);
    } catch (e) {
      ex.notRun(plan.gpu, late.slice(i + 1));
      throw e;
    }
  }
}

/**
 * Plans and applies a layout. Never throws for driver refusals: the result says what ran and what failed.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const result = await applyLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 } });
 * console.log(result.ok, result.steps.map((s) => `${s.step.op}: ${s.status}`)); // true, every step 'done'
 * ```
 */
export async function applyLayout(nvml: Nvml, input: LayoutInput, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { plan, live } = await planLayout(nvml, input, options.indices);
  return applyPlan(plan, live, options);
}

/**
 * Applies a plan made by planLayout from `live` (the same read).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, applyPlan } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb:2' });
 * const { plan, live } = await planLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 2 } });
 * if (plan.ok && !plan.blocked) console.log((await applyPlan(plan, live, { rollbackOnFailure: true })).ok);
 * await shutdown();
 * ```
 */
export async function applyPlan(plan: Plan, live: LiveGpu[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const ex = new Executor(options, plan.changes);
  ex.emit({ type: 'plan', plan });
  const result = (extra: Partial<ApplyResult>): Promise<ApplyResult> =>
    Promise.all(live.filter((l) => plan.gpus.some((g) => g.gpu === l.state.index)).map((l) => readGpu(l.device).then((r) => r.state)))
      .then((after) => ({ ok: false, plan, steps: ex.records, pendingActivation: ex.pending, after, ...extra }));
  if (!plan.ok) {
    return result({ code: 'ERR_LAYOUT_INFEASIBLE', message: plan.gpus.filter((g) => !g.ok).map((g) => `GPU ${g.gpu}: ${g.error}`).join('\n') });
  }
  if (plan.blocked && !options.force) {
    const lines = plan.gpus.flatMap((g) => g.steps.filter((s) => s.blockedBy?.length).map((s) => `GPU ${g.gpu}: ${describeStep(s)} is blocked by pid ${s.blockedBy!.join(', ')}`));
    return result({ code: 'ERR_LAYOUT_BLOCKED', message: `nothing changed: ${lines.length} step(s) would destroy instances in use (use force):\n${lines.join('\n')}` });
  }
  const before = new Map(live.map((l) => [l.state.index, l.state]));
  const touched: LiveGpu[] = [];
  for (const gp of plan.gpus) {
    const l = live.find((x) => x.state.index === gp.gpu)!;
    if (gp.steps.length === 0 && !gp.activationNeeded && !gp.deferred) continue;
    touched.push(l);
    try {
      await applyGpu(ex, l, gp);
    } catch (e) {
      const err = toStepError(e);
      const rest = plan.gpus.filter((g) => g.gpu > gp.gpu);
      for (const g of rest) ex.notRun(g.gpu, g.steps);
      let rollback: ApplyResult['rollback'];
      if (options.rollbackOnFailure) rollback = await rollbackGpus(touched, before, options, ex);
      const code = err.code === 'ERR_LAYOUT_BUSY' || err.code === 'ERR_LAYOUT_INFEASIBLE' ? err.code : 'ERR_LAYOUT_STEP_FAILED';
      return result({ code, message: `GPU ${gp.gpu}: ${err.message}`, rollback });
    }
  }
  const r = await result({});
  r.ok = r.pendingActivation.length === 0;
  if (!r.ok) {
    r.code = 'ERR_LAYOUT_ACTIVATION_PENDING';
    r.message = r.pendingActivation.map((p) => `GPU ${p.gpu}: MIG mode ${p.mode.pending ? 'enable' : 'disable'} is pending until the GPU is reset${p.activationStatus ? ` (activation status ${p.activationStatus})` : ''}; re-run after the reset to continue`).join('\n');
  }
  return r;
}

// ---- rollback -------------------------------------------------------------------------------------------------

const sameGi = (a: GiState, b: GiState): boolean => a.id === b.id && a.profileId === b.profileId && a.placement.start === b.placement.start;

/**
 * Steps that turn `now` back into exactly `before` (same profiles at the same placements).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, restoreSteps } from 'nvml-mig/layout';
 *
 * const { nvml, shutdown } = await startMock({ machine: 'h100-80gb' });
 * const [before] = await readNode(nvml);
 * const gpu = await nvml.device(0);
 * await gpu.setMigMode(true);
 * await gpu.createGpuInstance(19);
 * const [now] = await readNode(nvml);
 * console.log(restoreSteps(now.state, before.state).map((s) => s.op)); // [ 'destroyGi', 'setMigMode' ]
 * await shutdown();
 * ```
 */
export function restoreSteps(now: GpuState, before: GpuState): PlanStep[] {
  const gpu = now.index;
  const steps: PlanStep[] = [];
  const r = 'rollback';
  const mode = (m: GpuState['mig']) => m?.pending ?? false;
  for (const gi of now.gpuInstances) {
    const old = before.gpuInstances.find((b) => sameGi(b, gi));
    for (const ci of gi.computeInstances) {
      if (old?.computeInstances.some((c) => c.id === ci.id && c.profileId === ci.profileId && c.placement.start === ci.placement.start)) continue;
      steps.push({ op: 'destroyCi', gpu, gi: gi.id, ci: ci.id, profile: `ci-profile-${ci.profileId}`, placement: ci.placement, reason: r });
    }
    if (!old) steps.push({ op: 'destroyGi', gpu, gi: gi.id, profileId: gi.profileId, profile: `gi-profile-${gi.profileId}`, placement: gi.placement, reason: r });
  }
  if (mode(now.mig) !== mode(before.mig)) steps.push({ op: 'setMigMode', gpu, enabled: mode(before.mig), reason: r });
  let n = 0;
  for (const gi of before.gpuInstances) {
    const cur = now.gpuInstances.find((g) => sameGi(g, gi));
    let ref: number | string = gi.id;
    if (!cur) {
      ref = `restore${n++}`;
      steps.push({ op: 'createGi', gpu, ref, profileId: gi.profileId, profile: `gi-profile-${gi.profileId}`, placement: gi.placement, reason: `${r} of GI ${gi.id}` });
    }
    for (const ci of gi.computeInstances) {
      if (cur?.computeInstances.some((c) => c.id === ci.id && c.profileId === ci.profileId && c.placement.start === ci.placement.start)) continue;
      steps.push({ op: 'createCi', gpu, gi: ref, giProfile: `gi-profile-${gi.profileId}`, profileId: ci.profileId, profile: `ci-profile-${ci.profileId}`, placement: ci.placement, reason: `${r} of CI ${ci.id} in GI ${gi.id}` });
    }
  }
  return steps;
}

async function rollbackGpus(touched: LiveGpu[], before: Map<number, GpuState>, options: ApplyOptions, parent: Executor): Promise<NonNullable<ApplyResult['rollback']>> {
  const ex = new Executor({ ...options, force: true, onProgress: undefined }, 0);
  for (const l of [...touched].reverse()) {
    const gpu = l.state.index;
    parent.emit({ type: 'rollback', gpu, phase: 'start' });
    try {
      const fresh = await readGpu(l.device);
      const steps = restoreSteps(fresh.state, before.get(gpu)!);
      const wanted = before.get(gpu)!.mig?.pending ?? false;
      // The restore list is exact already: run it as is (no re-planning after activation).
      const refs = new Map<string, GpuInstance>();
      let active = true;
      for (const s of steps) {
        if (s.op === 'createGi' && !(active = active && (await ex.activate(fresh, wanted)))) break;
        await ex.run(fresh, s, refs);
      }
      parent.emit({ type: 'rollback', gpu, phase: 'done' });
    } catch (e) {
      const error = toStepError(e);
      parent.emit({ type: 'rollback', gpu, phase: 'failed', error });
      return { ok: false, steps: ex.records, error };
    }
  }
  return { ok: ex.pending.length === 0, steps: ex.records };
}

