// nvml-mig/testing: the bundled mock libnvidia-ml.so.1 for tests of MIG tools without a GPU.
// mockLibraryPath() for any NVML client (LD_LIBRARY_PATH or init({libraryPath})), startMock() to
// open an initialised Nvml on a chosen simulated machine, and a typed wrapper of the mock's
// control channel. See docs/mock.md.

import * as path from 'node:path';
import { init, Nvml } from '../index';
import { binaryPath } from '../platform';

/**
 * Absolute path of the mock library (SONAME libnvidia-ml.so.1): the local build's
 * (build/Release/mock/) when there is one, else the one in this platform's package
 * (@nvml-mig/linux-x64-gnu or linux-arm64-gnu, installed as an optional dependency).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { mockLibraryPath } from 'nvml-mig/testing';
 *
 * const nvml = await init({ libraryPath: mockLibraryPath() }); // or LD_LIBRARY_PATH=<its folder> for other clients
 * console.log(await (await nvml.device(0)).name()); // 'NVIDIA H100 80GB HBM3'
 * await nvml.shutdown();
 * ```
 */
export function mockLibraryPath(): string {
  return binaryPath('mock');
}

/**
 * The same mock as an older driver: no *V / *_v2 MIG calls, no *WithPlacement, no GetAttributes_v2.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { legacyMockLibraryPath } from 'nvml-mig/testing';
 *
 * const nvml = await init({ libraryPath: legacyMockLibraryPath() });
 * console.log(nvml.hasFunction('nvmlDeviceCreateGpuInstanceWithPlacement')); // false: an old driver
 * await nvml.shutdown();
 * ```
 */
export function legacyMockLibraryPath(): string {
  return binaryPath('legacyMock');
}

/**
 * A placement in the mock's state.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml, control } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 1 } });
 * const gi = (await control.state()).gpus[0]?.gpuInstances[0];
 * console.log(gi?.placement, gi?.computeInstances[0]?.placement); // { size: 4, start: 4 } on the GPU, { size: 4, start: 0 } inside the GI
 * ```
 */
export interface MockPlacement {
  start: number;
  size: number;
}

/**
 * A compute instance in the mock's state.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml, control } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '1c.3g.40gb': 3 } });
 * for (const ci of (await control.state()).gpus[0]?.gpuInstances[0]?.computeInstances ?? []) console.log(ci.id, ci.profile, ci.uuid);
 * ```
 */
export interface MockComputeInstance {
  id: number;
  profileId: number;
  profile: string;
  placement: MockPlacement;
  uuid: string;
}

/**
 * A GPU instance in the mock's state, with its compute instances.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { applyLayout } from 'nvml-mig/layout';
 *
 * const { nvml, control } = await startMock({ machine: 'h100-80gb' });
 * await applyLayout(nvml, { migEnabled: true, migDevices: { '2g.20gb': 3 } });
 * for (const gi of (await control.state()).gpus[0]?.gpuInstances ?? []) console.log(gi.id, gi.profileId, gi.profile, gi.computeInstances.length);
 * ```
 */
export interface MockGpuInstance {
  id: number;
  profileId: number;
  profile: string;
  placement: MockPlacement;
  computeInstances: MockComputeInstance[];
}

/**
 * A simulated process in the mock's state.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control } = await startMock({ machine: 'a100-40gb' });
 * await control.addProcess({ gpu: 0, pid: 4242, name: 'train.py', usedMemoryMiB: 2048 });
 * console.log((await control.state()).gpus[0]?.processes); // [{ pid: 4242, name: 'train.py', usedMemoryMiB: 2048 }]
 * ```
 */
export interface MockProcess {
  pid: number;
  name: string;
  usedMemoryMiB: number;
  gi?: number;
  ci?: number;
}

/**
 * A simulated GPU in the mock's state: identity, MIG mode, instances, processes.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control } = await startMock({ machine: 'a100-40gb:2' });
 * for (const gpu of (await control.state()).gpus) {
 *   console.log(gpu.index, gpu.model, gpu.name, gpu.busId, gpu.migCurrent, gpu.migPending); // what the mock holds, not what NVML answers
 * }
 * ```
 */
