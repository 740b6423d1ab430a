// GPM through the facade on the mock: per-GPU and per-instance activity follows the load set
// through the control channel, the 100 ms rule, support by architecture, and the sample buffers
// freed on every path.
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_METRICS, type Nvml } from '../../dist/index.js';
import { mockControl } from '../../dist/testing/index.js';
import { useMock } from '../monitor/helpers';

const mock = useMock('h100-80gb');
// The mock serves GPM samples from counters refreshed every 100 ms, as the driver does: a load set
// now shows in full in windows that start a tick later.
const tick = () => new Promise((r) => setTimeout(r, 110));
const ctl = () => mockControl(mock.nvml);
afterEach(async () => {
  await mock.nvml.mockControl({ cmd: 'clearFaults' });
  expect(await ctl().gpmSamples()).toBe(0); // no test leaves a sample buffer behind
});

async function twoInstances(nvml: Nvml) {
  const gpu = await nvml.device(0);
  await gpu.setMigMode(true);
  const g2 = await gpu.createGpuInstance(14, { start: 0, size: 2 }); // 2g.20gb: 2 of 7 compute slices
  const g1 = await gpu.createGpuInstance(19, { start: 4, size: 1 }); // 1g.10gb
  return { gpu, g2, g1 };
}

describe('activity on the mock', () => {
  it('whole GPU: the set load comes back in every activity metric, with units', async () => {
    const gpu = await mock.nvml.device(0);
    expect(await gpu.gpmSupported()).toBe(true);
    await ctl().setLoad({ gpu: 0, load: 0.45, tensor: 0.2, pcieTxMiBps: 512 });
    await tick();
    const a = await gpu.activity({ intervalMs: 150 });
    expect(a.intervalMs).toBe(150);
    expect(Object.keys(a.metrics).sort()).toEqual(ACTIVITY_METRICS.map((m) => m.name).sort());
    expect(a.metrics.smActivity).toEqual({ value: expect.closeTo(45, 6), unit: '%', code: null });
    expect(a.metrics.graphicsActivity!.value).toBeCloseTo(45, 6);
    expect(a.metrics.tensorActivity!.value).toBeCloseTo(20, 6);
    expect(a.metrics.pcieTxMiBps).toEqual({ value: expect.closeTo(512, 6), unit: 'MiB/s', code: null });
    expect(a.metrics.pcieRxMiBps!.value).toBe(0);
  });

  it('a load change inside the interval is averaged over time (counters, not a gauge)', async () => {
    const gpu = await mock.nvml.device(0);
    await ctl().setLoad({ gpu: 0, load: 1 });
    const pending = gpu.activity({ intervalMs: 400, metrics: ['smActivity'] });
    await new Promise((r) => setTimeout(r, 200));
    await ctl().setLoad({ gpu: 0, load: 0 });
    const v = (await pending).metrics.smActivity!.value!;
    expect(v).toBeGreaterThan(25);
    expect(v).toBeLessThan(75);
  });

  it('per GPU instance: 30% on one GI and 80% on the other read back per instance; the GPU weighs them by slices', async () => {
    const { gpu, g2, g1 } = await twoInstances(mock.nvml);
    await ctl().setLoad({ gpu: 0, gi: g2.id, load: 0.3 });
    await ctl().setLoad({ gpu: 0, gi: g1.id, load: 0.8, dram: 0.5 });
    await tick();
    const [a2, a1, whole] = await Promise.all([g2.activity({ intervalMs: 150 }), g1.activity({ intervalMs: 150 }), gpu.activity({ intervalMs: 150 })]);
    expect(a2.metrics.smActivity!.value).toBeCloseTo(30, 6);
    expect(a1.metrics.smActivity!.value).toBeCloseTo(80, 6);
    expect(a1.metrics.dramActivity!.value).toBeCloseTo(50, 6);
    // The GPU's figure: each instance's share of the 7 compute slices (DRAM: of the 8 memory slots).
    expect(whole.metrics.smActivity!.value).toBeCloseTo(30 * (2 / 7) + 80 * (1 / 7), 6);
    expect(whole.metrics.dramActivity!.value).toBeCloseTo(30 * (2 / 8) + 50 * (1 / 8), 6);
  });

  it('only the metrics asked for; bad options are TypeError/RangeError before any sample', async () => {
    const gpu = await mock.nvml.device(0);
    const a = await gpu.activity({ intervalMs: 100, metrics: ['dramActivity'] });
    expect(Object.keys(a.metrics)).toEqual(['dramActivity']);
    await expect(gpu.activity({ intervalMs: 50 })).rejects.toThrow(RangeError);
    await expect(gpu.activity({ intervalMs: Number.NaN })).rejects.toThrow(TypeError);
    await expect(gpu.activity({ metrics: [] })).rejects.toThrow(RangeError);
    await expect(gpu.activity({ metrics: ['gpuUtil' as never] })).rejects.toThrow(/unknown activity metric "gpuUtil"/);
  });

  it('Ampere has no GPM: support false, activity NOT_SUPPORTED, nothing leaked', async () => {
    await mock.nvml.mockControl({ cmd: 'reset', machine: 'a100-80gb' });
    const gpu = await mock.nvml.device(0);
    expect(await gpu.gpmSupported()).toBe(false);
    await expect(gpu.activity({ intervalMs: 100 })).rejects.toMatchObject({ code: 'NVML_ERROR_NOT_SUPPORTED', fn: 'nvmlGpmSampleGet' });
    await expect(ctl().setLoad({ gpu: 0, load: 0.5 })).rejects.toThrow(/no GPM/);
  });

  it('samples are freed when a sample fails, and when the instance is destroyed between the samples', async () => {
    const { g1 } = await twoInstances(mock.nvml);
    await ctl().setFault({ fn: 'nvmlGpmMigSampleGet', code: 999, nth: 2 });
    await expect(g1.activity({ intervalMs: 100 })).rejects.toMatchObject({ code: 'NVML_ERROR_UNKNOWN', fn: 'nvmlGpmMigSampleGet' });
    await ctl().clearFaults();
    expect(await ctl().gpmSamples()).toBe(0);
    // Destroyed through this object while the interval runs: stale, samples freed.
    const pending = g1.activity({ intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    await g1.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_NVML_STALE_HANDLE' });
    expect(await ctl().gpmSamples()).toBe(0);
  });

  it('an instance destroyed by someone else between the samples: the driver refuses, samples freed', async () => {
    const { gpu, g2 } = await twoInstances(mock.nvml);
    const pending = g2.activity({ intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    // Another handle on the same GI (as another process would have): destroy it there.
    const other = await gpu.gpuInstance(g2.id);
    await other.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'NVML_ERROR_INVALID_ARGUMENT', fn: 'nvmlGpmMigSampleGet' });
  });

  it('MIG off: a GPU instance sample is INVALID_ARGUMENT, as on a real H100', async () => {
    const gpu = await mock.nvml.device(0);
    await expect(mock.nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: 1, load: 0.2 })).rejects.toThrow(/MIG is disabled/);
    await gpu.setMigMode(true);
    await expect(mock.nvml.mockControl({ cmd: 'setLoad', gpu: 0, load: 0.2 })).rejects.toThrow(/give the GPU instance/);
    await expect(mock.nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: 9, load: 1.5 })).rejects.toThrow(/no GPU instance 9|from 0 to 1/);
  });

  it('a shutdown while the interval runs: the call rejects and close() frees the driver buffers', async () => {
    const { init } = await import('../../dist/index.js');
    const { MOCK_LIB } = await import('../monitor/helpers');
    const nvml2 = await init({ libraryPath: MOCK_LIB }); // a second reference to the same session
    const gpu = await nvml2.device(0);
    const pending = gpu.activity({ intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    expect(await ctl().gpmSamples()).toBe(2);
    await nvml2.shutdown();
    await mock.nvml.shutdown(); // the last reference: nvmlShutdown, after freeing what is left
    await expect(pending).rejects.toMatchObject({ code: 'ERR_NVML_NOT_INITIALIZED' });
    mock.nvml = await init({ libraryPath: MOCK_LIB });
    await mock.nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
  });
});
