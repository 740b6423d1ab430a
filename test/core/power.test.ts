// nvmlDeviceGetPowerUsage: the raw call answers milliwatts, Device.powerUsage() watts. On the
// mock an H200 answers what a real idle H200 answered (80968 mW); the other models an idle value
// of their own; a MIG device handle is NOT_SUPPORTED (power is a whole-board reading).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import { init, type Nvml } from '../../dist/index.js';
import { MOCK, MOCK_LEGACY, expectCode } from './helpers';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await init({ libraryPath: MOCK });
});
afterAll(() => nvml.shutdown());

describe('power usage', () => {
  it('an H200 reads as the real idle H200 did: 80968 mW raw, 80.968 W through the facade, MIG on or off', async () => {
    await nvml.mockControl({ cmd: 'reset', machine: 'h200' });
    const dev = await nvml.device(0);
    const raw = loadBinding();
    expect(await raw.deviceGetPowerUsage(await raw.deviceGetHandleByIndex(0))).toBe(80968);
    expect(await dev.powerUsage()).toBe(80.968);
    await dev.setMigMode(true);
    expect(await dev.powerUsage()).toBe(80.968);
  });

  it('every model answers its own idle draw, within what a data-centre board draws idle', async () => {
    const machine = 'a100-40gb:1,a100-80gb:1,a30:1,h100-80gb:1,h100-94gb:1,h200:1';
    await nvml.mockControl({ cmd: 'reset', machine });
    const watts = await Promise.all((await nvml.devices()).map((d) => d.powerUsage()));
    expect(watts).toHaveLength(6);
    for (const w of watts) expect(w > 20 && w < 150).toBe(true);
    expect(new Set(watts).size).toBe(6);
  });

  it('a MIG device handle is NOT_SUPPORTED; a stale or wrong-kind handle never reaches the driver', async () => {
    await nvml.mockControl({ cmd: 'reset', machine: 'h200' });
    const dev = await nvml.device(0);
    await dev.setMigMode(true);
    const gi = await dev.createGpuInstance(19);
    const ci = await gi.createComputeInstance(0);
    const raw = loadBinding();
    const mig = await raw.deviceGetMigDeviceHandleByIndex(await raw.deviceGetHandleByIndex(0), 0);
    await expectCode(raw.deviceGetPowerUsage(mig), 'NVML_ERROR_NOT_SUPPORTED');
    expect(() => raw.deviceGetPowerUsage(gi._handle)).toThrow(TypeError);
    await ci.destroy();
    await expectCode(raw.deviceGetPowerUsage(mig), 'ERR_NVML_STALE_HANDLE');
  });

  it('the legacy library has it too (an old export)', async () => {
    await nvml.shutdown();
    nvml = await init({ libraryPath: MOCK_LEGACY });
    await nvml.mockControl({ cmd: 'reset', machine: 'h200' });
    expect(await (await nvml.device(0)).powerUsage()).toBe(80.968);
  });
});
