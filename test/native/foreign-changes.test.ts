// GPU and compute instances destroyed by another client (nvidia-smi, another agent) used to stay
// in the addon's handle table for good, and their replacements took new slots: a long-running
// agent beside frequent reconfiguration grew the table without bound. A complete listing (GIs or
// CIs of a profile, the MIG devices of a snapshot) now forgets what the driver no longer lists.
// The other client here is the mock's C ABI called directly (koffi), which shares the loaded
// library, and so the GPU, with the addon but not its handle table.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ok, openLibrary } from '../mock/abi';
import { MOCK, b, enableMig, openMock, rejects } from './helpers';

const SLOT = 2 ** 21;
const slotOf = (id: number) => id % SLOT;
let dev = 0;
const other = openLibrary(MOCK);

beforeAll(async () => {
  await openMock('h100-80gb');
  dev = await b.deviceGetHandleByIndex(0);
  await enableMig(dev);
  expect(other.init()).toBe(0);
});
afterAll(async () => {
  other.shutdown();
  await b.close();
});

/** What another client does: tear everything down and build 1g GIs with their full CI again. */
function reconfigureElsewhere(count: number): void {
  const d = ok(other.device(0));
  for (const gi of ok(other.gis(d, 19))) {
    for (const ci of ok(other.cis(gi, 0))) expect(other.destroyCi(ci)).toBe(0);
    expect(other.destroyGi(gi)).toBe(0);
  }
  for (let i = 0; i < count; i++) ok(other.createCi(ok(other.createGi(d, 19)), 0));
}

it('listings and snapshots forget instances destroyed elsewhere, so the table stays small', async () => {
  let highest = 0;
  let firstGi = 0;
  for (let round = 0; round < 60; round++) {
    reconfigureElsewhere(3);
    const gis = await b.deviceGetGpuInstances(dev, 19);
    expect(gis).toHaveLength(3);
    if (round === 0) firstGi = gis[0];
    for (const gi of gis) {
      const cis = await b.gpuInstanceGetComputeInstances(gi, 0);
      expect(cis).toHaveLength(1);
      highest = Math.max(highest, slotOf(gi), ...cis.map(slotOf));
    }
    const snap = await b.snapshot();
    expect(snap.devices[0].migDevices).toHaveLength(3);
    highest = Math.max(highest, ...snap.devices[0].migDevices.map((m) => slotOf(m.handle)));
  }
  // 60 rounds × 3 GIs, 3 CIs and 3 MIG devices would reach slot ~540 without forgetting.
  expect(highest).toBeLessThan(30);
  // A forgotten instance is stale, not another one.
  await rejects(b.gpuInstanceGetInfo(firstGi), 'ERR_NVML_STALE_HANDLE');
});

it('a listing of one profile leaves instances of other profiles alone', async () => {
  reconfigureElsewhere(1);
  const d = ok(other.device(0));
  ok(other.createGi(d, 14)); // a 2g instance, not touched below
  const [twoG] = await b.deviceGetGpuInstances(dev, 14);
  for (let i = 0; i < 5; i++) {
    reconfigureElsewhere(1);
    expect(await b.deviceGetGpuInstances(dev, 19)).toHaveLength(1);
  }
  expect((await b.gpuInstanceGetInfo(twoG)).profileId).toBe(14);
});
