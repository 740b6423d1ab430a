// Opt-in (NVML_REAL=1): the read-only checks of scripts/device/real-readonly.js against the
// system's libnvidia-ml.so.1 (or NVML_LIBRARY_PATH), with the interlock on. Every GPU found must
// have a reference of its model in test/real/references/ and match it value by value; a GPU
// without one fails (nothing would have been compared).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as pkg from '../../dist/index.js';

const require_ = createRequire(__filename);
const { runChecks, print } = require_('../../scripts/device/real-readonly.js');
// The one suite CI lets skip (.ci/check-skips.js): it needs a GPU.
const { REAL_GPU_SUITE } = require_('../../.ci/check-skips.js');

describe.skipIf(process.env.NVML_REAL !== '1')(REAL_GPU_SUITE, () => {
  it('every GPU answers as the real reference of its model did, and the interlock is on', async () => {
    const report = await runChecks(pkg);
    console.log(print(report));
    expect(report.checks.find((c: { name: string }) => c.name === 'interlock: nvml.readOnly')?.ok).toBe(true);
    expect(report.deviceCount).toBeGreaterThan(0);
    for (const d of report.devices) {
      expect(d.reference, `no reference for ${d.name}: nothing was compared`).not.toBeNull();
      expect(d.referenceChecks).toBeGreaterThan(40);
    }
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  }, 120_000);
});
