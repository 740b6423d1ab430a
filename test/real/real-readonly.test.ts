// Opt-in (NVML_REAL=1): the read-only checks of scripts/device/real-readonly.js against the
// system's libnvidia-ml.so.1 (or NVML_LIBRARY_PATH), with the interlock on. On an H100 80GB HBM3
// every answer must match shared/reference/h100-real.md.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as pkg from '../../dist/index.js';

const require_ = createRequire(__filename);
const { runChecks, print } = require_('../../scripts/device/real-readonly.js');
// The one suite CI lets skip (.ci/check-skips.js): it needs a GPU.
const { REAL_GPU_SUITE } = require_('../../.ci/check-skips.js');

describe.skipIf(process.env.NVML_REAL !== '1')(REAL_GPU_SUITE, () => {
  it('answers as the reference H100 did, and the interlock is on', async () => {
    const report = await runChecks(pkg);
    console.log(print(report));
    expect(report.checks.find((c: { name: string }) => c.name === 'interlock: nvml.readOnly')?.ok).toBe(true);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(report.deviceCount).toBeGreaterThan(0);
  }, 120_000);
});
