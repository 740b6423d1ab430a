// The legacy-driver build: the versioned/newer MIG symbols are absent (a binding must fall back
// or report FUNCTION_NOT_FOUND), the bare ones and the control channel are there.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEGACY_PATH, MOCK_PATH } from './abi';

const NEWER = [
  'nvmlDeviceGetGpuInstanceProfileInfoV', 'nvmlDeviceGetGpuInstanceProfileInfoByIdV',
  'nvmlGpuInstanceGetComputeInstanceProfileInfoV', 'nvmlDeviceGetGpuInstancePossiblePlacements_v2',
  'nvmlComputeInstanceGetInfo_v2', 'nvmlDeviceGetAttributes_v2', 'nvmlDeviceGetMemoryInfo_v2',
  'nvmlDeviceCreateGpuInstanceWithPlacement', 'nvmlGpuInstanceCreateComputeInstanceWithPlacement',
];
const KEPT = [
  'nvmlInit_v2', 'nvmlDeviceGetGpuInstanceProfileInfo', 'nvmlDeviceGetGpuInstancePossiblePlacements',
  'nvmlComputeInstanceGetInfo', 'nvmlGpuInstanceGetComputeInstanceProfileInfo', 'nvmlDeviceGetMemoryInfo',
  'nvmlDeviceCreateGpuInstance', 'nvmlGpuInstanceCreateComputeInstance', 'nvmlMockControl', 'nvmlErrorString',
];

/** Dynamic symbols a library exports (defined, in .dynsym). */
function exported(lib: string): Set<string> {
  const out = execFileSync('nm', ['-D', '--defined-only', lib], { encoding: 'utf8' });
  return new Set(out.split('\n').map((l) => l.trim().split(/\s+/)[2]).filter(Boolean));
}

describe('legacy build', () => {
  const legacy = exported(LEGACY_PATH);
  const full = exported(MOCK_PATH);

  it('lacks the versioned symbols the full build has', () => {
    for (const name of NEWER) {
      expect([name, full.has(name)]).toEqual([name, true]);
      expect([name, legacy.has(name)]).toEqual([name, false]);
    }
  });

  it('keeps the bare calls and the control channel', () => {
    for (const name of KEPT) expect([name, legacy.has(name)]).toEqual([name, true]);
  });

  it('exports only NVML names: nothing of the implementation leaks', () => {
    for (const name of full) expect(name).toMatch(/^nvml/);
  });

  it('the mock carries the SONAME libnvidia-ml.so.1; both load by that name from LD_LIBRARY_PATH', () => {
    expect(execFileSync('readelf', ['-d', MOCK_PATH], { encoding: 'utf8' })).toMatch(/SONAME.*\[libnvidia-ml\.so\.1\]/);
    const probe = 'import ctypes; l = ctypes.CDLL("libnvidia-ml.so.1"); print(hasattr(l, "nvmlMockControl"), hasattr(l, "nvmlDeviceGetAttributes_v2"))';
    for (const [lib, v2] of [[MOCK_PATH, 'True'], [LEGACY_PATH, 'False']]) {
      const out = execFileSync('python3', ['-c', probe], { env: { ...process.env, LD_LIBRARY_PATH: path.dirname(lib) }, encoding: 'utf8' });
      expect(out.trim()).toBe(`True ${v2}`);
    }
  });
});
