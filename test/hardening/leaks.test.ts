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

const K = SLOW ? 5_000 : 40_000;

describe('no leak on error paths', () => {
  // Each case: K calls that end in an error. A leaked promise costs at least ~40 bytes of heap,
  // so K of them are well over the bound (the wrong-kind leak fixed in native/async.cc grew the
  // heap by 1.9 MiB here); without a leak the heap stays within a few KiB.
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['wrong-kind handle (TypeError thrown synchronously)', async () => b.deviceGetName(gi)],
    ['stale handle (ERR_NVML_STALE_HANDLE)', async () => b.gpuInstanceGetInfo(stale)],
    ['driver refusal (NVML_ERROR_INVALID_ARGUMENT)', async () => b.deviceGetHandleByIndex(7)],
  ];
  let stale = 0;
  beforeAll(async () => {
    stale = await b.deviceCreateGpuInstance(dev, 19);
    await b.gpuInstanceDestroy(stale);
  });
  for (const [what, call] of cases) {
    it(`${K} calls, ${what}: the heap does not grow`, async () => {
      const grew = await growth(4, async () => {
        for (let i = 0; i < K / 4; i++) await call().catch(() => undefined);
      });
      console.log(`leaks: heap grew ${(grew / 1024).toFixed(0)} KiB over ${K} calls, ${what}`);
      expect(grew).toBeLessThan(384 * 1024);
    }, limit(120_000));
  }

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
