// The new models' profile tables against what NVIDIA and real boards published (hand-copied here, not read from
// mocks/models/): per row id, name, instances, SMs, CE/DEC/ENC/JPEG/OFA and memory MiB (the `-lgip` GiB x 1024) where
// a real `nvidia-smi mig -lgip` shows it, and names with instance counts where only NVIDIA's configs name them.
// Rows a model file marks [inferred] are not here.
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION, ok, openLibrary } from './abi';

const m = openLibrary();
beforeAll(() => expect(m.init()).toBe(0));

// id, name, instances, SMs, CE, DEC, ENC, JPEG, OFA, MiB
type Row = [number, string, number, number, number, number, number, number, number, number];
const PUBLISHED: Record<string, { source: string; rows: Row[]; names?: [string, number][]; placements?: Record<number, [number[], number]> }> = {
  b200: {
    source: 'real `-lgip`, NVIDIA/mig-parted PR #187 (March 2025); names of 3g/4g/7g from mig-parted config-default.yaml',
    rows: [[19, '1g.23gb', 7, 18, 2, 1, 0, 1, 0, 20992], [20, '1g.23gb+me', 1, 18, 2, 1, 0, 1, 1, 20992],
      [15, '1g.45gb', 4, 30, 2, 1, 0, 1, 0, 45312], [14, '2g.45gb', 3, 36, 4, 2, 0, 2, 0, 45312]],
    names: [['3g.90gb', 2], ['4g.90gb', 1], ['7g.180gb', 1]],
  },
  gb200: {
    source: 'real `-lgip`, NVIDIA/mig-parted issue #227 (August 2025); 3g/4g/7g names from the GPU operator config',
    rows: [[19, '1g.23gb', 7, 18, 2, 1, 0, 1, 0, 22528], [20, '1g.23gb+me', 1, 18, 2, 1, 0, 1, 1, 22528],
      [15, '1g.47gb', 4, 32, 2, 1, 0, 1, 0, 46592], [14, '2g.47gb', 3, 38, 4, 2, 0, 2, 0, 46592]],
    names: [['3g.93gb', 2], ['4g.93gb', 1], ['7g.186gb', 1]],
  },
  'gh200-144gb': {
    source: 'real `-lgip`, NVIDIA/mig-parted PR #139 (2024); 3g/4g/7g names from mig-parted config-default.yaml',
    rows: [[19, '1g.18gb', 7, 16, 1, 1, 0, 1, 0, 17920], [20, '1g.18gb+me', 1, 16, 1, 1, 0, 1, 1, 17920],
      [15, '1g.36gb', 4, 26, 1, 1, 0, 1, 0, 36096], [14, '2g.36gb', 3, 32, 2, 2, 0, 2, 0, 36096]],
    names: [['3g.72gb', 2], ['4g.72gb', 1], ['7g.144gb', 1]],
  },
  b300: {
    source: 'GPU operator config for 0x3182 as quoted in aws/sagemaker-hyperpod-cli PR #403',
    rows: [],
    names: [['1g.34gb', 7], ['1g.67gb', 4], ['2g.67gb', 3], ['3g.135gb', 2], ['4g.135gb', 1], ['7g.269gb', 1]],
  },
  'rtx-pro-6000': {
    source: 'real `-lgip`/`-lgipp` of an RTX PRO 6000 Blackwell Server Edition on driver 580 (published walkthrough)',
    rows: [[14, '1g.24gb', 4, 46, 1, 1, 1, 1, 0, 24192], [21, '1g.24gb+me', 1, 46, 1, 1, 1, 1, 1, 24192],
      [47, '1g.24gb+gfx', 4, 46, 1, 1, 1, 1, 0, 24192], [65, '1g.24gb+me.all', 1, 46, 1, 4, 4, 4, 1, 24192],
      [67, '1g.24gb-me', 4, 46, 1, 0, 0, 0, 0, 24192], [5, '2g.48gb', 2, 94, 2, 2, 2, 2, 0, 48512],
      [35, '2g.48gb+gfx', 2, 94, 2, 2, 2, 2, 0, 48512], [64, '2g.48gb+me.all', 1, 94, 2, 4, 4, 4, 1, 48512],
      [66, '2g.48gb-me', 2, 94, 2, 0, 0, 0, 0, 48512], [0, '4g.96gb', 1, 188, 4, 4, 4, 4, 1, 97408],
      [32, '4g.96gb+gfx', 1, 188, 4, 4, 4, 4, 1, 97408]],
    placements: { 14: [[0, 3, 6, 9], 3], 5: [[0, 6], 6], 0: [[0], 12] },
  },
};
const OTHER_NAMES: Record<string, [string, number][]> = { // names and counts from NVIDIA's configs only
  'h100-96gb': [['1g.12gb', 7], ['2g.24gb', 3], ['3g.48gb', 2], ['4g.48gb', 1], ['7g.96gb', 1]],
  'gh200-96gb': [['1g.12gb', 7], ['2g.24gb', 3], ['3g.48gb', 2], ['4g.48gb', 1], ['7g.96gb', 1]],
  h20: [['1g.12gb', 7], ['2g.24gb', 3], ['3g.48gb', 2]],
  'h200-nvl': [['1g.18gb', 7], ['2g.35gb', 3], ['3g.71gb', 2]],
  'h800-nvl': [['1g.12gb', 7], ['2g.24gb', 3], ['3g.47gb', 2], ['4g.47gb', 1], ['7g.94gb', 1]],
  h800: [['1g.10gb', 7], ['2g.20gb', 3], ['3g.40gb', 2], ['4g.40gb', 1], ['7g.80gb', 1]],
  'h100-pcie': [['1g.10gb', 7], ['2g.20gb', 3], ['3g.40gb', 2], ['4g.40gb', 1], ['7g.80gb', 1]],
  'a800-80gb': [['1g.10gb', 7], ['2g.20gb', 3], ['3g.40gb', 2], ['4g.40gb', 1], ['7g.80gb', 1]],
  'a100-pcie-80gb': [['1g.10gb', 7], ['2g.20gb', 3], ['3g.40gb', 2], ['4g.40gb', 1], ['7g.80gb', 1]],
  'a800-40gb': [['1g.5gb', 7], ['2g.10gb', 3], ['3g.20gb', 2], ['4g.20gb', 1], ['7g.40gb', 1]],
  'a100-pcie-40gb': [['1g.5gb', 7], ['2g.10gb', 3], ['3g.20gb', 2], ['4g.20gb', 1], ['7g.40gb', 1]],
};

