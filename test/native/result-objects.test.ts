// Result objects are made by one JS function per struct (native/writers.gen.h's kStructFactories,
// from native/functions.cjs): each call's object must have exactly its struct's fields, in the
// description's order, nested structs and lists included, and an absent optional field must be
// absent (not undefined), on the Promise form and the Sync twin alike.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_MOCK, ROOT, b, control, enableMig, openMock } from './helpers';

type Field = [string, string, { optional?: boolean }?];
const { structs } = createRequire(__filename)(path.join(ROOT, 'native', 'functions.cjs')) as { structs: Record<string, Field[]> };

/** The keys a struct's object must have, in order; nested structs checked too. */
function expectShape(value: unknown, struct: string, where: string): void {
  expect(value, where).toBeTypeOf('object');
  const obj = value as Record<string, unknown>;
  const fields = structs[struct];
  const present = fields.filter(([name, , o]) => !o?.optional || name in obj).map(([name]) => name);
  expect(Object.keys(obj), `${where}: keys of ${struct}`).toEqual(present);
  for (const [name, kind] of fields) {
    if (!(name in obj) || obj[name] === null) continue;
    if (kind in structs) expectShape(obj[name], kind, `${where}.${name}`);
    if (kind.endsWith('[]')) for (const [i, el] of (obj[name] as unknown[]).entries()) expectShape(el, kind.slice(0, -2), `${where}.${name}[${i}]`);
  }
}

describe('result objects (full mock)', () => {
  let dev: number;
  beforeAll(async () => {
    await openMock('h100-80gb:2');
    dev = await b.deviceGetHandleByIndex(0);
  });
  afterAll(() => b.close());

  it('every struct a call returns has its fields in order, Promise and Sync alike', async () => {
    const mem = await b.deviceGetMemoryInfo(dev);
    expectShape(mem, 'Memory', 'deviceGetMemoryInfo');
    expect('reserved' in mem).toBe(true);
    expectShape(b.deviceGetMemoryInfoSync(dev), 'Memory', 'deviceGetMemoryInfoSync');
    expectShape(await b.deviceGetMigMode(dev), 'MigMode', 'deviceGetMigMode');
    expectShape(b.deviceGetMigModeSync(dev), 'MigMode', 'deviceGetMigModeSync');
    expectShape(await b.deviceGetPciInfo(dev), 'PciInfo', 'deviceGetPciInfo');
    expectShape(await b.deviceGetUtilizationRates(dev), 'Utilization', 'deviceGetUtilizationRates');
    expectShape(await b.deviceGetGpuInstanceProfileInfo(dev, 0, 3), 'GpuInstanceProfileInfo', 'deviceGetGpuInstanceProfileInfo');

    await enableMig(dev);
    const gi = await b.deviceCreateGpuInstance(dev, 9);
    const giInfo = await b.gpuInstanceGetInfo(gi);
    expectShape(giInfo, 'GpuInstanceInfo', 'gpuInstanceGetInfo');
    expect(giInfo.placement).toEqual({ start: expect.any(Number), size: 4 });
    expectShape(await b.gpuInstanceGetComputeInstanceProfileInfo(gi, 0, 0, 2), 'ComputeInstanceProfileInfo', 'gpuInstanceGetComputeInstanceProfileInfo');
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
    const ciInfo = await b.computeInstanceGetInfo(ci);
    expectShape(ciInfo, 'ComputeInstanceInfo', 'computeInstanceGetInfo');
    for (const p of await b.deviceGetGpuInstancePossiblePlacements(dev, 19)) expectShape(p, 'Placement', 'placements');

    await control({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: giInfo.id, ci: ciInfo.id });
    const procs = b.deviceGetComputeRunningProcessesSync(dev);
    expect(procs).toHaveLength(1);
    expectShape(procs[0], 'Process', 'deviceGetComputeRunningProcessesSync');
    expect(procs[0]).toMatchObject({ pid: 4242, gpuInstanceId: giInfo.id, computeInstanceId: ciInfo.id });
  });

  it('objects of one struct share one shape and stay independent of each other', async () => {
    const a = b.deviceGetMemoryInfoSync(dev);
    const c = b.deviceGetMemoryInfoSync(dev);
    expect(a).not.toBe(c);
    (a as { used: number }).used = -1;
    expect(c.used).not.toBe(-1);
  });
});

describe('result objects (legacy mock: no nvmlDeviceGetMemoryInfo_v2)', () => {
  it('an absent optional field is absent, not undefined', async () => {
    process.env.NVML_MOCK_MACHINE = 'h100-80gb';
    await b.open(LEGACY_MOCK, 0, false);
    const dev = await b.deviceGetHandleByIndex(0);
    for (const mem of [await b.deviceGetMemoryInfo(dev), b.deviceGetMemoryInfoSync(dev)]) {
      expectShape(mem, 'Memory', 'legacy deviceGetMemoryInfo');
      expect('reserved' in mem).toBe(false);
      expect(mem.free + mem.used).toBe(mem.total);
    }
    await b.close();
  });
});
