// nvidia-smi's human formats (580-era driver), as pure functions over plain rows. Column
// positions come from real captures (see docs/cli.md): numbers are right-aligned to the column
// where nvidia-smi ends them, words and memory start where nvidia-smi starts them.

import type { Placement } from '../types.js';

type Field = [column: number, text: string | number, align: 'l' | 'r'];

/**
 * One table line: `|` at 0 and at width-1, each field left-aligned from its column ('l') or
 * right-aligned to end at it ('r'). A field that would overlap the previous one is pushed
 * right to stand one space after it, so long values never swallow a neighbour.
 */
function tableLine(width: number, fields: Field[]): string {
  let s = '|';
  for (const [col, value, align] of fields) {
    const text = String(value);
    const start = align === 'l' ? col : col - text.length + 1;
    s += start >= s.length ? ' '.repeat(start - s.length) : ' ';
    s += text;
  }
  return s.length < width - 1 ? s + ' '.repeat(width - 1 - s.length) + '|' : s + ' |';
}

function border(width: number, ch = '-'): string {
  const edge = ch === '=' ? '|' : '+';
  return edge + ch.repeat(width - 2) + edge;
}

/** A whole table: top border, title, column heads, then each entry's lines closed by a border. */
function table(width: number, title: string, head: string[], entries: Field[][][]): string {
  const out = [border(width), tableLine(width, [[2, title, 'l']]), ...head, border(width, '=')];
  for (const entry of entries) out.push(...entry.map((fields) => tableLine(width, fields)), border(width));
  return out.join('\n') + '\n';
}

/** `%2d`, the way nvidia-smi prints ids in messages ("GPU  0", "ID  9"). */
export function pad2(n: number): string {
  return String(n).padStart(2, ' ');
}

/**
 * MiB to nvidia-smi's GiB with two decimals. printf rounds an exact tie to even (19.625 → "19.62",
 * 46.375 → "46.38"); toFixed would round it up, so the hundredths are rounded here.
 */
