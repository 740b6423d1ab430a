// The mock's `h200` model against a real H200 SXM (driver 580.159.04, MIG disabled, read-only): every
// answer recorded in docs/real-captures/h200-580/recon.json is replayed on the mock, call for call, and
// the mock's `mig -lgip`/`-lgipp` must print what the real nvidia-smi printed (smi-mig.txt).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NVML, VERSION, ok, openLibrary } from './abi';
import { Sim } from '../cli/helpers';

const DIR = join(__dirname, '../../docs/real-captures/h200-580');
const real = JSON.parse(readFileSync(join(DIR, 'recon.json'), 'utf8'));
const smi = readFileSync(join(DIR, 'smi-mig.txt'), 'utf8');

const m = openLibrary();
let dev: bigint;
beforeAll(() => {
  expect(m.init()).toBe(0);
  expect(m.control({ cmd: 'reset', machine: 'h200' }).ok).toBe(true);
  dev = ok(m.device(0));
});

describe('h200 replays the real H200 on driver 580', () => {
  it('board: name, PCI device and subsystem ids, memory total and reserved, versions', () => {
    expect(ok(m.name(dev))).toBe(real.name);
    const pci = ok(m.pci(dev))!;
    expect((pci.pciDeviceId >>> 0).toString(16).padStart(8, '0')).toBe(real.pci.deviceId.slice(2));
    expect((pci.pciSubSystemId >>> 0).toString(16).padStart(8, '0')).toBe(real.pci.subsys.slice(2));
    const mem = ok(m.memoryV2(dev))!;
    expect([Number(mem.total), Number(mem.reserved)]).toEqual([real.mem_v2.total, real.mem_v2.reserved]);
    expect(ok(m.driverVersion())).toBe(real.driver);
    expect(ok(m.nvmlVersion())).toBe(real.nvml);
    expect(m.migMode(dev)).toEqual({ ret: real.migMode[0], current: real.migMode[1], pending: real.migMode[2] });
    expect(ok(m.maxMig(dev))).toBe(real.maxMig[1]);
  });

  it('every profile index: return codes, v1 fields, v2 name, placements, remaining capacity', () => {
    expect(real.giProfiles.length).toBe(20);
    for (const p of real.giProfiles) {
      const v1 = m.giProfile(dev, p.index);
      const v2 = m.giProfileV(dev, p.index, VERSION.giV2);
      expect([p.index, v1.ret, v2.ret]).toEqual([p.index, p.r1, p.r2]);
      if (p.r1 !== 0) continue;
      const g = v1.value!;
      const [id, p2p, slices, instances, sms, ce, dec, enc, jpeg, ofa, mem] = p.v1;
      expect([p.index, g.id, g.isP2pSupported, g.sliceCount, g.instanceCount, g.multiprocessorCount, g.copyEngineCount,
        g.decoderCount, g.encoderCount, g.jpegCount, g.ofaCount, Number(g.memorySizeMB)])
        .toEqual([p.index, id, p2p, slices, instances, sms, ce, dec, enc, jpeg, ofa, mem]);
      expect(v2.value!.name).toBe(p.v2name);
      const [pret, ...slots] = p.placements;
      const got = m.giPlacements(dev, id);
      expect([id, got.ret]).toEqual([id, pret]);
      expect([id, got.value]).toEqual([id, slots.map(([start, size]: number[]) => ({ start, size }))]);
      const cap = m.giCapacity(dev, id);
      expect([id, cap.ret, cap.value]).toEqual([id, p.remaining[0], p.remaining[1]]);
      // the driver leaves the v3 name empty
      expect(ok(m.giProfileByIdV(dev, id, VERSION.giV3))!.name).toBe(p.v3name);
    }
    expect(real.giProfiles.filter((p: { r1: number }) => p.r1 === NVML.NOT_SUPPORTED).map((p: { index: number }) => p.index))
      .toEqual([5, 6, 8, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('nvml-mig mig -lgip and -lgipp print what the real nvidia-smi printed', () => {
    const section = (cmd: string) => {
      const start = smi.indexOf(`+ nvidia-smi mig ${cmd}\n`) + `+ nvidia-smi mig ${cmd}\n`.length;
      return smi.slice(start, smi.indexOf('+ echo', start));
    };
    const sim = new Sim('h200');
    expect(sim.run('mig', '-lgip').stdout).toBe(section('-lgip'));
    expect(sim.run('mig', '-lgipp').stdout).toBe(section('-lgipp'));
  });
});
