// GPU/compute instance lifecycle on the mock through the C ABI: the driver's placement choices and
// GI ids, capacity with overlaps, placement/overlap/in-use/not-found rules, MIG device handles,
// processes, and handles that go stale without ever reaching another instance.
import { beforeEach, describe, expect, it } from 'vitest';
import { NVML, ok, openLibrary, type Handle } from './abi';

const m = openLibrary();
expect(m.init()).toBe(0);

function fresh(machine: string, mig = true): Handle {
  expect(m.control({ cmd: 'reset', machine }).ok).toBe(true);
  const dev = ok(m.device(0));
  if (mig) {
    expect(m.setMigMode(dev, 1).ret).toBe(0);
    if (machine.startsWith('a')) expect(m.control({ cmd: 'gpuReset', gpu: 0 }).ok).toBe(true);
  }
  return dev;
}

const info = (gi: Handle) => ok(m.giInfo(gi))!;
const where = (gi: Handle) => {
  const i = info(gi);
  return [i.id, i.placement.start, i.placement.size];
};

describe('driver auto-placement and GI ids', () => {
  it('H100: 7x 1g.10gb gives GI 13, 11, 12, 7, 8, 9, 10 at slots 6, 4, 5, 0, 1, 2, 3; the 8th has no room', () => {
    const dev = fresh('h100-80gb');
    const got = [];
    for (let i = 0; i < 7; i++) got.push(where(ok(m.createGi(dev, 19))));
    expect(got).toEqual([[13, 6, 1], [11, 4, 1], [12, 5, 1], [7, 0, 1], [8, 1, 1], [9, 2, 1], [10, 3, 1]]);
    expect(m.createGi(dev, 19).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    expect(ok(m.giCapacity(dev, 19))).toBe(0);
  });

  it('H100 (driver 580): the first 3g.40gb goes to 4:4 as GI 2; one at 0:4 leaves 3g 1/2 and 1g 3/7', () => {
    let dev = fresh('h100-80gb');
    expect(where(ok(m.createGi(dev, 9)))).toEqual([2, 4, 4]);
    expect(ok(m.giCapacity(dev, 19))).toBe(4);
    dev = fresh('h100-80gb');
    expect(where(ok(m.createGi(dev, 9, { start: 0, size: 4 })))).toEqual([1, 0, 4]);
    expect(ok(m.giCapacity(dev, 9))).toBe(1);
    expect(ok(m.giCapacity(dev, 19))).toBe(3);
    expect(ok(m.giCapacity(dev, 5))).toBe(0);
    expect(ok(m.giCapacity(dev, 0))).toBe(0);
    expect(ok(m.giCapacity(dev, 14))).toBe(1);
    expect(ok(m.giCapacity(dev, 15))).toBe(2);
  });

  it('A100: -cgi 19,14,5 places 6:1, 4:2 and 0:4 (GI ids as drivers 515/550 number them)', () => {
    const dev = fresh('a100-40gb');
    expect([19, 14, 5].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[9, 6, 1], [3, 4, 2], [2, 0, 4]]);
  });

  it('A100: -cgi 14 then 5x 19 places 4:2, then 1g at 6, 0, 1, 2, 3', () => {
    const dev = fresh('a100-40gb');
    const got = [14, 19, 19, 19, 19, 19].map((p) => info(ok(m.createGi(dev, p))).placement.start);
    expect(got).toEqual([4, 6, 0, 1, 2, 3]);
  });

  it('A100: -cgi 19,19,14,9 fails on the 3g; -cgi 9,19,14,19 succeeds (user guide example)', () => {
    let dev = fresh('a100-40gb');
    for (const p of [19, 19, 14]) ok(m.createGi(dev, p));
    expect(m.createGi(dev, 9).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    dev = fresh('a100-40gb');
    // the guide's placements (4:4, 0, 2:2, 1), numbered as drivers 515/550 do (the guide shows 2, 7, 4, 8)
    expect([9, 19, 14, 19].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[1, 4, 4], [11, 0, 1], [6, 2, 2], [12, 1, 1]]);
  });

  it('A100 (drivers 515/550): -cgi 9,14,19 gives GI 1, 5, 13; -cgi 14,14,19 gives GI 3, 5, 9', () => {
    for (const machine of ['a100-40gb', 'a100-80gb']) {
      let dev = fresh(machine);
      expect([9, 14, 19].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[1, 4, 4], [5, 0, 2], [13, 2, 1]]);
      dev = fresh(machine);
      expect([14, 14, 19].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[3, 4, 2], [5, 0, 2], [9, 6, 1]]);
    }
  });

  it('Hopper (driver 580): -cgi 9,14 gives GI 2 at 4:4 then GI 3 at 0:2; -cgi 9,9 gives GI 2 then GI 1', () => {
    for (const machine of ['h100-80gb', 'h100-94gb', 'h200']) {
      let dev = fresh(machine);
      expect([9, 14].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[2, 4, 4], [3, 0, 2]]);
      dev = fresh(machine);
      expect([9, 9].map((p) => where(ok(m.createGi(dev, p))))).toEqual([[2, 4, 4], [1, 0, 4]]);
    }
  });

  it('Hopper (driver 580): the CI spanning a 3g GI sits at 0:4; on Ampere at 0:3', () => {
    for (const [machine, size] of [['h100-80gb', 4], ['h100-94gb', 4], ['h200', 4], ['a100-40gb', 3], ['a100-80gb', 3]] as const) {
      const dev = fresh(machine);
      const gi = ok(m.createGi(dev, 9));
      expect([machine, ok(m.ciPlacements(gi, 2))]).toEqual([machine, [{ start: 0, size }]]);
      const ci = ok(m.createCi(gi, 2));
      expect([machine, ok(m.ciInfo(ci))!.placement]).toEqual([machine, { start: 0, size }]);
      expect(m.createCi(gi, 0).ret).toBe(NVML.INSUFFICIENT_RESOURCES); // it fills the GI
    }
  });

  it('A30: four 1g.6gb at slots 0..3, GI ids 3..6; a fifth has no room', () => {
    const dev = fresh('a30');
    const ids = [0, 1, 2, 3].map(() => info(ok(m.createGi(dev, 14))).id).sort();
    expect(ids).toEqual([3, 4, 5, 6]);
    expect(m.createGi(dev, 14).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    expect(m.createGi(dev, 0).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
  });
});