export interface MockGpu {
  index: number;
  model: string;
  name: string;
  uuid: string;
  busId: string;
  minor: number;
  migCurrent: boolean;
  migPending: boolean;
  gpuInstances: MockGpuInstance[];
  processes: MockProcess[];
}

/**
 * A fault the mock injects: a function answers `code` on its nth call, on every call, or with a seeded probability.
 *
 * @example
 * ```ts
 * import { startMock, type MockFault } from 'nvml-mig/testing';
 *
 * const fault: MockFault = { fn: 'nvmlDeviceCreateGpuInstance', code: 23, nth: 2 }; // the 2nd create: INSUFFICIENT_RESOURCES
 * const { shutdown } = await startMock({ faults: [fault] });
 * await shutdown();
 * ```
 */
export interface MockFault {
  /** NVML function name, e.g. 'nvmlDeviceCreateGpuInstance'. */
  fn: string;
  /** The NVML return code to answer with, e.g. 23 (INSUFFICIENT_RESOURCES). */
  code: number;
  /** Fire on the nth call only (1-based, counted per process from when the fault is set). */
  nth?: number;
  /** Fire on every call (the default when neither nth nor probability is given). */
  always?: boolean;
  /** Fire with this probability, from a generator seeded with `seed` (reproducible). */
  probability?: number;
  seed?: number;
}

/**
 * The whole state of the mock, as {@link MockControl.state} returns it.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control } = await startMock({ machine: 'a100-40gb:2,a30:1' });
 * const state = await control.state();
 * console.log(state.machine, state.gpus.length, state.faults, state.privilegedNow); // 'a100-40gb:2,a30:1' 3 [] true
 * ```
 */
export interface MockState {
  machine: string;
  gpus: MockGpu[];
  faults: MockFault[];
  latencyUs: Record<string, number>;
  privilegedNow: boolean;
}

/**
 * One NVML call made in this process and its return code, from {@link MockControl.callLog}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control, shutdown } = await startMock({ readOnly: true });
 * await (await nvml.device(0)).setMigMode(true).catch(() => {});
 * const calls = await control.callLog();
 * console.log(calls.some((c) => c.fn === 'nvmlDeviceSetMigMode')); // false: the interlock stopped it first
 * await shutdown();
 * ```
 */
export interface MockCall {
  fn: string;
  ret: number;
}

/**
 * A simulated process to put on a GPU or, with `gi` and `ci`, on a MIG device.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control, shutdown } = await startMock();
 * const gpu = await nvml.device(0);
 * await gpu.setMigMode(true);
 * const gi = await gpu.createGpuInstance(19);
 * const ci = await gi.createComputeInstance((await gi.computeInstanceProfiles())[0].id);
 * await control.addProcess({ gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: gi.id, ci: ci.id });
 * await gi.destroy().catch((e) => console.log(e.code)); // NVML_ERROR_IN_USE
 * await shutdown();
 * ```
 */
export interface AddProcessRequest {
  gpu: number;
  pid: number;
  name?: string;
  usedMemoryMiB?: number;
  /** GPU instance id and compute instance id: required when MIG is enabled on the GPU. */
  gi?: number;
  ci?: number;
}

/**
 * A simulated load for GPM (the mock's activity counters): `load` sets every activity channel at
 * once (a fraction 0-1); the others set one channel each (fractions, PCIe in MiB/s). `gi` sets a
 * GPU instance's load (MIG on); without it, the whole GPU's (MIG off).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control, shutdown } = await startMock();
 * const gpu = await nvml.device(0);
 * await gpu.setMigMode(true);
 * const gi = await gpu.createGpuInstance(19);
 * await control.setLoad({ gpu: 0, gi: gi.id, load: 0.3, tensor: 0.1 });
 * console.log((await gi.activity({ intervalMs: 200 })).metrics.smActivity); // { value: 30, unit: '%', code: null }
 * await shutdown();
 * ```
 */
export interface SetLoadRequest {
  gpu: number;
  gi?: number;
  load?: number;
  graphics?: number;
  sm?: number;
  occupancy?: number;
  tensor?: number;
  dram?: number;
  fp64?: number;
  fp32?: number;
  fp16?: number;
  pcieTxMiBps?: number;
  pcieRxMiBps?: number;
}

