// Every model's GPU-instance profile table, placements and compute-instance profiles, checked
// against real outputs (NVIDIA's MIG user guide, real `-lgip`/`-lgipp` captures, the real H100 of
// docs/native.md 'On a real H100'; the source of each table is in docs/mock.md, Models), copied here by
// hand: the test does not read the mock's own data files). The H100 80GB part replays what the
// real H100 answered with MIG disabled, call for call.
import { beforeAll, describe, expect, it } from 'vitest';
import { NVML, VERSION, ok, openLibrary } from './abi';

const m = openLibrary();
beforeAll(() => expect(m.init()).toBe(0));

// index, id, name, slices, instances, SMs, CE, DEC, ENC, JPEG, OFA, memory MiB (null: never captured),
// placement starts, placement size
type Row = [number, number, string, number, number, number, number, number, number, number, number, number | null, number[], number];

interface ModelRef {
  machine: string;
  board: string;
  pciDeviceId: number;
  rows: Row[];
  placementsOf1g: number[];
}

const ALL7 = [0, 1, 2, 3, 4, 5, 6];
const REFERENCE: ModelRef[] = [
  {
    machine: 'h100-80gb', board: 'NVIDIA H100 80GB HBM3', pciDeviceId: 0x233010de, placementsOf1g: ALL7,
    rows: [ // the real H100 (NVML and its `-lgip`/`-lgipp`, docs/native.md 'On a real H100')
      [0, 19, 'MIG 1g.10gb', 1, 7, 16, 1, 1, 0, 1, 0, 9984, ALL7, 1],
      [1, 14, 'MIG 2g.20gb', 2, 3, 32, 2, 2, 0, 2, 0, 20096, [0, 2, 4], 2],
      [2, 9, 'MIG 3g.40gb', 3, 2, 60, 3, 3, 0, 3, 0, 40448, [0, 4], 4],
      [3, 5, 'MIG 4g.40gb', 4, 1, 64, 4, 4, 0, 4, 0, 40448, [0], 4],
      [4, 0, 'MIG 7g.80gb', 7, 1, 132, 8, 7, 0, 7, 1, 81152, [0], 8],
      [7, 20, 'MIG 1g.10gb+me', 1, 1, 16, 1, 1, 0, 1, 1, 9984, ALL7, 1],
      [9, 15, 'MIG 1g.20gb', 1, 4, 26, 1, 1, 0, 1, 0, 20096, [0, 2, 4, 6], 2],
    ],
  },
  {
    machine: 'a100-40gb', board: 'NVIDIA A100-SXM4-40GB', pciDeviceId: 0x20b010de, placementsOf1g: ALL7,
    rows: [ // NVIDIA's MIG user guide, A100-40GB `-lgip`/`-lgipp`
      [0, 19, 'MIG 1g.5gb', 1, 7, 14, 1, 0, 0, 0, 0, 4864, ALL7, 1],
      [1, 14, 'MIG 2g.10gb', 2, 3, 28, 2, 1, 0, 0, 0, 9856, [0, 2, 4], 2],
      [2, 9, 'MIG 3g.20gb', 3, 2, 42, 3, 2, 0, 0, 0, 19968, [0, 4], 4],
      [3, 5, 'MIG 4g.20gb', 4, 1, 56, 4, 2, 0, 0, 0, 19968, [0], 4],
      [4, 0, 'MIG 7g.40gb', 7, 1, 98, 7, 5, 0, 1, 1, 40192, [0], 8],
      [7, 20, 'MIG 1g.5gb+me', 1, 1, 14, 1, 1, 0, 1, 1, 4864, ALL7, 1],
      [9, 15, 'MIG 1g.10gb', 1, 4, 14, 1, 1, 0, 0, 0, 9856, [0, 2, 4, 6], 2],
    ],
  },
  {
    machine: 'a100-80gb', board: 'NVIDIA A100-SXM4-80GB', pciDeviceId: 0x20b210de, placementsOf1g: ALL7,
    rows: [ // a real A100-80GB `-lgip` (docs/mock.md, Models)
      [0, 19, 'MIG 1g.10gb', 1, 7, 14, 1, 0, 0, 0, 0, 9728, ALL7, 1],
      [1, 14, 'MIG 2g.20gb', 2, 3, 28, 2, 1, 0, 0, 0, 19968, [0, 2, 4], 2],
      [2, 9, 'MIG 3g.40gb', 3, 2, 42, 3, 2, 0, 0, 0, 40192, [0, 4], 4],
      [3, 5, 'MIG 4g.40gb', 4, 1, 56, 4, 2, 0, 0, 0, 40192, [0], 4],
      [4, 0, 'MIG 7g.80gb', 7, 1, 98, 7, 5, 0, 1, 1, 80640, [0], 8], // 78.75 GiB: a real board on driver 550
      [7, 20, 'MIG 1g.10gb+me', 1, 1, 14, 1, 1, 0, 1, 1, 9728, ALL7, 1],
      [9, 15, 'MIG 1g.20gb', 1, 4, 14, 1, 1, 0, 0, 0, 19968, [0, 2, 4, 6], 2],
    ],
  },
  {
    machine: 'h100-94gb', board: 'NVIDIA H100 NVL', pciDeviceId: 0x232110de, placementsOf1g: ALL7,
    rows: [ // a real H100 NVL `-lgip`/`-lgipp` (driver 560)
      [0, 19, 'MIG 1g.12gb', 1, 7, 16, 1, 1, 0, 1, 0, 11008, ALL7, 1],
      [1, 14, 'MIG 2g.24gb', 2, 3, 32, 2, 2, 0, 2, 0, 22144, [0, 2, 4], 2],
      [2, 9, 'MIG 3g.47gb', 3, 2, 60, 3, 3, 0, 3, 0, 47488, [0, 4], 4],
      [3, 5, 'MIG 4g.47gb', 4, 1, 64, 4, 4, 0, 4, 0, 47488, [0], 4],
      [4, 0, 'MIG 7g.94gb', 7, 1, 132, 8, 7, 0, 7, 1, 95360, [0], 8],
      [7, 20, 'MIG 1g.12gb+me', 1, 1, 16, 1, 1, 0, 1, 1, 11008, ALL7, 1],
      [9, 15, 'MIG 1g.24gb', 1, 4, 26, 1, 1, 0, 1, 0, 22144, [0, 2, 4, 6], 2],
    ],
  },
  {
    machine: 'h200', board: 'NVIDIA H200', pciDeviceId: 0x233510de, placementsOf1g: ALL7,
    rows: [ // the real H200 SXM on driver 580.159.04 (NVML and `-lgip`/`-lgipp`, docs/real-captures/h200-580)
      [0, 19, 'MIG 1g.18gb', 1, 7, 16, 1, 1, 0, 1, 0, 16384, ALL7, 1],
      [1, 14, 'MIG 2g.35gb', 2, 3, 32, 2, 2, 0, 2, 0, 33280, [0, 2, 4], 2],
      [2, 9, 'MIG 3g.71gb', 3, 2, 60, 3, 3, 0, 3, 0, 71424, [0, 4], 4],
      [3, 5, 'MIG 4g.71gb', 4, 1, 64, 4, 4, 0, 4, 0, 71424, [0], 4],
      [4, 0, 'MIG 7g.141gb', 7, 1, 132, 8, 7, 0, 7, 1, 143360, [0], 8],
      [7, 20, 'MIG 1g.18gb+me', 1, 1, 16, 1, 1, 0, 1, 1, 16384, ALL7, 1],
      [9, 15, 'MIG 1g.35gb', 1, 4, 26, 1, 1, 0, 1, 0, 33280, [0, 2, 4, 6], 2],
    ],
  },
  {
    machine: 'a30', board: 'NVIDIA A30', pciDeviceId: 0x20b710de, placementsOf1g: [0, 1, 2, 3],
    rows: [ // a real A30 `-lgip`/`-lgipp`
      [0, 14, 'MIG 1g.6gb', 1, 4, 14, 1, 1, 0, 0, 0, 5952, [0, 1, 2, 3], 1],
      [1, 5, 'MIG 2g.12gb', 2, 2, 28, 2, 2, 0, 0, 0, 11968, [0, 2], 2],
      [3, 0, 'MIG 4g.24gb', 4, 1, 56, 4, 4, 0, 1, 1, 24000, [0], 4],
      [7, 21, 'MIG 1g.6gb+me', 1, 1, 14, 1, 1, 0, 1, 1, 5952, [0, 1, 2, 3], 1],
      [8, 6, 'MIG 2g.12gb+me', 2, 1, 28, 2, 2, 0, 1, 1, 11968, [0, 2], 2],
    ],
  },
];

