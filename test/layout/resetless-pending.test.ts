// On Hopper a MIG enable requested while a process holds the GPU stays pending (activation
// IN_USE). Once the process is gone a new request switches at once, so a re-run of the same apply
// must converge without a reset hook; it used to stop at "pending until the GPU is reset".
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { applyLayout, assertLayout, planLayout } from '../../dist/layout/index.js';
import { openMock } from './mock.js';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await openMock('h100-80gb');
});
afterAll(async () => {
  await nvml.shutdown();
});

const target = { migEnabled: true, migDevices: { '1g.10gb': 2, '3g.40gb': 1 } };

it('a re-run after the process left activates the pending enable and builds the layout', async () => {
  await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 512 });
  const first = await applyLayout(nvml, target, { force: true });
  expect(first.ok).toBe(false);
  expect(first.code).toBe('ERR_LAYOUT_ACTIVATION_PENDING');
  expect(first.pendingActivation[0]).toMatchObject({ gpu: 0, activationStatus: 'NVML_ERROR_IN_USE' });
  const gpu = await nvml.device(0);
  expect(await gpu.migMode()).toMatchObject({ current: false, pending: true });

  await nvml.mockControl({ cmd: 'removeProcess', pid: 4242 });
  const { plan } = await planLayout(nvml, target);
  expect(plan.gpus[0].steps[0]).toMatchObject({ op: 'setMigMode', enabled: true });
  const second = await applyLayout(nvml, target);
  expect(second.ok, second.message).toBe(true);
  expect(await gpu.migMode()).toMatchObject({ current: true, pending: true });
  expect((await assertLayout(nvml, target)).ok).toBe(true);
});
