// Every code through the public facade: each NVML return code (0-30, 999) injected into the
// function behind each facade method comes back as the facade's NvmlError (isNvmlError, code
// name, nvmlReturn, fn, the caller's stack), unless the method documents a soft answer for it;
// after clearFaults the method works again. The raw-surface matrix is faults.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, isNvmlError, type ComputeInstance, type Device, type GpuInstance, type MigDevice, type Nvml } from '../../dist/index.js';
import { NVML_CODE_NAMES } from '../nvml-return-codes';
import { ALL_RETURN_CODES, MOCK, limit } from './helpers';

let nvml: Nvml;
let dev: Device;
let plain: Device;
let gi: GpuInstance;
let spare: GpuInstance;
let ci: ComputeInstance;
let mig: MigDevice;

async function fixture(): Promise<void> {
  await nvml.mockControl({ cmd: 'clearFaults' });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
  dev = await nvml.device(0);
  plain = await nvml.device(1);
  await dev.setMigMode(true);
  gi = await dev.createGpuInstance(19);
  ci = await gi.createComputeInstance(0);
  spare = await dev.createGpuInstance(19);
  mig = (await dev.migDevice(0))!;
}

interface Entry {
  method: string;
  fn: string;
  call: () => Promise<unknown>;
  mutating?: boolean;
  /** Codes this method answers softly (documented in the API), with what it resolves. */
  soft?: number[];
}

const ENTRIES: Entry[] = [
  { method: 'nvml.driverVersion', fn: 'nvmlSystemGetDriverVersion', call: () => nvml.driverVersion() },
  { method: 'nvml.nvmlVersion', fn: 'nvmlSystemGetNVMLVersion', call: () => nvml.nvmlVersion() },
  { method: 'nvml.cudaDriverVersion', fn: 'nvmlSystemGetCudaDriverVersion_v2', call: () => nvml.cudaDriverVersion() },
  { method: 'nvml.deviceCount', fn: 'nvmlDeviceGetCount_v2', call: () => nvml.deviceCount() },
  { method: 'nvml.device', fn: 'nvmlDeviceGetHandleByIndex_v2', call: () => nvml.device(1) },
  { method: 'nvml.deviceByUuid', fn: 'nvmlDeviceGetHandleByUUID', call: async () => nvml.deviceByUuid(await plain.uuid()) },
  { method: 'device.name', fn: 'nvmlDeviceGetName', call: () => dev.name() },
  { method: 'device.uuid', fn: 'nvmlDeviceGetUUID', call: () => dev.uuid() },
  { method: 'device.pciInfo', fn: 'nvmlDeviceGetPciInfo_v3', call: () => dev.pciInfo() },
  { method: 'device.memoryInfo', fn: 'nvmlDeviceGetMemoryInfo_v2', call: () => dev.memoryInfo(), soft: [25] },
  { method: 'device.minorNumber', fn: 'nvmlDeviceGetMinorNumber', call: () => dev.minorNumber() },
  { method: 'device.powerUsage', fn: 'nvmlDeviceGetPowerUsage', call: () => dev.powerUsage() },
  { method: 'device.utilizationRates', fn: 'nvmlDeviceGetUtilizationRates', call: () => plain.utilizationRates() },
  { method: 'device.computeProcesses', fn: 'nvmlDeviceGetComputeRunningProcesses_v3', call: () => plain.computeProcesses(), soft: [7] },
  { method: 'device.migMode', fn: 'nvmlDeviceGetMigMode', call: () => dev.migMode() },
  { method: 'device.setMigMode', fn: 'nvmlDeviceSetMigMode', call: () => plain.setMigMode(false), mutating: true },
  // null when the driver cannot say (NOT_SUPPORTED and friends are the answer, not an error).
  { method: 'device.isResetlessMigSupported', fn: 'nvmlDeviceGetFieldValues', call: () => dev.isResetlessMigSupported() },
  { method: 'device.gpuInstanceRemainingCapacity', fn: 'nvmlDeviceGetGpuInstanceRemainingCapacity', call: () => dev.gpuInstanceRemainingCapacity(19) },
  { method: 'device.createGpuInstance', fn: 'nvmlDeviceCreateGpuInstance', call: () => dev.createGpuInstance(19), mutating: true },
  { method: 'device.createGpuInstance(placement)', fn: 'nvmlDeviceCreateGpuInstanceWithPlacement', call: () => dev.createGpuInstance(19, { start: 0, size: 1 }), mutating: true },
  { method: 'device.gpuInstances', fn: 'nvmlDeviceGetGpuInstances', call: () => dev.gpuInstances(19) },
  { method: 'device.gpuInstance', fn: 'nvmlDeviceGetGpuInstanceById', call: () => dev.gpuInstance(gi.id) },
  { method: 'device.maxMigDeviceCount', fn: 'nvmlDeviceGetMaxMigDeviceCount', call: () => dev.maxMigDeviceCount() },
  // null for an empty (sparse) index: NOT_FOUND is that answer.
  { method: 'device.migDevice', fn: 'nvmlDeviceGetMigDeviceHandleByIndex', call: () => dev.migDevice(0), soft: [6] },
  { method: 'gpuInstance.info', fn: 'nvmlGpuInstanceGetInfo', call: () => gi.info() },
  { method: 'gpuInstance.computeInstanceRemainingCapacity', fn: 'nvmlGpuInstanceGetComputeInstanceRemainingCapacity', call: () => spare.computeInstanceRemainingCapacity(0) },
  { method: 'gpuInstance.createComputeInstance', fn: 'nvmlGpuInstanceCreateComputeInstance', call: () => spare.createComputeInstance(0), mutating: true },
  { method: 'gpuInstance.computeInstances', fn: 'nvmlGpuInstanceGetComputeInstances', call: () => gi.computeInstances(0) },
  { method: 'gpuInstance.computeInstance', fn: 'nvmlGpuInstanceGetComputeInstanceById', call: () => gi.computeInstance(ci.id) },
  { method: 'gpuInstance.destroy', fn: 'nvmlGpuInstanceDestroy', call: () => spare.destroy(), mutating: true },
  { method: 'computeInstance.info', fn: 'nvmlComputeInstanceGetInfo_v2', call: () => ci.info() },
  { method: 'computeInstance.destroy', fn: 'nvmlComputeInstanceDestroy', call: () => ci.destroy(), mutating: true },
  { method: 'migDevice.uuid', fn: 'nvmlDeviceGetUUID', call: () => mig.uuid() },
  { method: 'migDevice.name', fn: 'nvmlDeviceGetName', call: () => mig.name() },
  { method: 'migDevice.gpuInstanceId', fn: 'nvmlDeviceGetGpuInstanceId', call: () => mig.gpuInstanceId() },
  { method: 'migDevice.computeInstanceId', fn: 'nvmlDeviceGetComputeInstanceId', call: () => mig.computeInstanceId() },
  { method: 'migDevice.attributes', fn: 'nvmlDeviceGetAttributes_v2', call: () => mig.attributes() },
  { method: 'migDevice.memoryInfo', fn: 'nvmlDeviceGetMemoryInfo_v2', call: () => mig.memoryInfo(), soft: [25] },
];

beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  delete process.env.NVML_MOCK_FAULTS;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb:2';
  nvml = await init({ libraryPath: MOCK });
  await fixture();
});
afterAll(async () => {
  await nvml?.shutdown();
});

describe('every code through every facade method', () => {
  it('NvmlError with code, nvmlReturn, fn and the caller stack; works again after clearFaults', async () => {
    const unexpected: string[] = [];
    const softSeen: string[] = [];
    let cases = 0;
    for (const e of ENTRIES) {
      await fixture();
      for (const code of ALL_RETURN_CODES) {
        await nvml.mockControl({ cmd: 'setFault', fn: e.fn, code, always: true });
        const err: any = await e.call().then(() => null, (x) => x);
        cases++;
        const isField = e.fn === 'nvmlDeviceGetFieldValues';
        if (err === null) {
          if (code !== 0 && !isField && !(e.soft ?? []).includes(code)) unexpected.push(`${e.method} ← ${code}: resolved`);
          else if (code !== 0) softSeen.push(`${e.method}←${code}`);
        } else if (!(isNvmlError(err) && err.code === NVML_CODE_NAMES[code] && err.nvmlReturn === code && err.fn === e.fn)) {
          if (code !== 0) unexpected.push(`${e.method} ← ${code}: ${err?.name} ${err?.code} ${err?.nvmlReturn} ${err?.fn}`);
        } else if (!String(err.stack).includes('faults-facade.test')) {
          unexpected.push(`${e.method} ← ${code}: the stack does not name the caller`);
        }
        await nvml.mockControl({ cmd: 'clearFaults' });
        if (e.mutating || code === 0) await fixture();
        const again = await e.call().then(() => 'ok', (x: any) => `${x?.code} ${x?.message}`);
        if (again !== 'ok') unexpected.push(`${e.method} after clearFaults (${code}): ${again}`);
        if (e.mutating) await fixture();
      }
    }
    console.log(`faults-facade: ${cases} cases over ${ENTRIES.length} methods; soft answers ${softSeen.length} (${[...new Set(softSeen.map((s) => s.split('←')[0]))].join(', ')})`);
    expect(unexpected).toEqual([]);
  }, limit(60_000));
});
