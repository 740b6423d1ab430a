// Nothing leaks across many calls that end in an error: wrong-kind handles (TypeError), stale
// handles, driver refusals, open()/close() cycles. A promise the addon makes and never settles is
// held by a strong persistent handle forever, so such a leak shows as V8 heap growth here (and as
// "definitely lost" blocks under valgrind, scripts/hardening/valgrind.sh).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import { NvmlError } from '../../dist/index.js';
import { MOCK, SLOW, limit } from './helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const b = loadBinding();
b.setErrorClass(NvmlError);

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return v8.getHeapStatistics().used_heap_size;
}

/** Heap growth (bytes) over `rounds` rounds of `body`, after one warm-up round. */
async function growth(rounds: number, body: () => Promise<void>): Promise<number> {
  await body();
  const before = heapAfterGc();
  for (let i = 0; i < rounds; i++) await body();
  return heapAfterGc() - before;
}

let dev = 0;
let gi = 0;
beforeAll(async () => {
  delete process.env.NVML_MOCK_STATE;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb';
  await b.open(MOCK, 0, false);
  await b.mockControl(JSON.stringify({ cmd: 'reset', machine: 'h100-80gb' }));
  dev = await b.deviceGetHandleByIndex(0);
  await b.deviceSetMigMode(dev, 1);
  gi = await b.deviceCreateGpuInstance(dev, 19);
});
afterAll(async () => {
  await b.close();
});

const K = SLOW ? 2_000 : 20_000;

describe('no leak on error paths', () => {
  it(`${K} wrong-kind, ${K} stale and ${K} refused calls: the heap does not grow`, async () => {
    const stale = await b.deviceCreateGpuInstance(dev, 19);
    await b.gpuInstanceDestroy(stale);
    const grew = await growth(4, async () => {
      for (let i = 0; i < K / 4; i++) {
        try {
          await b.deviceGetName(gi); // a GI where a device is wanted: TypeError, thrown synchronously
        } catch {}
        await b.gpuInstanceGetInfo(stale).catch(() => undefined); // ERR_NVML_STALE_HANDLE
        await b.deviceGetHandleByIndex(7).catch(() => undefined); // NVML_ERROR_INVALID_ARGUMENT
      }
    });
    console.log(`leaks: heap grew ${(grew / 1024).toFixed(0)} KiB over ${K * 3} error-ending calls`);
    // A leaked promise costs well over 50 bytes: 3*K of them would be megabytes.
    expect(grew).toBeLessThan(1024 * 1024);
  }, limit(120_000));

  it('open()/close() cycles: the heap does not grow', async () => {
    const cycles = SLOW ? 50 : 400;
    await b.close();
    const grew = await growth(4, async () => {
      for (let i = 0; i < cycles / 4; i++) {
        await b.open(MOCK, 0, false);
        await b.open(MOCK, 0, false); // already open: answered at once
        await b.close();
      }
    });
    await b.open(MOCK, 0, false);
    console.log(`leaks: heap grew ${(grew / 1024).toFixed(0)} KiB over ${cycles} open/close cycles`);
    expect(grew).toBeLessThan(512 * 1024);
  }, limit(120_000));
});