/**
 * Typed wrapper of the mock's control channel (nvmlMockControl). Each call rejects on {ok:false}.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { control, shutdown } = await startMock({ machine: 'a100-40gb' });
 * await control.setLatency('nvmlDeviceGetMigMode', 160); // microseconds, like a real A100
 * await control.setPrivileged(false);                   // changes now answer NVML_ERROR_NO_PERMISSION
 * await control.gpuReset(0);                            // a pending MIG mode takes effect
 * await shutdown();
 * ```
 */
export class MockControl {
  constructor(readonly nvml: Nvml) {}

  private async send(request: object): Promise<Record<string, unknown>> {
    return this.nvml.mockControl(request);
  }

  /** Fresh state (no GIs/CIs/processes/faults/latency), optionally on another machine spec. */
  async reset(machine?: string): Promise<void> {
    await this.send(machine === undefined ? { cmd: 'reset' } : { cmd: 'reset', machine });
  }
  /** The whole simulated state: GPUs, MIG modes, instances, processes, faults, latency. */
  async state(): Promise<MockState> {
    return (await this.send({ cmd: 'state' })).state as MockState;
  }
  /** The state file in use ('' when the state lives in the process). */
  async statePath(): Promise<string> {
    return (await this.send({ cmd: 'state' })).statePath as string;
  }
  /** Simulated GPU reset: a pending MIG mode takes effect; GIs, CIs (and with force, processes) are gone. */
  async gpuReset(gpu: number, options: { force?: boolean } = {}): Promise<void> {
    await this.send({ cmd: 'gpuReset', gpu, ...options });
  }
  /** Puts a simulated process on a GPU, or with `gi` and `ci` on a MIG device. */
  async addProcess(process: AddProcessRequest): Promise<void> {
    await this.send({ cmd: 'addProcess', ...process });
  }
  /** Removes the pid from every GPU; resolves with how many entries went. */
  async removeProcess(pid: number): Promise<number> {
    return (await this.send({ cmd: 'removeProcess', pid })).removed as number;
  }
  /** Makes a function answer an NVML code (see {@link MockFault}). */
  async setFault(fault: MockFault): Promise<void> {
    await this.send({ cmd: 'setFault', ...fault });
  }
  /** Removes every fault, or those of one function. */
  async clearFaults(fn?: string): Promise<void> {
    await this.send(fn === undefined ? { cmd: 'clearFaults' } : { cmd: 'clearFaults', fn });
  }
  /** Delay each call of `fn` ('*' = every function) by `us` microseconds; 0 removes it. */
  async setLatency(fn: string, us: number): Promise<void> {
    await this.send({ cmd: 'setLatency', fn, us });
  }
  /** false: every mutating call answers NVML_ERROR_NO_PERMISSION, as for a non-root user. */
  async setPrivileged(value: boolean): Promise<void> {
    await this.send({ cmd: 'setPrivileged', value });
  }
  /** Every NVML call this process made, in order, with its return code. */
  async callLog(): Promise<MockCall[]> {
    return (await this.send({ cmd: 'callLog' })).calls as MockCall[];
  }
  /** Empties the call log. */
  async clearCallLog(): Promise<void> {
    await this.send({ cmd: 'clearCallLog' });
  }
  /** Sets the simulated activity that GPM reads (see {@link SetLoadRequest}); it holds until changed. */
  async setLoad(request: SetLoadRequest): Promise<void> {
    await this.send({ cmd: 'setLoad', ...request });
  }
  /** How many GPM sample buffers this process has allocated and not freed. */
  async gpmSamples(): Promise<number> {
    return (await this.send({ cmd: 'gpmSamples' })).count as number;
  }
  /** The GPU model names the mock knows, e.g. "h100-80gb". */
  async models(): Promise<string[]> {
    return (await this.send({ cmd: 'models' })).models as string[];
  }
}

/**
 * The typed control channel ({@link MockControl}) of the mock that `nvml` has open.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { mockControl, mockLibraryPath } from 'nvml-mig/testing';
 *
 * const nvml = await init({ libraryPath: mockLibraryPath() });
 * await mockControl(nvml).reset('h100-80gb:8');
 * console.log(await nvml.deviceCount()); // 8
 * await nvml.shutdown();
 * ```
 */
export function mockControl(nvml: Nvml): MockControl {
  return new MockControl(nvml);
}