describe('placement rules', () => {
  let dev: Handle;
  beforeEach(() => {
    dev = fresh('h100-80gb');
  });

  it('an explicit placement is used; overlap is INSUFFICIENT_RESOURCES; a placement not offered is INVALID_ARGUMENT', () => {
    expect(where(ok(m.createGi(dev, 9, { start: 4, size: 4 })))).toEqual([2, 4, 4]);
    expect(m.createGi(dev, 19, { start: 5, size: 1 }).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    expect(m.createGi(dev, 9, { start: 1, size: 4 }).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.createGi(dev, 9, { start: 0, size: 2 }).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.createGi(dev, 19, { start: 7, size: 1 }).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(where(ok(m.createGi(dev, 5, { start: 0, size: 4 })))).toEqual([1, 0, 4]); // 4g + 3g since R510
    expect(m.createGi(dev, 0).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
  });

  it('instance count limits: one 1g.10gb+me', () => {
    ok(m.createGi(dev, 20));
    expect(ok(m.giCapacity(dev, 20))).toBe(0);
    expect(m.createGi(dev, 20).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
  });

  it('an unknown profile id is INVALID_ARGUMENT; NULL output pointers are INVALID_ARGUMENT', () => {
    expect(m.createGi(dev, 77).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.giCapacity(dev, 77).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.giPlacements(dev, 77).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.fn.createGi(dev, 19, null)).toBe(NVML.INVALID_ARGUMENT);
    expect(m.fn.giCapacity(dev, 19, null)).toBe(NVML.INVALID_ARGUMENT);
    expect(m.fn.giProfile(dev, 0, null)).toBe(NVML.INVALID_ARGUMENT);
    expect(m.fn.createGiAt(dev, 19, null, [null])).toBe(NVML.INVALID_ARGUMENT);
  });

  it('placement list: the count with a NULL buffer, INSUFFICIENT_SIZE with a short one', () => {
    const n: [number] = [0];
    expect(m.fn.giPlacements(dev, 19, null, n)).toBe(0);
    expect(n[0]).toBe(7);
    n[0] = 3;
    expect(m.fn.giPlacements(dev, 19, Buffer.alloc(24), n)).toBe(NVML.INSUFFICIENT_SIZE);
    expect(n[0]).toBe(7);
    // NVML documents the count as output only: 0 with a buffer means "large enough"
    n[0] = 0;
    expect(m.fn.giPlacements(dev, 19, Buffer.alloc(56), n)).toBe(0);
    expect(n[0]).toBe(7);
  });
});

describe('GPU instance and compute instance lifecycle', () => {
  it('list, look up, destroy; a freed slot and its id can be used again', () => {
    const dev = fresh('h100-80gb');
    const a = ok(m.createGi(dev, 19));
    const b = ok(m.createGi(dev, 19));
    expect(ok(m.gis(dev, 19)).map((h) => info(h).id)).toEqual([11, 13]);
    expect(ok(m.gis(dev, 9))).toEqual([]);
    expect(info(ok(m.giById(dev, 11))).id).toBe(11);
    expect(m.giById(dev, 3).ret).toBe(NVML.NOT_FOUND);
    expect(m.destroyGi(a)).toBe(0);
    expect(m.giById(dev, 13).ret).toBe(NVML.NOT_FOUND);
    // the driver fills the half-used 2-slot block (4,5) before the freed slot 6
    expect(where(ok(m.createGi(dev, 19)))).toEqual([12, 5, 1]);
    expect(where(ok(m.createGi(dev, 19, { start: 6, size: 1 })))).toEqual([13, 6, 1]);
    expect(m.destroyGi(b)).toBe(0);
  });

  it('a GI with compute instances, or with processes, cannot be destroyed (IN_USE)', () => {
    const dev = fresh('h100-80gb');
    const gi = ok(m.createGi(dev, 9)); // GI 2
    const ci1 = ok(m.createCi(gi, 0));
    const ci2 = ok(m.createCi(gi, 0));
    expect(m.destroyGi(gi)).toBe(NVML.IN_USE);
    expect(m.control({ cmd: 'addProcess', gpu: 0, pid: 4242, gi: 2, ci: 1, usedMemoryMiB: 512 }).ok).toBe(true);
    expect(m.destroyCi(ci2)).toBe(NVML.IN_USE);
    expect(m.destroyCi(ci1)).toBe(0);
    expect(m.destroyGi(gi)).toBe(NVML.IN_USE);
    expect(m.control({ cmd: 'removeProcess', pid: 4242 })).toEqual({ ok: true, removed: 1 });
    expect(m.destroyCi(ci2)).toBe(0);
    expect(m.destroyGi(gi)).toBe(0);
  });

  it('CIs: ids, placements inside the GI, capacity with overlaps, explicit placement rules', () => {
    const dev = fresh('h100-80gb');
    const gi = ok(m.createGi(dev, 0)); // 7g.80gb
    const c2 = ok(m.createCi(gi, 1, { start: 2, size: 2 }));
    expect(ok(m.ciInfo(c2))).toMatchObject({ id: 0, profileId: 1, placement: { start: 2, size: 2 } });
    expect(ok(m.ciCapacity(gi, 1))).toBe(2); // 2c at 0:2 and 4:2 remain
    expect(ok(m.ciCapacity(gi, 2))).toBe(1); // 3c at 4:3
    expect(ok(m.ciCapacity(gi, 4))).toBe(0);
    expect(m.createCi(gi, 1, { start: 3, size: 2 }).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.createCi(gi, 2, { start: 0, size: 3 }).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    const c1 = ok(m.createCi(gi, 0));
    expect(ok(m.ciInfo(c1))).toMatchObject({ id: 1, placement: { start: 0, size: 1 } });
    expect(m.createCi(gi, 9).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(ok(m.cis(gi, 0)).length).toBe(1);
    expect(ok(m.ciById(gi, 0))).toBe(c2);
    expect(m.ciById(gi, 5).ret).toBe(NVML.NOT_FOUND);
    const ci = ok(m.ciInfo(c1))!;
    expect(ci.gpuInstance).toBe(gi);
  });

  it('the full-GI CI fills a 1g GI: a second one has no room', () => {
    const dev = fresh('h100-80gb');
    const gi = ok(m.createGi(dev, 19));
    ok(m.createCi(gi, 0));
    expect(m.createCi(gi, 0).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    expect(ok(m.ciCapacity(gi, 0))).toBe(0);
  });
});

describe('MIG devices', () => {
  it('handles by index in (GI id, CI id) order; NOT_FOUND past the last, INVALID_ARGUMENT past the max', () => {
    const dev = fresh('h100-80gb');
    const small = ok(m.createGi(dev, 19)); // GI 13
    const big = ok(m.createGi(dev, 9)); // GI 1 at 0:4
    ok(m.createCi(small, 0));
    ok(m.createCi(big, 0));
    ok(m.createCi(big, 0));
    expect(ok(m.maxMig(dev))).toBe(7);
    const ids = [0, 1, 2].map((i) => {
      const h = ok(m.migByIndex(dev, i));
      return [ok(m.giId(h)), ok(m.ciId(h)), ok(m.index(h)), ok(m.name(h))];
    });
    expect(ids).toEqual([
      [1, 0, 0, 'NVIDIA H100 80GB HBM3 MIG 1c.3g.40gb'],
      [1, 1, 1, 'NVIDIA H100 80GB HBM3 MIG 1c.3g.40gb'],
      [13, 0, 2, 'NVIDIA H100 80GB HBM3 MIG 1g.10gb'],
    ]);
    expect(m.migByIndex(dev, 3).ret).toBe(NVML.NOT_FOUND);
    expect(m.migByIndex(dev, 7).ret).toBe(NVML.INVALID_ARGUMENT);
  });

  it('UUIDs look like version-5 UUIDs, are stable for (GPU, GI, CI) across destroy/recreate, and resolve', () => {
    const dev = fresh('h100-80gb');
    let gi = ok(m.createGi(dev, 19));
    let ci = ok(m.createCi(gi, 0));
    const mig = ok(m.migByIndex(dev, 0));
    const uuid = ok(m.uuid(mig));
    expect(uuid).toMatch(/^MIG-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ok(m.isMig(mig))).toBe(1);
    expect(ok(m.isMig(dev))).toBe(0);
    expect(ok(m.parent(mig))).toBe(dev);
    expect(ok(m.byUuid(uuid))).toBe(mig);
    expect(ok(m.byUuid(ok(m.uuid(dev))))).toBe(dev);
    expect(m.byUuid('MIG-00000000-0000-5000-8000-000000000000').ret).toBe(NVML.NOT_FOUND);
    expect(m.destroyCi(ci)).toBe(0);
    expect(m.destroyGi(gi)).toBe(0);
    expect(m.uuid(mig).ret).toBe(NVML.INVALID_ARGUMENT); // stale MIG handle
    gi = ok(m.createGi(dev, 19));
    ci = ok(m.createCi(gi, 0));
    const again = ok(m.migByIndex(dev, 0));
    expect(again).not.toBe(mig); // handles are never reused
    expect(ok(m.uuid(again))).toBe(uuid);
    expect(ok(m.ciInfo(ci))!.device).toBe(dev); // "Parent device": the GPU, not the MIG device
  });

  it('memory and attributes per MIG device; attributes are MIG-only', () => {
    const dev = fresh('h100-80gb');
    const gi = ok(m.createGi(dev, 9));
    ok(m.createCi(gi, 2));
    const mig = ok(m.migByIndex(dev, 0));
    expect(Number(ok(m.memory(mig))!.total)).toBe(40448 * 1024 * 1024);
    const a = ok(m.attributes(mig))!;
    // INFERRED: MIG device attributes of a Hopper GPU were never captured (CI SMs = GI SMs assumed).
    expect({ ...a, memorySizeMB: Number(a.memorySizeMB) }, 'INFERRED values (Hopper MIG device attributes)').toEqual({
      multiprocessorCount: 60, sharedCopyEngineCount: 3, sharedDecoderCount: 3, sharedEncoderCount: 0,
      sharedJpegCount: 3, sharedOfaCount: 0, gpuInstanceSliceCount: 3, computeInstanceSliceCount: 3, memorySizeMB: 40448,
    });
    expect(m.attributes(dev).ret).toBe(NVML.NOT_SUPPORTED);
    expect(m.giId(dev).ret).toBe(NVML.NOT_SUPPORTED);
    expect(m.utilization(dev).ret).toBe(NVML.NOT_SUPPORTED); // not with MIG on
    expect(m.migMode(mig).ret).toBe(NVML.NOT_SUPPORTED);
  });
});

describe('processes', () => {
  it('two-call protocol; GI/CI ids 0xFFFFFFFF with MIG off', () => {
    const dev = fresh('a100-40gb', false);
    expect(m.processes(dev)).toEqual({ ret: 0, value: [], firstRet: 0 });
    m.control({ cmd: 'addProcess', gpu: 0, pid: 100, name: 'python', usedMemoryMiB: 1024 });
    m.control({ cmd: 'addProcess', gpu: 0, pid: 101, usedMemoryMiB: 2048 });
    const r = m.processes(dev);
    expect(r.firstRet).toBe(NVML.INSUFFICIENT_SIZE);
    expect(r.value).toEqual([
      { pid: 100, usedGpuMemory: 1024 * 1048576, gpuInstanceId: 0xffffffff, computeInstanceId: 0xffffffff },
      { pid: 101, usedGpuMemory: 2048 * 1048576, gpuInstanceId: 0xffffffff, computeInstanceId: 0xffffffff },
    ]);
    const n: [number] = [1];
    expect(m.processesRaw(dev, n, Buffer.alloc(24))).toBe(NVML.INSUFFICIENT_SIZE);
    expect(n[0]).toBe(2);
    expect(Number(ok(m.memory(dev))!.used)).toBe(3072 * 1048576);
    expect(ok(m.utilization(dev))!.gpu).toBeGreaterThan(0);
  });

  it('per MIG device with GI/CI ids; the GPU lists them all', () => {
    const dev = fresh('h100-80gb');
    const gi = ok(m.createGi(dev, 9)); // GI 2
    ok(m.createCi(gi, 0));
    ok(m.createCi(gi, 0));
    m.control({ cmd: 'addProcess', gpu: 0, pid: 7, gi: 2, ci: 1, usedMemoryMiB: 10 });
    const d0 = ok(m.migByIndex(dev, 0));
    const d1 = ok(m.migByIndex(dev, 1));
    expect(m.processes(d0).value).toEqual([]);
    expect(m.processes(d1).value).toEqual([{ pid: 7, usedGpuMemory: 10 * 1048576, gpuInstanceId: 2, computeInstanceId: 1 }]);
    expect(m.processes(dev).value.map((p) => p.pid)).toEqual([7]);
    // CIs of one GI share its memory
    expect(Number(ok(m.memory(d0))!.used)).toBe(10 * 1048576);
  });

  it('the control channel refuses processes that cannot exist', () => {
    const dev = fresh('h100-80gb');
    void dev;
    expect(m.control({ cmd: 'addProcess', gpu: 0, pid: 1 }).ok).toBe(false); // MIG on: needs gi/ci
    expect(m.control({ cmd: 'addProcess', gpu: 0, pid: 1, gi: 1, ci: 0 }).ok).toBe(false); // no such CI
    expect(m.control({ cmd: 'addProcess', gpu: 3, pid: 1 }).ok).toBe(false);
    expect(m.control({ cmd: 'removeProcess', pid: 99 }).ok).toBe(false);
  });
});

describe('handles', () => {
  it('garbage, NULL and stale handles are INVALID_ARGUMENT, never a crash', () => {
    const dev = fresh('h100-80gb');
    for (const bad of [0n, 1n, 0xdeadbeefn, 0x7fff00001000n, 0xa020000000000001n, 0xffffffffffffffffn]) {
      expect(m.name(bad).ret).toBe(NVML.INVALID_ARGUMENT);
      expect(m.destroyGi(bad)).toBe(NVML.INVALID_ARGUMENT);
      expect(m.destroyCi(bad)).toBe(NVML.INVALID_ARGUMENT);
      expect(m.giInfo(bad).ret).toBe(NVML.INVALID_ARGUMENT);
    }
    const gi = ok(m.createGi(dev, 19));
    expect(m.destroyGi(gi)).toBe(0);
    expect(m.destroyGi(gi)).toBe(NVML.INVALID_ARGUMENT);
    expect(m.createCi(gi, 0).ret).toBe(NVML.INVALID_ARGUMENT);
    const again = ok(m.createGi(dev, 19)); // same GI id and placement, another handle
    expect(again).not.toBe(gi);
    expect(m.giInfo(gi).ret).toBe(NVML.INVALID_ARGUMENT);
    // a GI handle is not a device handle and vice versa
    expect(m.name(again).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.giInfo(dev).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.device(1).ret).toBe(NVML.INVALID_ARGUMENT);
  });

  it('devices by index, UUID and PCI bus id on a mixed machine', () => {
    m.control({ cmd: 'reset', machine: 'a100-40gb:2,a30:1' });
    expect(ok(m.count())).toBe(3);
    const names = [0, 1, 2].map((i) => ok(m.name(ok(m.device(i)))));
    expect(names).toEqual(['NVIDIA A100-SXM4-40GB', 'NVIDIA A100-SXM4-40GB', 'NVIDIA A30']);
    const uuids = [0, 1, 2].map((i) => ok(m.uuid(ok(m.device(i)))));
    expect(new Set(uuids).size).toBe(3);
    for (const u of uuids) expect(u).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const pci = ok(m.pci(ok(m.device(1))))!;
    expect(pci.busId).toBe('00000000:0F:00.0');
    expect(pci.busIdLegacy).toBe('0000:0F:00.0');
    expect(ok(m.byPci('0000:0f:00.0'))).toBe(ok(m.device(1)));
    expect(m.byPci('0000:99:00.0').ret).toBe(NVML.NOT_FOUND);
    expect(ok(m.index(ok(m.device(2))))).toBe(2);
    // deterministic: the same machine gives the same UUIDs
    m.control({ cmd: 'reset', machine: 'a100-40gb:2,a30:1' });
    expect([0, 1, 2].map((i) => ok(m.uuid(ok(m.device(i)))))).toEqual(uuids);
  });
});
