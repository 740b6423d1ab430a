// The nvidia-smi formatters against real captures: the H100 blocks of the project's reference
// (driver 580.159.04) byte for byte, and the documented rows of the other tables.
import { describe, expect, it } from 'vitest';
import {
  formatGiProfiles, formatGiPlacements, formatGpuInstances, formatComputeInstances, formatCiProfiles,
  formatGpuList, formatPlacements, gib, lines,
} from '../../dist/cli/format.js';
import { H100_LGIP, H100_LGIPP } from './h100-capture';

const H100_PROFILES = [
  // name, id, total, MiB, SM, DEC, ENC, CE, JPEG, OFA (the real H100's NVML v1 fields, docs/native.md)
  ['MIG 1g.10gb', 19, 7, 9984, 16, 1, 0, 1, 1, 0],
  ['MIG 1g.10gb+me', 20, 1, 9984, 16, 1, 0, 1, 1, 1],
  ['MIG 1g.20gb', 15, 4, 20096, 26, 1, 0, 1, 1, 0],
  ['MIG 2g.20gb', 14, 3, 20096, 32, 2, 0, 2, 2, 0],
  ['MIG 3g.40gb', 9, 2, 40448, 60, 3, 0, 3, 3, 0],
  ['MIG 4g.40gb', 5, 1, 40448, 64, 4, 0, 4, 4, 0],
  ['MIG 7g.80gb', 0, 1, 81152, 132, 7, 0, 8, 7, 1],
] as const;

describe('nvidia-smi formats', () => {
  it('-lgip reproduces the real H100 table byte for byte', () => {
    const rows = H100_PROFILES.map(([name, id, total, mib, sm, dec, enc, ce, jpeg, ofa]) => ({
      gpu: 0, name, id, free: total, total, memoryMiB: mib, p2p: false, sm, dec, enc, ce, jpeg, ofa,
    }));
    expect(formatGiProfiles(rows)).toBe(H100_LGIP);
  });

  it('-lgipp reproduces the real H100 lines byte for byte ("Placement :" for one)', () => {
    const run = (start: number[], size: number) => start.map((s) => ({ start: s, size }));
    const rows = [
      { gpu: 0, profileId: 19, placements: run([0, 1, 2, 3, 4, 5, 6], 1) },
      { gpu: 0, profileId: 20, placements: run([0, 1, 2, 3, 4, 5, 6], 1) },
      { gpu: 0, profileId: 15, placements: run([0, 2, 4, 6], 2) },
      { gpu: 0, profileId: 14, placements: run([0, 2, 4], 2) },
      { gpu: 0, profileId: 9, placements: run([0, 4], 4) },
      { gpu: 0, profileId: 5, placements: run([0], 4) },
      { gpu: 0, profileId: 0, placements: run([0], 8) },
    ];
    expect(formatGiPlacements(rows)).toBe(H100_LGIPP);
  });

  it('-lgi uses the 59-column 580-era table', () => {
    const out = formatGpuInstances([{ gpu: 0, name: 'MIG 1g.10gb', profileId: 19, id: 7, placement: { start: 0, size: 1 } }]);
    expect(out).toBe([
      '+---------------------------------------------------------+',
      '| GPU instances:                                          |',
      '| GPU   Name               Profile  Instance   Placement  |',
      '|                            ID       ID       Start:Size |',
      '|=========================================================|',
      '|   0  MIG 1g.10gb           19        7          0:1     |',
      '+---------------------------------------------------------+',
      '',
    ].join('\n'));
  });

  it('-lci and -lcip keep every line the same width, two-digit ids right-aligned, * on the default', () => {
    const lci = formatComputeInstances([
      { gpu: 0, gi: 7, name: 'MIG 1g.10gb', profileId: 0, id: 0, placement: { start: 0, size: 1 } },
      { gpu: 1, gi: 13, name: 'MIG 1c.3g.40gb', profileId: 0, id: 2, placement: { start: 2, size: 1 } },
    ]).split('\n').filter(Boolean);
    expect(new Set(lci.map((l) => l.length))).toEqual(new Set([70]));
    expect(lci[6]).toBe('|   0      7       MIG 1g.10gb          0         0          0:1     |');
    expect(lci[8]).toBe('|   1     13       MIG 1c.3g.40gb       0         2          2:1     |');
    const lcip = formatCiProfiles([
      { gpu: 0, gi: 1, name: 'MIG 1c.3g.40gb', id: 0, isDefault: false, free: 0, total: 3, sm: 16, dec: 3, enc: 0, ofa: 0, ce: 3, jpeg: 3 },
      { gpu: 0, gi: 1, name: 'MIG 3g.40gb', id: 2, isDefault: true, free: 1, total: 1, sm: 60, dec: 3, enc: 0, ofa: 0, ce: 3, jpeg: 3 },
    ]).split('\n').filter(Boolean);
    expect(new Set(lcip.map((l) => l.length))).toEqual(new Set([88]));
    expect(lcip[6]).toBe('|   0      1       MIG 1c.3g.40gb       0      0/3           16        3     0     0   |');
    expect(lcip[9]).toBe('|   0      1       MIG 3g.40gb          2*     1/1           60        3     0     0   |');
    expect(lcip[10]).toBe('|                                                                      3     3         |');
  });

  it('-L indents MIG devices with a 16-character name field', () => {
    expect(formatGpuList([{ index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-1', migDevices: [
      { index: 0, name: 'MIG 1c.3g.40gb', uuid: 'MIG-a' }, { index: 1, name: 'MIG 1g.10gb', uuid: 'MIG-b' },
    ] }])).toBe('GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\n  MIG 1c.3g.40gb  Device  0: (UUID: MIG-a)\n  MIG 1g.10gb     Device  1: (UUID: MIG-b)\n');
  });

  it('success lines read like nvidia-smi', () => {
    expect(lines.createdGi(0, 7, 'MIG 1g.10gb', 19)).toBe('Successfully created GPU instance ID  7 on GPU  0 using profile MIG 1g.10gb (ID 19)');
    expect(lines.createdCi(0, 13, 0, 'MIG 1g.10gb', 0)).toBe('Successfully created compute instance ID  0 on GPU  0 GPU instance ID 13 using profile MIG 1g.10gb (ID  0)');
    expect(lines.destroyedCi(0, 7, 0)).toBe('Successfully destroyed compute instance ID  0 from GPU  0 GPU instance ID  7');
    expect(lines.destroyedGi(0, 7)).toBe('Successfully destroyed GPU instance ID  7 from GPU  0');
    expect(lines.modeSet(true, '00000000:07:00.0')).toBe('Enabled MIG Mode for GPU 00000000:07:00.0');
  });

  it('memory is %.2f GiB and placements group by size', () => {
    expect([9984, 20096, 47488, 95360].map(gib)).toEqual(['9.75', '19.62', '46.38', '93.12']);
    expect(formatPlacements([{ start: 0, size: 2 }, { start: 2, size: 2 }, { start: 4, size: 2 }])).toBe('{0,2,4}:2');
  });
});