// Which indices below the end are NOT_SUPPORTED, and that the list ends (INVALID_ARGUMENT) at 0x11,
// was captured on the real H100 80GB and H200 (driver 580.159.04); for the other models it is
// INFERRED from those two, so a failure against a capture of them points at this guess.
const LIST_END_CAPTURED = new Set(['h100-80gb', 'h200']);
const listEnd = (machine: string) => (LIST_END_CAPTURED.has(machine) ? 'captured' : 'INFERRED from the real H100 and H200');

describe.each(REFERENCE)('$machine profile table', (ref) => {
  let dev: bigint;
  beforeAll(() => {
    expect(m.control({ cmd: 'reset', machine: ref.machine }).ok).toBe(true);
    dev = ok(m.device(0));
  });

  it('identifies the board', () => {
    expect(ok(m.name(dev))).toBe(ref.board);
    expect(ok(m.pci(dev))!.pciDeviceId >>> 0).toBe(ref.pciDeviceId);
  });

  it(`answers every profile index below 0x11: rows present, NOT_SUPPORTED for the rest (${listEnd(ref.machine)})`, () => {
    const present = new Map(ref.rows.map((r) => [r[0], r]));
    for (let index = 0; index < 0x11; index++) {
      const v1 = m.giProfile(dev, index);
      const v2 = m.giProfileV(dev, index, VERSION.giV2);
      const row = present.get(index);
      if (!row) {
        expect([index, v1.ret, v2.ret], `NOT_SUPPORTED index: ${listEnd(ref.machine)}`).toEqual([index, NVML.NOT_SUPPORTED, NVML.NOT_SUPPORTED]);
        continue;
      }
      const [, id, name, slices, instances, sms, ce, dec, enc, jpeg, ofa, mem] = row;
      const want = {
        id, isP2pSupported: 0, sliceCount: slices, instanceCount: instances, multiprocessorCount: sms,
        copyEngineCount: ce, decoderCount: dec, encoderCount: enc, jpegCount: jpeg, ofaCount: ofa,
      };
      const got = ok(v1)!;
      expect({ ...got, memorySizeMB: undefined }).toEqual({ ...want, memorySizeMB: undefined });
      if (mem !== null) expect(Number(got.memorySizeMB)).toBe(mem);
      const g2 = ok(v2)!;
      expect(g2.name).toBe(name);
      expect(g2.id).toBe(id);
      expect(Number(g2.memorySizeMB)).toBe(Number(got.memorySizeMB));
      const g3 = ok(m.giProfileV(dev, index, VERSION.giV3))!;
      // the real driver leaves the v3 name empty (the v2 struct has it)
      expect([g3.name, g3.id, g3.sliceCount, g3.multiprocessorCount, g3.capabilities]).toEqual(['', id, slices, sms, 0]);
      expect(ok(m.giProfileByIdV(dev, id))!.name).toBe(name);
    }
  });

  it(`the profile list ends with INVALID_ARGUMENT from index 0x11 (${listEnd(ref.machine)})`, () => {
    for (const index of [0x11, 0x12, 1000]) {
      expect([index, m.giProfile(dev, index).ret, m.giProfileV(dev, index).ret], listEnd(ref.machine)).toEqual([index, NVML.INVALID_ARGUMENT, NVML.INVALID_ARGUMENT]);
    }
  });

  it('lists the placements of every profile id on the memory-slot grid', () => {
    for (const [, id, , , , , , , , , , , starts, size] of ref.rows) {
      expect([id, ok(m.giPlacements(dev, id))]).toEqual([id, starts.map((start) => ({ start, size }))]);
    }
  });

  it('reports the full capacity of an empty GPU', () => {
    for (const [, id, , , instances] of ref.rows) expect([id, ok(m.giCapacity(dev, id))]).toEqual([id, instances]);
  });
});

