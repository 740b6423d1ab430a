// A failure injected at every step of an apply (the mock's setFault), then a re-run: it must converge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { applyLayout, assertLayout, readNode, type GpuTarget } from '../../dist/layout/index.js';
import { mockReset, openMock } from './mock.js';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await openMock('h100-80gb:1');
});
afterAll(async () => {
  await nvml.shutdown();
});

const MUTATING = /^nvml(DeviceSetMigMode|DeviceCreateGpuInstance\w*|GpuInstanceDestroy|GpuInstanceCreateComputeInstance\w*|ComputeInstanceDestroy)$/;

async function mutatingCalls(): Promise<string[]> {
  const log = await nvml.mockControl({ cmd: 'callLog' });
  return (log.calls as { fn: string }[]).map((c) => c.fn).filter((fn) => MUTATING.test(fn));
}

interface Scenario {
  name: string;
  machine: string;
  setup: GpuTarget | null;
  target: GpuTarget;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'reshape a busy-free H100 (destroy CI/GI, create GI/CI)',
    machine: 'h100-80gb:1',
    setup: { migEnabled: true, migDevices: { '1g.10gb': 2, '2g.20gb': 1, '1c.3g.40gb': 1 } },
    target: { migEnabled: true, migDevices: { '1g.10gb': 1, '1c.3g.40gb': 2, '1g.20gb': 1 } },
  },
  {
    name: 'enable MIG on an A100 (reset hook) and create',
    machine: 'a100-40gb:1',
    setup: null,
    target: { migEnabled: true, migDevices: { '1g.5gb': 2, '2g.10gb': 1, '3g.20gb': 1 } },
  },
  {
    name: 'tear down and disable MIG on an H100',
    machine: 'h100-80gb:1',
    setup: { migEnabled: true, migDevices: { '3g.40gb': 1, '1c.3g.40gb': 2 } },
    target: { migEnabled: false, migDevices: {} },
  },
];

describe('fault injected at every step, then a re-run converges', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, async () => {
      const resetHook = mockReset(nvml);
      const prepare = async () => {
        await nvml.mockControl({ cmd: 'reset', machine: sc.machine });
        if (sc.setup) expect((await applyLayout(nvml, sc.setup, { resetHook })).ok).toBe(true);
        await nvml.mockControl({ cmd: 'clearCallLog' });
      };
      // A clean run tells which NVML call each step makes.
      await prepare();
      const clean = await applyLayout(nvml, sc.target, { resetHook });
      expect(clean.ok, clean.message).toBe(true);
      const calls = await mutatingCalls();
      expect(calls.length).toBe(clean.steps.length);
      expect(calls.length).toBeGreaterThan(3);
      expect(new Set(clean.steps.map((s) => s.step.op)).size).toBeGreaterThanOrEqual(3);
      for (let k = 0; k < calls.length; k++) {
        await prepare();
        const nth = calls.slice(0, k + 1).filter((fn) => fn === calls[k]).length;
        await nvml.mockControl({ cmd: 'setFault', fn: calls[k], code: 999, nth });
        const r = await applyLayout(nvml, sc.target, { resetHook });
        expect(r.ok, `step ${k}`).toBe(false);
        const failed = r.steps.findIndex((s) => s.status === 'failed');
        expect(failed, `step ${k}`).toBe(k);
        expect(r.steps[k]!.error!.code).toBe('NVML_ERROR_UNKNOWN');
        expect(r.steps.slice(0, k).every((s) => s.status === 'done')).toBe(true);
        // The reported state is the state now.
        const now = await readNode(nvml);
        expect(r.after).toEqual(now.map((l) => l.state));
        await nvml.mockControl({ cmd: 'clearFaults' });
        const again = await applyLayout(nvml, sc.target, { resetHook });
        expect(again.ok, `re-run after step ${k}: ${again.message}`).toBe(true);
        expect((await assertLayout(nvml, sc.target)).ok).toBe(true);
        expect((await applyLayout(nvml, sc.target)).steps).toEqual([]);
      }
    });
  }
});
