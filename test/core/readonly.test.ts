// The read-only interlock: every mutating call rejects ERR_NVML_READ_ONLY in the facade, and the
// mock's call log proves no mutating NVML function ran.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../dist/index.js';
import { MOCK, expectCode } from './helpers';

const MUTATING = /^nvml(DeviceSetMigMode|DeviceCreateGpuInstance|GpuInstanceCreateComputeInstance|GpuInstanceDestroy|ComputeInstanceDestroy)/;
let dir: string;
beforeAll(() => {
  // The state is kept in a file so that it outlives the read-write session that sets it up.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-ro-'));
  process.env.NVML_MOCK_STATE = path.join(dir, 'state.json');
});
afterAll(() => {
  delete process.env.NVML_MOCK_STATE;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('read-only interlock', () => {
  it('refuses every mutating call before it reaches NVML', async () => {
    const rw = await init({ libraryPath: MOCK });
    await rw.mockControl({ cmd: 'reset', machine: 'h100-80gb' });
    const d = await rw.device(0);
    await d.setMigMode(true);
    const gi = await d.createGpuInstance(9);
    await gi.createComputeInstance(2);
    await rw.shutdown();

    const nvml = await init({ libraryPath: MOCK, readOnly: true });
    expect(nvml.readOnly).toBe(true);
    await nvml.mockControl({ cmd: 'clearCallLog' });
    const dev = await nvml.device(0);
    const [g] = await dev.gpuInstances();
    const [c] = await g.computeInstances();
    await expectCode(dev.setMigMode(false), 'ERR_NVML_READ_ONLY');
    await expectCode(dev.createGpuInstance(19), 'ERR_NVML_READ_ONLY');
    await expectCode(dev.createGpuInstance(19, { start: 0, size: 1 }), 'ERR_NVML_READ_ONLY');
    await expectCode(g.createComputeInstance(0), 'ERR_NVML_READ_ONLY');
    await expectCode(g.createComputeInstance(0, { start: 0, size: 1 }), 'ERR_NVML_READ_ONLY');
    await expectCode(c.destroy(), 'ERR_NVML_READ_ONLY');
    const e = await expectCode(g.destroy(), 'ERR_NVML_READ_ONLY');
    expect([e.nvmlReturn, e.fn]).toEqual([null, null]);
    // The addon refuses too, for anything that bypasses the facade.
    const raw = (nvml as any)._session.binding;
    await expectCode(raw.deviceSetMigMode((dev as any)._handle, 0), 'ERR_NVML_READ_ONLY');
    await expectCode(raw.gpuInstanceDestroy((g as any)._handle), 'ERR_NVML_READ_ONLY');
    // Reads still work.
    expect((await dev.migMode()).current).toBe(true);
    expect((await dev.migDevices()).length).toBe(1);
    const { calls } = await nvml.mockControl({ cmd: 'callLog' });
    const fns: string[] = calls.map((x: { fn: string }) => x.fn);
    expect(fns).toContain('nvmlDeviceGetMigMode');
    expect(fns.filter((f) => MUTATING.test(f))).toEqual([]);
    // Nothing changed.
    expect((await dev.gpuInstances()).map((x) => x.id)).toEqual([g.id]);
    await nvml.shutdown();
  });
});
