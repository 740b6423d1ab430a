import { describe, expect, it } from 'vitest';
import { planInstances } from '../../dist/layout/index.js';
import { MODELS } from './fixtures.js';
import { candidateMultisets, checkCreates, realisableMultisets } from './oracle.js';

describe('planner vs exhaustive search (models as data)', () => {
  for (const [name, model] of Object.entries(MODELS)) {
    it(`${name}: finds a placement exactly for the multisets that have one`, () => {
      const oracle = realisableMultisets(model);
      let feasible = 0;
      for (const counts of candidateMultisets(model)) {
        const demands = counts.flatMap((n, i) => {
          const g = model.giProfiles[i]!;
          const ci = g.ciProfiles.find((c) => c.sliceCount === g.sliceCount)!;
          return n ? [{ giProfileId: g.id, ciProfileId: ci.id, key: g.name, count: n }] : [];
        });
        const r = planInstances(model, [], demands);
        const expected = oracle.has(counts.join(','));
        expect(typeof r !== 'string', `${name} ${counts.join(',')}`).toBe(expected);
        if (typeof r !== 'string') {
          feasible++;
          expect(checkCreates(model, r.steps)).toBeNull();
          expect(r.steps.filter((s) => s.op === 'createGi')).toHaveLength(counts.reduce((a, b) => a + b, 0));
        }
      }
      expect(feasible).toBe(oracle.size);
    });
  }
});
