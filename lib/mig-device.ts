// A MIG device: the device handle NVML gives each compute instance (uuid "MIG-...").

import type { DeviceHandle, NativeBinding } from './native';
import type { DeviceAttributes, MemoryInfo, ProcessInfo } from './types';
import type { Device } from './device';
import { call } from './facade-call';

/**
 * A MIG device (the CUDA-visible side of a compute instance): its UUID, ids, memory, attributes and processes.
 *
 * @example
 * ```ts
 * import { init, MigDevice } from 'nvml-mig';
 *
 * const nvml = await init();
 * for (const mig of await (await nvml.device(0)).migDevices()) {
 *   console.log(mig.index, await mig.uuid(), await mig.gpuInstanceId(), await mig.computeInstanceId(), await mig.memoryInfo());
 * }
 * const byUuid = await nvml.deviceByUuid('MIG-4e7a1ee2-b7d9-5f57-9b64-145d7ba7a51e');
 * if (byUuid instanceof MigDevice) console.log(await byUuid.attributes());
 * await nvml.shutdown();
 * ```
 */
export class MigDevice {
  /** The physical GPU. */
  readonly parent: Device;
  /** Index under the parent (GetMigDeviceHandleByIndex), -1 if unknown. */
  readonly index: number;
  /** @internal */
  readonly _handle: DeviceHandle;

  /** @internal (use device.migDevice() / migDevices(), computeInstance.migDevice(), nvml.deviceByUuid()) */
  constructor(parent: Device, index: number, handle: DeviceHandle) {
    this.parent = parent;
    this.index = index;
    this._handle = handle;
  }

  /** @internal the liveness check of every call (see call() in facade-call.ts) */
  _live(): NativeBinding {
    this.parent._session.check();
    return this.parent._session.binding;
  }

  /** "MIG-xxxxxxxx-xxxx-..." */
  uuid(): Promise<string> {
    return call(this, (b, h) => b.deviceGetUuid(h));
  }

  /** The MIG device's name as the driver gives it. */
  name(): Promise<string> {
    return call(this, (b, h) => b.deviceGetName(h));
  }

  /** The id of the GPU instance it belongs to. */
  gpuInstanceId(): Promise<number> {
    return call(this, (b, h) => b.deviceGetGpuInstanceId(h));
  }

  /** The id of its compute instance. */
  computeInstanceId(): Promise<number> {
    return call(this, (b, h) => b.deviceGetComputeInstanceId(h));
  }

  /** The GI's memory (CIs of one GI share it). */
  memoryInfo(): Promise<MemoryInfo> {
    return call(this, (b, h) => b.deviceGetMemoryInfo(h));
  }

  /**
   * The BAR1 memory of this MIG device in bytes (nvmlDeviceGetBAR1MemoryInfo; `reserved` is absent).
   *
   * @example
   * ```ts
   * import { init } from 'nvml-mig';
   *
   * const nvml = await init();
   * const mig = await (await nvml.device(0)).migDevice(0);
   * if (mig) console.log((await mig.bar1MemoryInfo()).total / 2 ** 20, 'MiB of BAR1');
   * ```
   */
  bar1MemoryInfo(): Promise<MemoryInfo> {
    return call(this, (b, h) => b.deviceGetBar1MemoryInfo(h));
  }

  /** SMs, shared engines, slices and memory of this MIG device (nvmlDeviceGetAttributes_v2). */
  attributes(): Promise<DeviceAttributes> {
    return call(this, (b, h) => b.deviceGetAttributes(h));
  }

  /** The compute processes on this MIG device. */
  computeProcesses(): Promise<ProcessInfo[]> {
    return call(this, (b, h) => b.deviceGetComputeRunningProcesses(h));
  }

  /** True (nvmlDeviceIsMigDeviceHandle). */
  isMigDeviceHandle(): Promise<boolean> {
    return call(this, (b, h) => b.deviceIsMigDeviceHandle(h));
  }

  /** The physical GPU as NVML reports it (nvmlDeviceGetDeviceHandleFromMigDeviceHandle). */
  parentDevice(): Promise<Device> {
    return call(this, async (b, h) => this.parent._session.deviceOfHandle(await b.deviceGetDeviceHandleFromMigDeviceHandle(h)));
  }
}