export function gib(mib: number): string {
  const hundredths = (mib * 100) / 1024;
  const floor = Math.floor(hundredths);
  const frac = hundredths - floor;
  const n = frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/** `{0,2,4}:2`; placements of several sizes (never seen on real GPUs) become one group per size. */
export function formatPlacements(placements: Placement[]): string {
  const bySize = new Map<number, number[]>();
  for (const p of placements) {
    const starts = bySize.get(p.size) ?? [];
    starts.push(p.start);
    bySize.set(p.size, starts);
  }
  return [...bySize].map(([size, starts]) => `{${starts.join(',')}}:${size}`).join(',');
}

export interface GiProfileRow {
  gpu: number;
  name: string;
  id: number;
  free: number;
  total: number;
  memoryMiB: number;
  p2p: boolean;
  sm: number;
  dec: number;
  enc: number;
  ce: number;
  jpeg: number;
  ofa: number;
}

const LGIP_WIDTH = 81;
const LGIP_HEAD = [
  '| GPU   Name               ID    Instances   Memory     P2P    SM    DEC   ENC  |',
  '|                                Free/Total   GiB              CE    JPEG  OFA  |',
];

/** `nvidia-smi mig -lgip`. */
export function formatGiProfiles(rows: GiProfileRow[]): string {
  return table(LGIP_WIDTH, 'GPU instance profiles:', LGIP_HEAD, rows.map((r) => [
    [
      [4, r.gpu, 'r'], [7, r.name, 'l'], [28, r.id, 'r'], [34, r.free, 'r'], [35, `/${r.total}`, 'l'],
      [45, gib(r.memoryMiB), 'l'], [56, r.p2p ? 'Yes' : 'No', 'l'], [63, r.sm, 'l'], [70, r.dec, 'l'], [76, r.enc, 'l'],
    ],
    [[64, r.ce, 'r'], [70, r.jpeg, 'l'], [76, r.ofa, 'l']],
  ]));
}

export interface GiPlacementRow {
  gpu: number;
  profileId: number;
  placements: Placement[];
}

/** `nvidia-smi mig -lgipp`: "Placement :" for one placement, "Placements:" for several. */
export function formatGiPlacements(rows: GiPlacementRow[]): string {
  return rows
    .map((r) => `GPU ${pad2(r.gpu)} Profile ID ${pad2(r.profileId)} ${r.placements.length === 1 ? 'Placement :' : 'Placements:'} ${formatPlacements(r.placements)}\n`)
    .join('');
}

export interface GiRow {
  gpu: number;
  name: string;
  profileId: number;
  id: number;
  placement: Placement;
}

const LGI_WIDTH = 59;
const LGI_HEAD = [
  '| GPU   Name               Profile  Instance   Placement  |',
  '|                            ID       ID       Start:Size |',
];

/** `nvidia-smi mig -lgi`. */
export function formatGpuInstances(rows: GiRow[]): string {
  return table(LGI_WIDTH, 'GPU instances:', LGI_HEAD, rows.map((r) => [
    [[4, r.gpu, 'r'], [7, r.name, 'l'], [30, r.profileId, 'r'], [39, r.id, 'r'], [50, `${r.placement.start}:${r.placement.size}`, 'l']],
  ]));
}

export interface CiRow {
  gpu: number;
  gi: number;
  name: string;
  profileId: number;
  id: number;
  placement: Placement;
}

const LCI_WIDTH = 70;
const LCI_HEAD = [
  '| GPU     GPU       Name             Profile   Instance   Placement  |',
  '|       Instance                       ID        ID       Start:Size |',
  '|         ID                                                         |',
];

/** `nvidia-smi mig -lci` (the 580 driver's 70-column table). */
export function formatComputeInstances(rows: CiRow[]): string {
  return table(LCI_WIDTH, 'Compute instances:', LCI_HEAD, rows.map((r) => [
    [
      [4, r.gpu, 'r'], [11, r.gi, 'r'], [19, r.name, 'l'], [40, r.profileId, 'r'], [50, r.id, 'r'],
      [61, `${r.placement.start}:${r.placement.size}`, 'l'],
    ],
  ]));
}

export interface CiProfileRow {
  gpu: number;
  gi: number;
  name: string;
  id: number;
  isDefault: boolean;
  free: number;
  total: number;
  sm: number;
  dec: number;
  enc: number;
  ofa: number;
  ce: number;
  jpeg: number;
}

const LCIP_WIDTH = 88;
const LCIP_HEAD = [
  '| GPU     GPU       Name             Profile  Instances   Exclusive       Shared       |',
  '|       Instance                       ID     Free/Total     SM       DEC   ENC   OFA  |',
  '|         ID                                                          CE    JPEG       |',
];

/** `nvidia-smi mig -lcip` (the 580 driver's 88-column table; '*' marks the GI's default, full-size CI profile). */
export function formatCiProfiles(rows: CiProfileRow[]): string {
  return table(LCIP_WIDTH, 'Compute instance profiles:', LCIP_HEAD, rows.map((r) => [
    [
      [4, r.gpu, 'r'], [11, r.gi, 'r'], [19, r.name, 'l'], [40, r.id, 'r'], [41, r.isDefault ? '*' : '', 'l'],
      [47, r.free, 'r'], [48, `/${r.total}`, 'l'], [61, r.sm, 'l'], [71, r.dec, 'l'], [77, r.enc, 'l'], [83, r.ofa, 'l'],
    ],
    [[71, r.ce, 'l'], [77, r.jpeg, 'l']],
  ]));
}

export interface MigDeviceLine {
  index: number;
  name: string;
  uuid: string;
}

export interface GpuLine {
  index: number;
  name: string;
  uuid: string;
  migDevices: MigDeviceLine[];
}

/** `nvidia-smi -L`: the MIG device name left-justified in 16 characters, its index `%2d`. */
export function formatGpuList(gpus: GpuLine[]): string {
  let s = '';
  for (const g of gpus) {
    s += `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`;
    for (const m of g.migDevices) s += `  ${m.name.padEnd(16)}Device ${pad2(m.index)}: (UUID: ${m.uuid})\n`;
  }
  return s;
}

// Success and failure lines of the mutating commands, word for word as nvidia-smi prints them.
export const lines = {
  createdGi: (gpu: number, gi: number, profileName: string, profileId: number): string =>
    `Successfully created GPU instance ID ${pad2(gi)} on GPU ${pad2(gpu)} using profile ${profileName} (ID ${pad2(profileId)})`,
  createdCi: (gpu: number, gi: number, ci: number, profileName: string, profileId: number): string =>
    `Successfully created compute instance ID ${pad2(ci)} on GPU ${pad2(gpu)} GPU instance ID ${pad2(gi)} using profile ${profileName} (ID ${pad2(profileId)})`,
  destroyedCi: (gpu: number, gi: number, ci: number): string =>
    `Successfully destroyed compute instance ID ${pad2(ci)} from GPU ${pad2(gpu)} GPU instance ID ${pad2(gi)}`,
  destroyedGi: (gpu: number, gi: number): string => `Successfully destroyed GPU instance ID ${pad2(gi)} from GPU ${pad2(gpu)}`,
  createGiFailed: (gpu: number, profile: string, why: string): string =>
    `Unable to create a GPU instance on GPU ${pad2(gpu)} using profile ${profile}: ${why}`,
  createGisFailed: (why: string): string => `Failed to create GPU instances: ${why}`,
  createCiFailed: (gpu: number, gi: number, profile: string, why: string): string =>
    `Unable to create a compute instance on GPU ${pad2(gpu)} GPU instance ID ${pad2(gi)} using profile ${profile}: ${why}`,
  destroyGiFailed: (gpu: number, gi: number, why: string): string =>
    `Unable to destroy GPU instance ID ${pad2(gi)} from GPU ${pad2(gpu)}: ${why}`,
  destroyCiFailed: (gpu: number, gi: number, ci: number, why: string): string =>
    `Unable to destroy compute instance ID ${pad2(ci)} from GPU ${pad2(gpu)} GPU instance ID ${pad2(gi)}: ${why}`,
  modeSet: (enable: boolean, busId: string): string => `${enable ? 'Enabled' : 'Disabled'} MIG Mode for GPU ${busId}`,
  modePending: (enable: boolean, busId: string, why: string): string =>
    `Warning: MIG mode is in pending ${enable ? 'enable' : 'disable'} state for GPU ${busId}:${why}`,
  allDone: 'All done.',
  noMigDevices: 'No MIG-enabled devices found.',
  noGpuInstances: 'No GPU instances found.',
  // What nvidia-smi 580 prints for -lgi, -lci and -lcip on a MIG-enabled GPU without GPU instances.
  noGpuInstancesListed: 'No GPU instances found: Not Found',
  noComputeInstances: 'No compute instances found.',
};
