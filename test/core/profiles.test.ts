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
import { withDriverName } from '../../dist/profiles.js';
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
    // A100-40GB (mig-facts §1.3): 4864 MiB is "5gb", 9856 "10gb", 40192 "40gb".
    expect(deriveGpuInstanceProfileName(0, 1, 4864)).toBe('MIG 1g.5gb');
    expect(deriveGpuInstanceProfileName(9, 1, 9856)).toBe('MIG 1g.10gb');
    expect(deriveGpuInstanceProfileName(4, 7, 40192)).toBe('MIG 7g.40gb');
    expect(deriveGpuInstanceProfileName(0xd, 1, 24192)).toBe('MIG 1g.24gb-me');
    expect(deriveGpuInstanceProfileName(0xf, 1, 24192)).toBe('MIG 1g.24gb+me.all');
    expect(deriveGpuInstanceProfileName(0xa, 1, 24192)).toBe('MIG 1g.24gb+gfx');
  });
});

describe('withDriverName (the real driver 580 leaves the v3 name empty)', () => {
  const v3 = { structVersion: 3, name: '' as string | null, id: 19 };
  it('asks the v2 struct for the name when the v3 one is empty', async () => {
    const got = await withDriverName(v3, async () => ({ structVersion: 2, name: 'MIG 1g.10gb', id: 19 }));
    expect(got).toEqual({ structVersion: 3, name: 'MIG 1g.10gb', id: 19 });
  });
  it('null (derive) when v2 has no name or fails', async () => {
    expect((await withDriverName(v3, async () => ({ ...v3, structVersion: 2 }))).name).toBeNull();
    expect((await withDriverName(v3, () => Promise.reject(new Error('x')))).name).toBeNull();
  });
  it('keeps a name it has, and never asks again for v1/v2 answers', async () => {
    let asked = 0;
    const ask = async () => {
      asked++;
      return v3;
    };
    expect(await withDriverName({ structVersion: 3, name: 'MIG 3g.40gb' }, ask)).toEqual({ structVersion: 3, name: 'MIG 3g.40gb' });
    expect((await withDriverName({ structVersion: 1, name: null }, ask)).name).toBeNull();
    expect((await withDriverName({ structVersion: 2, name: '' }, ask)).name).toBeNull();
    expect(asked).toBe(0);
  });
});
