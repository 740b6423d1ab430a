// Anything JS can pass is answered with a thrown TypeError/RangeError or a promise that settles:
// never a crash, never a hang. Random arguments (fast-check) to every call of the raw surface,
// with live handles of every kind in the pool so that calls also get past the argument checks.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b, control, enableMig, openMock } from './helpers';

// Lifecycle calls change the session itself; they are checked in lifecycle.test.ts.
const SKIP = new Set(['open', 'close', 'setErrorClass', 'setReadOnly', 'isOpen', 'functions', 'pendingCalls', 'errorString']);

let live: number[] = [];
beforeAll(async () => {
  await openMock('h100-80gb:2');
  const dev = await b.deviceGetHandleByIndex(0);
  await enableMig(dev);
  const gi = await b.deviceCreateGpuInstance(dev, 9);
  const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
  const mig = await b.deviceGetMigDeviceHandleByIndex(dev, 0);
  const set = await b.eventSetCreate();
  live = [dev, gi, ci, mig, set];
});
afterAll(() => b.close());

const throwing = new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); } });
const arg = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, true, false, NaN, Infinity, -Infinity, -0, 0, 1, 2 ** 32, 2 ** 53, -1, 0.5,
    '', 'GPU-\u0000', 'MIG-x', '{"cmd":"state"}', '{', Symbol('s'), 1n, -1n, 2n ** 64n, [], [1, 2], {}, { start: 0, size: 1 },
    { start: -1, size: 1 }, () => 1, new Array(5000).fill(0)),
  fc.integer({ min: 0, max: 2 ** 32 }),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.bigInt(),
  fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 8 }),
  fc.record({ start: fc.integer({ min: -1, max: 9 }), size: fc.integer({ min: -1, max: 9 }) }),
  // Values made when the call is made: live handles, and a proxy whose every trap throws (fast-check
  // itself inspects the values it generates, so it never sees the proxy).
  fc.constantFrom(0, 1, 2, 3, 4, -1).map((i) => new Later(i)),
);
class Later {
  constructor(readonly i: number) {}
  value(): unknown {
    return this.i < 0 ? throwing : live[this.i];
  }
}
const resolveArg = (a: unknown) => (a instanceof Later ? a.value() : a);

describe('fuzzing the raw surface', () => {
  it('every call throws a TypeError/RangeError/Error synchronously or settles', async () => {
    const names = Object.keys(b).filter((k) => typeof (b as any)[k] === 'function' && !SKIP.has(k)).sort();
    expect(names.length).toBeGreaterThan(50);
    const seen = { thrown: 0, resolved: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(arg, { maxLength: 4 }), async (name, rawArgs) => {
        const args = rawArgs.map(resolveArg);
        let result: unknown;
        try {
          result = (b as any)[name](...args);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          seen.thrown++;
          return;
        }
        if (result instanceof Promise) {
          const settled = await Promise.race([
            result.then(() => 'ok', (e) => (e instanceof Error ? 'err' : 'bad')),
            new Promise((r) => setTimeout(() => r('hang'), 2000)),
          ]);
          // eventSetWait may legitimately wait out its (random) timeout: give it up to 2 s.
          expect(['ok', 'err', name === 'eventSetWait' ? 'hang' : 'ok']).toContain(settled);
          if (settled === 'ok') seen.resolved++;
          if (settled === 'err') seen.rejected++;
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
    // The random calls reached every outcome, NVML included.
    expect(seen.thrown).toBeGreaterThan(500);
    expect(seen.resolved).toBeGreaterThan(30);
    expect(seen.rejected).toBeGreaterThan(30);
    // Still alive and answering.
    expect(await b.deviceGetCount()).toBe(2);
    expect(JSON.parse(await b.mockControl('{"cmd":"state"}')).ok).toBe(true);
    await control({ cmd: 'clearFaults' });
  }, 60_000);
});