function table(machine: string) {
  expect(m.control({ cmd: 'reset', machine }).ok).toBe(true);
  const dev = ok(m.device(0));
  const out = new Map<string, { id: number; v1: any }>();
  for (let index = 0; index < 0x11; index++) {
    const v2 = m.giProfileV(dev, index, VERSION.giV2);
    if (v2.ret !== 0) continue;
    out.set(v2.value!.name.replace(/^MIG /, ''), { id: v2.value!.id, v1: ok(m.giProfile(dev, index)) });
  }
  return { dev, out };
}

describe.each(Object.entries(PUBLISHED))('%s against its published table', (machine, ref) => {
  it(`rows (${ref.source})`, () => {
    const { dev, out } = table(machine);
    for (const [id, name, inst, sms, ce, dec, enc, jpeg, ofa, mem] of ref.rows) {
      const got = out.get(name);
      expect([name, got?.id]).toEqual([name, id]);
      const v = got!.v1;
      expect([name, v.instanceCount, v.multiprocessorCount, v.copyEngineCount, v.decoderCount, v.encoderCount, v.jpegCount, v.ofaCount, Number(v.memorySizeMB)])
        .toEqual([name, inst, sms, ce, dec, enc, jpeg, ofa, mem]);
    }
    for (const [name, inst] of ref.names ?? []) expect([name, out.get(name)?.v1.instanceCount]).toEqual([name, inst]);
    for (const [id, [starts, size]] of Object.entries(ref.placements ?? {})) {
      expect(ok(m.giPlacements(dev, Number(id)))).toEqual(starts.map((start) => ({ start, size })));
    }
  });
});

describe.each(Object.entries(OTHER_NAMES))('%s: the profile names NVIDIA\'s configs give it', (machine, names) => {
  it('has each with its instance count', () => {
    const { out } = table(machine);
    for (const [name, inst] of names) expect([name, out.get(name)?.v1.instanceCount]).toEqual([name, inst]);
  });
});

describe('rtx-pro-6000: all-media and no-media profiles, graphics capability', () => {
  it('a +me.all GI admits only -me GIs beside it, and the reverse; +gfx profiles carry CAPS_GFX in v3', () => {
    expect(m.control({ cmd: 'reset', machine: 'rtx-pro-6000' }).ok).toBe(true);
    const dev = ok(m.device(0));
    expect(m.setMigMode(dev, 1).status).toBe(0);
    const all = ok(m.createGi(dev, 65)); // 1g.24gb+me.all
    expect(m.createGi(dev, 14).ret).toBe(23); // 1g.24gb: INSUFFICIENT_RESOURCES
    expect(ok(m.giCapacity(dev, 14))).toBe(0);
    expect(ok(m.giCapacity(dev, 67))).toBe(3);
    ok(m.createGi(dev, 67)); // 1g.24gb-me
    expect(m.destroyGi(all)).toBe(0);
    expect(m.createGi(dev, 64).ret).toBe(0); // 2g.48gb+me.all beside a -me GI
    expect(ok(m.giProfileByIdV(dev, 47, VERSION.giV3))!.capabilities).toBe(2);
    expect(ok(m.giProfileByIdV(dev, 14, VERSION.giV3))!.capabilities).toBe(0);
  });
});
