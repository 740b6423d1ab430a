// A non-Node client: Python ctypes drives the mock on its own (no addon, no koffi), through the
// same struct layouts and symbols as any NVML program.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LEGACY_PATH, MOCK_PATH } from './abi';

const OPS = fileURLToPath(new URL('./clients/nvml_ops.py', import.meta.url));
function py(lib: string, machine: string, ...args: string[]): any[] {
  const env = { ...process.env, NVML_MOCK_MACHINE: machine, NVML_MOCK_STATE: '', NVML_MOCK_FAULTS: '', NVML_MOCK_LATENCY_US: '' };
  return JSON.parse(execFileSync('python3', [OPS, lib, ...args], { env, encoding: 'utf8' }));
}

describe('Python ctypes client', () => {
  it('reads the H100 profile table, placements and capacity as the real driver answered', () => {
    const [init, count, name, mode, p0, p9, p5, pl15, cap19] = py(
      MOCK_PATH, 'h100-80gb', 'init', 'count', 'name:0', 'migmode:0', 'profile:0:0', 'profile:0:9', 'profile:0:5',
      'placements:0:15', 'capacity:0:19',
    );
    expect([init, count, name, mode]).toEqual([0, [0, 1], [0, 'NVIDIA H100 80GB HBM3'], [0, 0, 0]]);
    expect(p0).toEqual([0, {
      id: 19, isP2pSupported: 0, sliceCount: 1, instanceCount: 7, multiprocessorCount: 16, copyEngineCount: 1,
      decoderCount: 1, encoderCount: 0, jpegCount: 1, ofaCount: 0, memorySizeMB: 9984,
    }, 'MIG 1g.10gb']);
    expect(p9[1]).toMatchObject({ id: 15, multiprocessorCount: 26, instanceCount: 4, memorySizeMB: 20096 });
    expect(p9[2]).toBe('MIG 1g.20gb');
    expect(p5[0]).toBe(3);
    expect(pl15).toEqual([0, [[0, 2], [2, 2], [4, 2], [6, 2]]]);
    expect(cap19).toEqual([0, 7]);
  });

  it('runs a whole lifecycle: MIG on, GIs, CIs, MIG devices with UUIDs and memory', () => {
    const r = py(MOCK_PATH, 'a100-40gb', 'init', 'setmig:0:1', 'migmode:0', 'create:0:19');
    // Ampere: pending until a reset; creating is NOT_SUPPORTED meanwhile
    expect(r).toEqual([0, [0, 16], [0, 0, 1], [3, null]]);
    const h = py(MOCK_PATH, 'h100-80gb', 'init', 'setmig:0:1', 'create:0:5', 'create:0:14', 'createci:0:1:0',
      'createci:0:1:1', 'createci:0:5:1', 'migdevices:0');
    expect(h.slice(0, 6)).toEqual([0, [0, 0], [0, 1], [0, 5], [0, 0], [0, 1]]);
    expect(h[6]).toEqual([0, 0]);
    const devices = h[7];
    expect(devices.map((d: any[]) => [d[0], d[2], d[3], d[4], d[5]])).toEqual([
      [0, 'NVIDIA H100 80GB HBM3 MIG 1c.4g.40gb', 1, 0, 40448],
      [1, 'NVIDIA H100 80GB HBM3 MIG 2c.4g.40gb', 1, 1, 40448],
      [2, 'NVIDIA H100 80GB HBM3 MIG 2g.20gb', 5, 0, 20096],
    ]);
    for (const d of devices) expect(d[1]).toMatch(/^MIG-[0-9a-f-]{36}$/);
  });

  it('the legacy build serves the bare calls to ctypes too', () => {
    expect(py(LEGACY_PATH, 'h100-80gb', 'init', 'setmig:0:1', 'create:0:19', 'capacity:0:19')).toEqual([0, [0, 0], [0, 13], [0, 6]]);
  });
});
