// Property tests of the layout functions with fast-check: generated hostile layouts (near misses of
// the right shape, huge counts, junk) fed to planLayout, applyLayout and assertLayout on a mock
// node. Each call settles (no crash, no hang); a layout the door refuses is never planned, applied
// or asserted; one that applies with ok:true then asserts as held. A fixed seed and a bounded
// number of cases in CI; HARDENING_RUNS / HARDENING_SEED (scripts/hardening/fuzz.sh) for long runs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { applyLayout, assertLayout, planLayout } from '../../dist/layout/index.js';
import { checkLayoutInput } from '../../dist/layout/check.js';
import { limit, runs, seed } from '../hardening/helpers';
import { openMock } from './mock.js';

const SEED = seed() ?? 20261203;
let nvml: Nvml;
beforeAll(async () => {
  nvml = await openMock('h100-80gb:2');
});
afterAll(async () => {
  await nvml.shutdown();
});

const profile = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb', '1c.3g.40gb', '1g.10gb+me', '1g.5gb') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const count = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 8, 64, 65, 100_000, 1e9, Number.NaN, Infinity) },
  { weight: 1, arbitrary: fc.constantFrom('2', null, true, {}) },
);
const target = fc.record(
  {
    migEnabled: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('yes', 1, null) }),
    migDevices: fc.oneof({ weight: 5, arbitrary: fc.dictionary(profile, count, { maxKeys: 4 }) }, { weight: 1, arbitrary: fc.constantFrom([], 'x', null) }),
    migEnable: fc.boolean(),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const clean = fc.record({
  migEnabled: fc.constant(true),
  migDevices: fc.dictionary(fc.constantFrom('1g.10gb', '2g.20gb', '3g.40gb', '1c.3g.40gb'), fc.integer({ min: 0, max: 2 }), { maxKeys: 2 }),
});
const layout = fc.oneof(
  { weight: 3, arbitrary: clean },
  { weight: 5, arbitrary: target },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('0', '1', '2', '01', 'x'), target, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.anything() },
);

describe('the layout functions under generated layouts', () => {
  it('refused at the door or planned, never ok:true for a layout that was not checked', async () => {
    let refused = 0;
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(layout, fc.boolean(), async (input, apply) => {
        await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
        let valid = true;
        try {
          checkLayoutInput(input);
        } catch (e) {
          valid = false;
          expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
        }
        const outcome = await (apply ? applyLayout(nvml, input as never) : planLayout(nvml, input as never).then((r) => r.plan)).then(
          (r) => ({ ok: r.ok as boolean }),
          (e: unknown) => ({ error: e }),
        );
        if ('error' in outcome) {
          const e = outcome.error;
          // Refusals are argument errors with a message; nothing else escapes.
          expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
          refused++;
          return;
        }
        expect(valid, `accepted a layout the door refuses: ${JSON.stringify(input)}`).toBe(true);
        if (apply && outcome.ok) {
          applied++;
          const held = await assertLayout(nvml, input as never);
          expect(held.ok, `${JSON.stringify(input)}: ${held.differences.join('; ')}`).toBe(true);
        }
      }),
      { numRuns: runs(120), seed: SEED },
    );
    expect(refused).toBeGreaterThan(0);
    expect(applied).toBeGreaterThan(0);
  }, limit(120_000));
});