/**
 * Options of {@link startMock}.
 *
 * @example
 * ```ts
 * import { startMock, type StartMockOptions } from 'nvml-mig/testing';
 *
 * const options: StartMockOptions = { machine: 'a100-40gb:2,a30:1', state: '/tmp/gpus.json', fresh: true, unprivileged: false };
 * const { shutdown } = await startMock(options);
 * await shutdown();
 * ```
 */
export interface StartMockOptions {
  /** Machine spec: 'h100-80gb' (default), 'a100-40gb:2,a30:1', or a JSON machine file path. */
  machine?: string;
  /**
   * A state file shared by processes (NVML_MOCK_STATE). Must be chosen before the first init()
   * of the process; an existing file keeps its machine and instances unless `fresh` is true.
   */
  state?: string;
  /** Start from a clean state and an empty call log. Default: true without `state`, false with it. */
  fresh?: boolean;
  faults?: MockFault[];
  latencyUs?: Record<string, number>;
  /** Simulate a non-root user: mutating calls answer NVML_ERROR_NO_PERMISSION. */
  unprivileged?: boolean;
  /** Load the legacy-driver build of the mock. */
  legacy?: boolean;
  readOnly?: boolean;
}

/**
 * What {@link startMock} resolves with: the opened library, its control channel, the environment for child processes, and shutdown.
 *
 * @example
 * ```ts
 * import { spawnSync } from 'node:child_process';
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, env, shutdown } = await startMock({ state: '/tmp/gpus.json' });
 * await (await nvml.device(0)).setMigMode(true);
 * // a child process (here the CLI) sees the same simulated machine
 * spawnSync('npx', ['nvml-mig', 'status'], { env: { ...process.env, ...env }, stdio: 'inherit' });
 * await shutdown();
 * ```
 */
export interface MockSession {
  nvml: Nvml;
  control: MockControl;
  /** Environment for a child process (CLI, Python) that should see the same simulated machine. */
  env: Record<string, string>;
  /** Closes the library that {@link startMock} opened (one shutdown per init). */
  shutdown(): Promise<void>;
}

/**
 * Initialises the package on the mock with the given machine and settings. The settings go
 * through the control channel after init, so they apply even when the library was already open
 * in this process; the state file (NVML_MOCK_STATE) is read at the library's first init only.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 *
 * const { nvml, control, shutdown } = await startMock({ machine: 'h100-80gb:2' });
 * try {
 *   await (await nvml.device(1)).setMigMode(true);
 *   console.log((await control.state()).gpus[1].migCurrent); // true
 * } finally {
 *   await shutdown();
 * }
 * ```
 */
export async function startMock(options: StartMockOptions = {}): Promise<MockSession> {
  const libraryPath = options.legacy ? legacyMockLibraryPath() : mockLibraryPath();
  if (options.state !== undefined) process.env.NVML_MOCK_STATE = options.state;
  if (options.machine !== undefined) process.env.NVML_MOCK_MACHINE = options.machine;
  const nvml = await init({ libraryPath, readOnly: options.readOnly });
  const control = new MockControl(nvml);
  try {
    const statePath = await control.statePath();
    if (options.state !== undefined && path.resolve(statePath || '.') !== path.resolve(options.state)) {
      throw new Error(
        `the mock in this process already uses ${statePath ? `state file ${statePath}` : 'in-process state'}; ` +
          'choose the state file before the first init()',
      );
    }
    const fresh = options.fresh ?? options.state === undefined;
    if (fresh) {
      await control.reset(options.machine);
      await control.clearCallLog();
    }
    for (const fault of options.faults ?? []) await control.setFault(fault);
    for (const [fn, us] of Object.entries(options.latencyUs ?? {})) await control.setLatency(fn, us);
    if (options.unprivileged !== undefined) await control.setPrivileged(!options.unprivileged);
    const env: Record<string, string> = { NVML_LIBRARY_PATH: libraryPath };
    if (statePath) env.NVML_MOCK_STATE = statePath;
    env.NVML_MOCK_MACHINE = (await control.state()).machine;
    return { nvml, control, env, shutdown: () => nvml.shutdown() };
  } catch (e) {
    await nvml.shutdown();
    throw e;
  }
}