describe('H100 80GB with MIG disabled answers as the real one did (docs/native.md, On a real H100)', () => {
  let dev: bigint;
  beforeAll(() => {
    m.control({ cmd: 'reset', machine: 'h100-80gb' });
    dev = ok(m.device(0));
  });

  it('mode 0/0, max MIG devices 0, versions', () => {
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 0, pending: 0 });
    expect(ok(m.maxMig(dev))).toBe(0);
    expect(ok(m.driverVersion())).toBe('580.159.04');
    expect(ok(m.nvmlVersion())).toBe('13.580.159.04');
    expect(ok(m.cudaVersion())).toBe(13000);
  });

  it('remaining capacity 19→7, 14→3, 9→2, 5→1, 0→1, 20→1, 15→4', () => {
    const want: Record<number, number> = { 19: 7, 14: 3, 9: 2, 5: 1, 0: 1, 20: 1, 15: 4 };
    for (const [id, n] of Object.entries(want)) expect(ok(m.giCapacity(dev, Number(id)))).toBe(n);
  });

  it('creating and listing GPU instances is NOT_SUPPORTED while MIG is off', () => {
    expect(m.createGi(dev, 19).ret).toBe(NVML.NOT_SUPPORTED);
    expect(m.gis(dev, 19).ret).toBe(NVML.NOT_SUPPORTED);
    expect(m.giById(dev, 7).ret).toBe(NVML.NOT_SUPPORTED);
    expect(m.migByIndex(dev, 0).ret).toBe(NVML.NOT_SUPPORTED);
  });

  it('field 184 (resetless MIG) and 199 (MIG query with MIG disabled)', () => {
    expect(ok(m.fieldValues(dev, [184, 199]))).toEqual([
      { fieldId: 184, nvmlReturn: 0, value: 1 },
      { fieldId: 199, nvmlReturn: 0, value: 1 },
    ]);
  });

  it('a wrong version word is INVALID_ARGUMENT for the V calls', () => {
    expect(m.giProfileV(dev, 0, 0x01000030).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.giProfileByIdV(dev, 19, 0).ret).toBe(NVML.INVALID_ARGUMENT);
  });
});

