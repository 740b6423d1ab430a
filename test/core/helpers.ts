// Shared set-up of the core suites: where the bundled mock libraries are, and the facts of a real
// H100 80GB HBM3 (docs/native.md, 'On a real H100') and of A100-40GB (NVIDIA's MIG user guide: `-lgip`, `-lgipp`, `-lcip`).
import path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(__dirname, '../..');
export const MOCK = path.join(ROOT, 'build/Release/mock/libnvidia-ml.so.1');
export const MOCK_LEGACY = path.join(ROOT, 'build/Release/mock-legacy/libnvidia-ml.so.1');

/** Resolves with the NvmlError a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, the promise resolved');
}

/** Expects `p` to reject with an NvmlError of `code`, and returns it. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<any> {
  const e = await rejection(p);
  expect(e?.name, String(e?.stack ?? e)).toBe('NvmlError');
  expect(e.code, String(e.stack)).toBe(code);
  return e;
}

export interface ProfileFact {
  index: number;
  id: number;
  name: string;
  sliceCount: number;
  instanceCount: number;
  multiprocessorCount: number;
  copyEngineCount: number;
  decoderCount: number;
  encoderCount: number;
  jpegCount: number;
  ofaCount: number;
  memorySizeMB: number;
  placements: Array<{ start: number; size: number }>;
}

const slots = (starts: number[], size: number) => starts.map((start) => ({ start, size }));

/** The real H100 (docs/native.md): index → id, name, v1 numbers, placements (MIG disabled, driver 580.159.04). */
export const H100_PROFILES: ProfileFact[] = [
  { index: 0, id: 19, name: 'MIG 1g.10gb', sliceCount: 1, instanceCount: 7, multiprocessorCount: 16, copyEngineCount: 1, decoderCount: 1, encoderCount: 0, jpegCount: 1, ofaCount: 0, memorySizeMB: 9984, placements: slots([0, 1, 2, 3, 4, 5, 6], 1) },
  { index: 1, id: 14, name: 'MIG 2g.20gb', sliceCount: 2, instanceCount: 3, multiprocessorCount: 32, copyEngineCount: 2, decoderCount: 2, encoderCount: 0, jpegCount: 2, ofaCount: 0, memorySizeMB: 20096, placements: slots([0, 2, 4], 2) },
  { index: 2, id: 9, name: 'MIG 3g.40gb', sliceCount: 3, instanceCount: 2, multiprocessorCount: 60, copyEngineCount: 3, decoderCount: 3, encoderCount: 0, jpegCount: 3, ofaCount: 0, memorySizeMB: 40448, placements: slots([0, 4], 4) },
  { index: 3, id: 5, name: 'MIG 4g.40gb', sliceCount: 4, instanceCount: 1, multiprocessorCount: 64, copyEngineCount: 4, decoderCount: 4, encoderCount: 0, jpegCount: 4, ofaCount: 0, memorySizeMB: 40448, placements: slots([0], 4) },
  { index: 4, id: 0, name: 'MIG 7g.80gb', sliceCount: 7, instanceCount: 1, multiprocessorCount: 132, copyEngineCount: 8, decoderCount: 7, encoderCount: 0, jpegCount: 7, ofaCount: 1, memorySizeMB: 81152, placements: slots([0], 8) },
  { index: 7, id: 20, name: 'MIG 1g.10gb+me', sliceCount: 1, instanceCount: 1, multiprocessorCount: 16, copyEngineCount: 1, decoderCount: 1, encoderCount: 0, jpegCount: 1, ofaCount: 1, memorySizeMB: 9984, placements: slots([0, 1, 2, 3, 4, 5, 6], 1) },
  { index: 9, id: 15, name: 'MIG 1g.20gb', sliceCount: 1, instanceCount: 4, multiprocessorCount: 26, copyEngineCount: 1, decoderCount: 1, encoderCount: 0, jpegCount: 1, ofaCount: 0, memorySizeMB: 20096, placements: slots([0, 2, 4, 6], 2) },
];
/** Indices the real H100 answered NOT_SUPPORTED. */
export const H100_UNSUPPORTED_INDICES = [5, 6, 8, 10, 11, 12, 13, 14, 15];
/** Remaining capacity with MIG disabled and nothing created, by profile id. */
export const H100_REMAINING: Record<number, number> = { 19: 7, 14: 3, 9: 2, 5: 1, 0: 1, 20: 1, 15: 4 };
export const H100_NAME = 'NVIDIA H100 80GB HBM3';
export const H100_DRIVER = '580.159.04';
export const H100_NVML = '13.580.159.04';

