// nvml-mig/testing (dist/testing): library paths, startMock with machine/faults/latency/privilege,
// the typed control wrapper, and the environment it hands to a child process.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isNvmlError } from '../../dist/index.js';
import { legacyMockLibraryPath, mockLibraryPath, startMock, type MockSession } from '../../dist/testing/index.js';

const OPS = fileURLToPath(new URL('./clients/nvml_ops.py', import.meta.url));
let session: MockSession | null = null;
afterEach(async () => {
  await session?.shutdown();
  session = null;
});

describe('nvml-mig/testing', () => {
  it('points at the built libraries', () => {
    expect(fs.existsSync(mockLibraryPath())).toBe(true);
    expect(fs.existsSync(legacyMockLibraryPath())).toBe(true);
    expect(path.basename(mockLibraryPath())).toBe('libnvidia-ml.so.1');
  });

  it('startMock: the chosen machine, fresh each time, through the public API', async () => {
    session = await startMock({ machine: 'a100-40gb:2,a30:1' });
    const { nvml, control } = session;
    expect(nvml.libraryPath).toBe(mockLibraryPath());
    expect(await nvml.deviceCount()).toBe(3);
    const a30 = await nvml.device(2);
    expect(await a30.name()).toBe('NVIDIA A30');
    await (await nvml.device(0)).setMigMode(true);
    expect((await control.state()).gpus[0]).toMatchObject({ migCurrent: false, migPending: true });
    await control.gpuReset(0);
    const dev = await nvml.device(0);
    const gi = await dev.createGpuInstance(9);
    expect(gi.placement).toEqual({ start: 4, size: 4 });
    await session.shutdown();
    session = await startMock({ machine: 'a100-40gb:2,a30:1' });
    expect((await session.control.state()).gpus[0].gpuInstances).toEqual([]);
  });

  it('faults, latency and privilege from the options; the call log', async () => {
    session = await startMock({
      machine: 'h100-80gb',
      faults: [{ fn: 'nvmlDeviceCreateGpuInstance', code: 23, nth: 2 }],
      latencyUs: { nvmlDeviceGetName: 3000 },
    });
    const { nvml, control } = session;
    const dev = await nvml.device(0);
    await dev.setMigMode(true);
    await dev.createGpuInstance(19);
    await expect(dev.createGpuInstance(19)).rejects.toSatisfy((e: unknown) => isNvmlError(e, 'NVML_ERROR_INSUFFICIENT_RESOURCES'));
    await dev.createGpuInstance(19);
    const t = Date.now();
    await dev.name();
    expect(Date.now() - t).toBeGreaterThanOrEqual(2);
    await control.setPrivileged(false);
    await expect(dev.createGpuInstance(19)).rejects.toSatisfy((e: unknown) => isNvmlError(e, 'NVML_ERROR_NO_PERMISSION'));
    const calls = await control.callLog();
    expect(calls.filter((c) => c.fn === 'nvmlDeviceCreateGpuInstance').map((c) => c.ret)).toEqual([0, 23, 0, 4]);
    await control.clearCallLog();
    expect(await control.callLog()).toEqual([]);
    await expect(control.addProcess({ gpu: 0, pid: 1 })).rejects.toThrow(/MIG is enabled/);
  });

  it('hands a child process the environment of the same machine (state file)', async () => {
    // in-process state here; a child can still be pointed at the same machine spec
    session = await startMock({ machine: 'h200:2' });
    expect(session.env).toMatchObject({ NVML_LIBRARY_PATH: mockLibraryPath(), NVML_MOCK_MACHINE: 'h200:2' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-testing-'));
    try {
      const out = execFileSync('python3', [OPS, session.env.NVML_LIBRARY_PATH, 'init', 'count', 'name:1'], {
        env: { ...process.env, ...session.env, NVML_MOCK_STATE: path.join(dir, 's.json') }, encoding: 'utf8',
      });
      expect(JSON.parse(out)).toEqual([0, [0, 2], [0, 'NVIDIA H200']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