describe('compute-instance profiles (real A100 -lcip)', () => {
  // GI profile id -> [CI index, instances, SMs, name, default] ; index 2 (3c) absent in a 4g GI
  const A100: Record<number, [number, number, number, string, boolean][]> = {
    19: [[0, 1, 14, 'MIG 1g.5gb', true]],
    14: [[0, 2, 14, 'MIG 1c.2g.10gb', false], [1, 1, 28, 'MIG 2g.10gb', true]],
    9: [[0, 3, 14, 'MIG 1c.3g.20gb', false], [1, 1, 28, 'MIG 2c.3g.20gb', false], [2, 1, 42, 'MIG 3g.20gb', true]],
    5: [[0, 4, 14, 'MIG 1c.4g.20gb', false], [1, 2, 28, 'MIG 2c.4g.20gb', false], [3, 1, 56, 'MIG 4g.20gb', true]],
    0: [[0, 7, 14, 'MIG 1c.7g.40gb', false], [1, 3, 28, 'MIG 2c.7g.40gb', false], [2, 2, 42, 'MIG 3c.7g.40gb', false],
      [3, 1, 56, 'MIG 4c.7g.40gb', false], [4, 1, 98, 'MIG 7g.40gb', true]],
  };

  it.each(Object.entries(A100))('A100-40GB GI profile %s', (giProfile, rows) => {
    m.control({ cmd: 'reset', machine: 'a100-40gb' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    expect(m.control({ cmd: 'gpuReset', gpu: 0 }).ok).toBe(true);
    const gi = ok(m.createGi(dev, Number(giProfile)));
    const offered = new Map(rows.map((r) => [r[0], r]));
    for (let index = 0; index < 9; index++) {
      const r = m.ciProfile(gi, index);
      const row = offered.get(index);
      if (!row) {
        expect([index, r.ret]).toEqual([index, NVML.NOT_SUPPORTED]);
        continue;
      }
      const v = ok(r)!;
      expect([v.id, v.instanceCount, v.multiprocessorCount]).toEqual([row[0], row[1], row[2]]);
      expect(ok(m.ciProfileV(gi, index))!.name).toBe(row[3]);
      expect(ok(m.ciCapacity(gi, index))).toBe(row[1]);
    }
    expect(m.ciProfile(gi, 9).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.ciProfile(gi, 0, 1).ret).toBe(NVML.INVALID_ARGUMENT); // engine profile must be SHARED
    expect(m.ciProfileV(gi, 0, 0x01000024).ret).toBe(NVML.INVALID_ARGUMENT);
  });

  it('CI engines are the GI shared engines: 3g.20gb DEC 2, CE 3', () => {
    m.control({ cmd: 'reset', machine: 'a100-40gb' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    m.control({ cmd: 'gpuReset', gpu: 0 });
    const gi = ok(m.createGi(dev, 9));
    const p = ok(m.ciProfile(gi, 0))!;
    expect([p.sharedDecoderCount, p.sharedCopyEngineCount]).toEqual([2, 3]);
  });

  it('H100: the full-GI CI has the GI SMs (3g.40gb: 60) and is named like the GI (INFERRED: Hopper CI profiles and CI placements were never captured)', () => {
    m.control({ cmd: 'reset', machine: 'h100-80gb' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    const gi = ok(m.createGi(dev, 9));
    const full = ok(m.ciProfileV(gi, 2))!;
    expect([full.name, full.multiprocessorCount], 'INFERRED: full-GI CI SMs = GI SMs').toEqual(['MIG 3g.40gb', 60]);
    expect(ok(m.ciProfileV(gi, 0))!.name).toBe('MIG 1c.3g.40gb');
    expect(ok(m.ciPlacements(gi, 0)), "INFERRED: go-nvml mock's CI placements").toEqual([{ start: 0, size: 1 }, { start: 1, size: 1 }, { start: 2, size: 1 }]);
  });
});
