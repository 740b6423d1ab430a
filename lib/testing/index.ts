// nvml-mig/testing: the bundled mock libnvidia-ml.so.1 for tests of MIG tools without a GPU.
// mockLibraryPath() for any NVML client (LD_LIBRARY_PATH or init({libraryPath})), startMock() to
// open an initialised Nvml on a chosen simulated machine, and a typed wrapper of the mock's
// control channel. See docs/mock.md.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { init, Nvml } from '../index';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/**
 * A mock library of this package: the local build (build/Release/<folder>/libnvidia-ml.so.1) when
 * there is one, else the prebuilt copy the published package ships (prebuilds/<platform>-<arch>/),
 * the order node-gyp-build uses for the addon. A local build exists only where this machine
 * compiled one (a checkout, or an install whose prebuild did not load), so it is the one that fits.
 * With neither present, the local build's path, so errors name what to build.
 */
function bundledLibrary(buildFolder: string, prebuiltName: string): string {
  const local = path.join(PACKAGE_ROOT, 'build', 'Release', buildFolder, 'libnvidia-ml.so.1');
  const prebuilt = path.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, prebuiltName);
  return fs.existsSync(local) || !fs.existsSync(prebuilt) ? local : prebuilt;
}

/** Absolute path of the mock library (SONAME libnvidia-ml.so.1). */
export function mockLibraryPath(): string {
  return bundledLibrary('mock', 'libnvidia-ml.so.1');
}

/** The same mock as an older driver: no *V / *_v2 MIG calls, no *WithPlacement, no GetAttributes_v2. */
export function legacyMockLibraryPath(): string {
  return bundledLibrary('mock-legacy', 'libnvidia-ml-legacy.so.1');
}

export interface MockPlacement {
  start: number;
  size: number;
}

export interface MockComputeInstance {
  id: number;
  profileId: number;
  profile: string;
  placement: MockPlacement;
  uuid: string;
}

export interface MockGpuInstance {
  id: number;
  profileId: number;
  profile: string;
  placement: MockPlacement;
  computeInstances: MockComputeInstance[];
}

export interface MockProcess {
  pid: number;
  name: string;
  usedMemoryMiB: number;
  gi?: number;
  ci?: number;
}

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

export interface MockState {
  machine: string;
  gpus: MockGpu[];
  faults: MockFault[];
  latencyUs: Record<string, number>;
  privilegedNow: boolean;
}

export interface MockCall {
  fn: string;
  ret: number;
}

export interface AddProcessRequest {
  gpu: number;
  pid: number;
  name?: string;
  usedMemoryMiB?: number;
  /** GPU instance id and compute instance id: required when MIG is enabled on the GPU. */
  gi?: number;
  ci?: number;
}

/** Typed wrapper of the mock's control channel (nvmlMockControl). Each call rejects on {ok:false}. */
export class MockControl {
  constructor(readonly nvml: Nvml) {}

  private async send(request: object): Promise<any> {
    return this.nvml.mockControl(request);
  }

  /** Fresh state (no GIs/CIs/processes/faults/latency), optionally on another machine spec. */
  async reset(machine?: string): Promise<void> {
    await this.send(machine === undefined ? { cmd: 'reset' } : { cmd: 'reset', machine });
  }
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
  async addProcess(process: AddProcessRequest): Promise<void> {
    await this.send({ cmd: 'addProcess', ...process });
  }
  /** Removes the pid from every GPU; resolves with how many entries went. */
  async removeProcess(pid: number): Promise<number> {
    return (await this.send({ cmd: 'removeProcess', pid })).removed as number;
  }
  async setFault(fault: MockFault): Promise<void> {
    await this.send({ cmd: 'setFault', ...fault });
  }
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
  async clearCallLog(): Promise<void> {
    await this.send({ cmd: 'clearCallLog' });
  }
  async models(): Promise<string[]> {
    return (await this.send({ cmd: 'models' })).models as string[];
  }
}

export function mockControl(nvml: Nvml): MockControl {
  return new MockControl(nvml);
}

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

export interface MockSession {
  nvml: Nvml;
  control: MockControl;
  /** Environment for a child process (CLI, Python) that should see the same simulated machine. */
  env: Record<string, string>;
  shutdown(): Promise<void>;
}

/**
 * Initialises the package on the mock with the given machine and settings. The settings go
 * through the control channel after init, so they apply even when the library was already open
 * in this process; the state file (NVML_MOCK_STATE) is read at the library's first init only.
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