/** Every number of a profile object as the fact table has it. */
export function profileNumbers(p: any): Omit<ProfileFact, 'placements'> {
  return {
    index: p.index,
    id: p.id,
    name: p.name,
    sliceCount: p.sliceCount,
    instanceCount: p.instanceCount,
    multiprocessorCount: p.multiprocessorCount,
    copyEngineCount: p.copyEngineCount,
    decoderCount: p.decoderCount,
    encoderCount: p.encoderCount,
    jpegCount: p.jpegCount,
    ofaCount: p.ofaCount,
    memorySizeMB: p.memorySizeMB,
  };
}

export function withoutPlacements(f: ProfileFact): Omit<ProfileFact, 'placements'> {
  const { placements: _unused, ...rest } = f;
  return rest;
}

/** A100-40GB GI profiles (NVIDIA's MIG user guide: -lgip / -lgipp). */
export const A100_40GB_PROFILES = [
  { id: 19, name: 'MIG 1g.5gb', sliceCount: 1, multiprocessorCount: 14, memorySizeMB: 4864, instanceCount: 7 },
  { id: 20, name: 'MIG 1g.5gb+me', sliceCount: 1, multiprocessorCount: 14, memorySizeMB: 4864, instanceCount: 1 },
  { id: 15, name: 'MIG 1g.10gb', sliceCount: 1, multiprocessorCount: 14, memorySizeMB: 9856, instanceCount: 4 },
  { id: 14, name: 'MIG 2g.10gb', sliceCount: 2, multiprocessorCount: 28, memorySizeMB: 9856, instanceCount: 3 },
  { id: 9, name: 'MIG 3g.20gb', sliceCount: 3, multiprocessorCount: 42, memorySizeMB: 19968, instanceCount: 2 },
  { id: 5, name: 'MIG 4g.20gb', sliceCount: 4, multiprocessorCount: 56, memorySizeMB: 19968, instanceCount: 1 },
  { id: 0, name: 'MIG 7g.40gb', sliceCount: 7, multiprocessorCount: 98, memorySizeMB: 40192, instanceCount: 1 },
];

/** A100 CI profiles per GI (NVIDIA's MIG user guide, -lcip): id, instances, SMs; `*` = default. */
export const A100_40GB_CI_PROFILES: Record<string, Array<{ id: number; name: string; instanceCount: number; multiprocessorCount: number; isDefault: boolean }>> = {
  '3g.20gb': [
    { id: 0, name: 'MIG 1c.3g.20gb', instanceCount: 3, multiprocessorCount: 14, isDefault: false },
    { id: 1, name: 'MIG 2c.3g.20gb', instanceCount: 1, multiprocessorCount: 28, isDefault: false },
    { id: 2, name: 'MIG 3g.20gb', instanceCount: 1, multiprocessorCount: 42, isDefault: true },
  ],
  '4g.20gb': [
    { id: 0, name: 'MIG 1c.4g.20gb', instanceCount: 4, multiprocessorCount: 14, isDefault: false },
    { id: 1, name: 'MIG 2c.4g.20gb', instanceCount: 2, multiprocessorCount: 28, isDefault: false },
    { id: 3, name: 'MIG 4g.20gb', instanceCount: 1, multiprocessorCount: 56, isDefault: true },
  ],
};
