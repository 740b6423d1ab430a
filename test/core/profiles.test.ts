// Profile-name helpers (pure functions; no library loaded).
import { describe, expect, it } from 'vitest';
import {
  computeInstanceProfileShortName,
  deriveComputeInstanceProfileName,
  deriveGpuInstanceProfileName,
  fullProfileName,
  parseProfileName,
  sameProfileName,
  shortProfileName,
} from '../../dist/index.js';
import { H100_PROFILES } from './helpers';

describe('profile names', () => {
  it('converts between the driver name and the short name', () => {
    expect(shortProfileName('MIG 1g.10gb')).toBe('1g.10gb');
    expect(shortProfileName('1g.10gb')).toBe('1g.10gb');
    expect(fullProfileName('1g.10gb+me')).toBe('MIG 1g.10gb+me');
    expect(fullProfileName('MIG 3g.40gb')).toBe('MIG 3g.40gb');
  });

  it('parses GI and CI names with attributes', () => {
    expect(parseProfileName('MIG 1c.3g.40gb')).toEqual({
      computeSlices: 1, gpuSlices: 3, memoryGB: 40, attributes: [], gpuInstanceName: '3g.40gb', canonical: '1c.3g.40gb',
    });
    expect(parseProfileName('1g.10gb+me')).toMatchObject({ computeSlices: null, gpuSlices: 1, memoryGB: 10, attributes: ['+me'] });
    expect(parseProfileName('2g.48gb-me')?.attributes).toEqual(['-me']);
    expect(parseProfileName('1g.24gb+me.all')?.attributes).toEqual(['+me.all']);
    expect(parseProfileName('4g.96gb+gfx,me')).toMatchObject({ attributes: ['+gfx', '+me'], canonical: '4g.96gb+gfx,me' });
    expect(parseProfileName('2c.3g.20gb+me')?.gpuInstanceName).toBe('3g.20gb+me');
  });

  it('rejects malformed names', () => {
    for (const bad of ['', '1g', 'g.10gb', '1g.10', '0g.10gb', '4c.3g.40gb', '0c.3g.40gb', '1g.10gb+', '1g.10gb+me-gfx', 'MIG', '1g.10GiB']) {
      expect(parseProfileName(bad), bad).toBeNull();
    }
    expect(parseProfileName(42 as unknown as string)).toBeNull();
  });

  it('compares names with or without the MIG prefix', () => {
    expect(sameProfileName('MIG 1g.10gb', '1g.10gb')).toBe(true);
    expect(sameProfileName('1g.10gb', '1g.10gb+me')).toBe(false);
    expect(sameProfileName('MIG 3g.40gb', '1c.3g.40gb')).toBe(false);
  });

  it('names CI profiles as the driver does (the GI-wide CI takes the GI name)', () => {
    expect(computeInstanceProfileShortName(1, '3g.40gb')).toBe('1c.3g.40gb');
    expect(computeInstanceProfileShortName(3, '3g.40gb')).toBe('3g.40gb');
    expect(deriveComputeInstanceProfileName(2, 'MIG 4g.20gb')).toBe('MIG 2c.4g.20gb');
    expect(deriveComputeInstanceProfileName(4, 'MIG 4g.20gb')).toBe('MIG 4g.20gb');
  });

  it('derives the real H100 names from v1 numbers (legacy drivers without a name field)', () => {
    for (const p of H100_PROFILES) {
      expect(deriveGpuInstanceProfileName(p.index, p.sliceCount, p.memorySizeMB), `index ${p.index}`).toBe(p.name);
    }
    // A100-40GB (NVIDIA's MIG user guide, `-lgip`): 4864 MiB is "5gb", 9856 "10gb", 40192 "40gb".
    expect(deriveGpuInstanceProfileName(0, 1, 4864)).toBe('MIG 1g.5gb');
    expect(deriveGpuInstanceProfileName(9, 1, 9856)).toBe('MIG 1g.10gb');
    expect(deriveGpuInstanceProfileName(4, 7, 40192)).toBe('MIG 7g.40gb');
    expect(deriveGpuInstanceProfileName(0xd, 1, 24192)).toBe('MIG 1g.24gb-me');
    expect(deriveGpuInstanceProfileName(0xf, 1, 24192)).toBe('MIG 1g.24gb+me.all');
    expect(deriveGpuInstanceProfileName(0xa, 1, 24192)).toBe('MIG 1g.24gb+gfx');
  });
});
