// Symbol fallbacks against a library with only the old, unversioned names (fixtures/old-nvml.c,
// compiled here): the same-signature older symbol is used, and a function the library lacks fails
// only its own call with NVML_ERROR_FUNCTION_NOT_FOUND.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b, rejects, ROOT } from './helpers';

const OUT = path.join(ROOT, 'build', 'test-fixtures', 'libold-nvml.so');

/** Builds the fixture library; a compiler failure fails the suite with the compiler's output. */
function compile(): void {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const args = ['-shared', '-fPIC', '-fvisibility=hidden', '-O1', '-I', path.join(ROOT, 'native'), '-o', OUT, path.join(__dirname, 'fixtures', 'old-nvml.c')];
  try {
    execFileSync('cc', args, { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`cannot build the old-NVML fixture (cc ${args.join(' ')}): ${err.stderr?.toString() || err.message}`, { cause: e });
  }
}

beforeAll(async () => {
  fs.rmSync(OUT, { force: true });
  compile();
  await b.open(OUT, 0, false);
});
afterAll(() => b.close());

describe('an old library with unversioned names only', () => {
  it('each entry resolves to its same-signature older name, or null', () => {
    const f = b.functions();
    expect(f.nvmlInit_v2).toBe('nvmlInit');
    expect(f.nvmlDeviceGetCount_v2).toBe('nvmlDeviceGetCount');
    expect(f.nvmlDeviceGetHandleByIndex_v2).toBe('nvmlDeviceGetHandleByIndex');
    expect(f.nvmlDeviceGetHandleByPciBusId_v2).toBe('nvmlDeviceGetHandleByPciBusId');
    expect(f.nvmlDeviceGetAttributes_v2).toBe('nvmlDeviceGetAttributes');
    expect(f.nvmlEventSetWait_v2).toBe('nvmlEventSetWait');
    expect(f.nvmlDeviceGetComputeRunningProcesses_v3).toBe('nvmlDeviceGetComputeRunningProcesses_v2');
    expect(f.nvmlInitWithFlags).toBeNull();
    expect(f.nvmlDeviceGetMigMode).toBeNull();
    expect(f.nvmlDeviceGetPciInfo_v3).toBeNull(); // v1's struct differs: no fallback to the bare name
  });

  it('the fallbacks answer; the missing functions fail alone', async () => {
    expect(await b.deviceGetCount()).toBe(1);
    const dev = await b.deviceGetHandleByIndex(0);
    expect(await b.deviceGetHandleByPciBusId('00000000:01:00.0')).toBe(dev);
    expect(await b.deviceGetName(dev)).toBe('Old GPU');
    expect(await b.deviceGetAttributes(dev)).toMatchObject({ multiprocessorCount: 42, memorySizeMB: 1234 });
    expect(await b.deviceGetComputeRunningProcesses(dev)).toEqual([{ pid: 4321, usedGpuMemory: 1048576, gpuInstanceId: null, computeInstanceId: null }]);
    const e = await rejects(b.deviceGetMigMode(dev), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(e.fn).toBe('nvmlDeviceGetMigMode');
    expect(e.message).toBe('nvmlDeviceGetMigMode: Old error'); // the library's own text
    await rejects(b.deviceGetMemoryInfo(dev), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    await rejects(b.deviceGetGpuInstanceProfileInfo(dev, 0, 0), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    await rejects(b.deviceGetGpuInstancePossiblePlacements(dev, 19), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(await b.deviceGetName(dev)).toBe('Old GPU');
  });

  it('the mock control channel is not listed as a function; a library without it refuses mockControl', async () => {
    expect(Object.keys(b.functions())).not.toContain('nvmlMockControl');
    const e = await rejects(b.mockControl(JSON.stringify({ cmd: 'state' })), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(e.fn).toBe('nvmlMockControl');
  });

  it('the old event wait leaves the GI/CI ids unattributed', async () => {
    const set = await b.eventSetCreate();
    const ev = await b.eventSetWait(set, 10);
    expect(ev).toEqual({ device: await b.deviceGetHandleByIndex(0), eventType: 0x100n, eventData: 7n, gpuInstanceId: null, computeInstanceId: null });
    await b.eventSetFree(set);
  });

  it('snapshot: each missing read is an error entry, the rest is read', async () => {
    const s = await b.snapshot();
    const d = s.devices[0];
    expect(d.name).toBe('Old GPU');
    expect(d.migMode).toBeNull();
    expect(d.processes).toHaveLength(1);
    expect(d.errors.map((e) => e.fn).sort()).toEqual(
      ['nvmlDeviceGetMemoryInfo', 'nvmlDeviceGetMigMode', 'nvmlDeviceGetPciInfo_v3', 'nvmlDeviceGetUUID', 'nvmlDeviceGetUtilizationRates'].sort(),
    );
    expect(d.errors.every((e) => e.code === 'NVML_ERROR_FUNCTION_NOT_FOUND' && e.nvmlReturn === 13)).toBe(true);
  });

  it('init flags need nvmlInitWithFlags', async () => {
    await b.close();
    const e = await rejects(b.open(OUT, 1, false), 'NVML_ERROR_FUNCTION_NOT_FOUND', 13);
    expect(e.fn).toBe('nvmlInitWithFlags');
    expect(b.isOpen()).toBe(false);
  });
});
