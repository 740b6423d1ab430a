// Applies and asserts every config of examples/mig-config.yaml, in order, on one mock machine.
import { expect, it } from 'vitest';
import { applyLayout, assertLayout, loadMigPartedConfig, planLayout, selectConfig } from '../../dist/layout/index.js';
import { mockReset, openMock } from './mock.js';

export function examplesOn(machine: string): void {
  it(`every example config applies, asserts and re-applies as a no-op on ${machine}`, async () => {
    const nvml = await openMock(machine);
    try {
      const cfg = loadMigPartedConfig('examples/mig-config.yaml');
      const resetHook = mockReset(nvml);
      for (const name of ['all-enabled', 'all-1g', 'all-balanced', 'custom-mixed', 'all-1g', 'all-disabled', 'custom-mixed']) {
        const { entries } = selectConfig(cfg, name);
        const r = await applyLayout(nvml, entries, { resetHook });
        expect(r.ok, `${name}: ${r.message}`).toBe(true);
        const a = await assertLayout(nvml, entries);
        expect(a.differences, name).toEqual([]);
        expect(a.checked.length).toBeGreaterThan(0);
        const { plan } = await planLayout(nvml, entries);
        expect(plan.changes, name).toBe(0);
      }
    } finally {
      await nvml.shutdown();
    }
  });
}
