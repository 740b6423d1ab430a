// GPU models as plain data (profiles and placements from the MIG user guide tables), for the pure planner tests
// that need no library. The mock-driven tests read the same facts through NVML instead.
import { buildModel } from '../../dist/layout/index.js';

type Row = [id: number, name: string, slices: number, count: number, memMB: number, size: number, starts: number[]];

function model(name: string, rows: Row[]) {
  return buildModel(name, rows.map(([id, shortName, sliceCount, instanceCount, memorySizeMB, size, starts]) => ({
    profile: { id, shortName, sliceCount, instanceCount, memorySizeMB },
    placements: starts.map((start) => ({ start, size })),
  })));
}

const eight = (mem: [string, string, string, string, string, string, string], mb: number[]): Row[] => [
  [19, mem[0], 1, 7, mb[0]!, 1, [0, 1, 2, 3, 4, 5, 6]],
  [20, mem[1], 1, 1, mb[0]!, 1, [0, 1, 2, 3, 4, 5, 6]],
  [15, mem[2], 1, 4, mb[1]!, 2, [0, 2, 4, 6]],
  [14, mem[3], 2, 3, mb[1]!, 2, [0, 2, 4]],
  [9, mem[4], 3, 2, mb[2]!, 4, [0, 4]],
  [5, mem[5], 4, 1, mb[2]!, 4, [0]],
  [0, mem[6], 7, 1, mb[3]!, 8, [0]],
];

export const MODELS = {
  'a30': model('NVIDIA A30', [
    [14, '1g.6gb', 1, 4, 5952, 1, [0, 1, 2, 3]],
    [21, '1g.6gb+me', 1, 1, 5952, 1, [0, 1, 2, 3]],
    [5, '2g.12gb', 2, 2, 11968, 2, [0, 2]],
    [6, '2g.12gb+me', 2, 1, 11968, 2, [0, 2]],
    [0, '4g.24gb', 4, 1, 24064, 4, [0]],
  ]),
  'a100-40gb': model('NVIDIA A100-SXM4-40GB', eight(['1g.5gb', '1g.5gb+me', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'], [4864, 9856, 19968, 40192])),
  'h100-80gb': model('NVIDIA H100 80GB HBM3', eight(['1g.10gb', '1g.10gb+me', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'], [9984, 20096, 40448, 81152])),
};
