// apply / assert / export on a mock node of two H100 80GB.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Nvml } from '../../dist/index.js';
import { applyLayout, assertLayout, exportNode, formatExport, formatPlan, parseMigPartedConfig, planLayout, selectConfig, type ProgressEvent } from '../../dist/layout/index.js';
import { layoutLines, migUuids, openMock } from './mock.js';

let nvml: Nvml;
beforeAll(async () => {
  nvml = await openMock('h100-80gb:2');
});
afterAll(async () => {
  await nvml.shutdown();
});
beforeEach(async () => {
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
});

const on = (migDevices: Record<string, number>) => ({ migEnabled: true, migDevices });

describe('apply', () => {
  it('enables MIG and creates the layout with explicit placements; a second apply is a no-op', async () => {
    const events: ProgressEvent[] = [];
    const r = await applyLayout(nvml, on({ '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 }), { onProgress: (e) => events.push(e) });
    expect(r.ok, r.message).toBe(true);
    expect(r.steps.every((s) => s.status === 'done')).toBe(true);
    const done = events.filter((e) => e.type === 'step' && e.phase === 'done');
    expect(done).toHaveLength(r.steps.length);
    expect(await layoutLines(nvml, 0)).toHaveLength(4);
    const dev = await nvml.device(0);
    const placements = (await dev.gpuInstances()).map((g) => `${g.profileId}@${g.placement.start}`).sort();
    expect(placements).toEqual(['14@2', '19@0', '19@1', '9@4']);
    const again = await applyLayout(nvml, on({ '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 }));
    expect(again.ok).toBe(true);
    expect(again.steps).toEqual([]);
    expect((await assertLayout(nvml, on({ '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 }))).ok).toBe(true);
  });

  it('keeps matching instances: same GI/CI ids and MIG UUIDs before and after', async () => {
    await applyLayout(nvml, on({ '1g.10gb': 3, '2g.20gb': 1 }), { indices: [0] });
    const before = await migUuids(nvml, 0);
    const gisBefore = (await (await nvml.device(0)).gpuInstances()).map((g) => `${g.id}:${g.profileId}@${g.placement.start}`);
    const r = await applyLayout(nvml, on({ '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 }), { indices: [0] });
    expect(r.ok, r.message).toBe(true);
    expect(r.steps.filter((s) => s.step.op === 'destroyGi')).toHaveLength(1);
    const after = await migUuids(nvml, 0);
    let keptCount = 0;
    for (const [k, uuid] of after) if (before.get(k) === uuid) keptCount++;
    expect(keptCount).toBe(3); // two 1g and the 2g
    const gisAfter = (await (await nvml.device(0)).gpuInstances()).map((g) => `${g.id}:${g.profileId}@${g.placement.start}`);
    expect(gisBefore.filter((g) => gisAfter.includes(g))).toHaveLength(3);
  });

  it('adds a CI into an existing GI without touching its CI', async () => {
    await applyLayout(nvml, on({ '1c.3g.40gb': 1 }), { indices: [0] });
    const before = await migUuids(nvml, 0);
    const r = await applyLayout(nvml, on({ '1c.3g.40gb': 2 }), { indices: [0] });
    expect(r.steps.map((s) => s.step.op)).toEqual(['createCi']);
    const after = await migUuids(nvml, 0);
    for (const [k, u] of before) expect(after.get(k)).toBe(u);
    expect(after.size).toBe(2);
  });

  it('refuses to destroy instances with processes; force hands the decision to the driver (which refuses IN_USE)', async () => {
    await applyLayout(nvml, on({ '7g.80gb': 1 }));
    const [gi] = await (await nvml.device(0)).gpuInstances();
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: gi!.id, ci: 0 });
    const { plan } = await planLayout(nvml, on({ '1g.10gb': 7 }), [0]);
    expect(plan.blocked).toBe(true);
    expect(formatPlan(plan)).toMatch(/destroy GI \d+ \(7g\.80gb at 0:8\).*BLOCKED by pid 4242/);
    const refused = await applyLayout(nvml, on({ '1g.10gb': 7 }), { indices: [0] });
    expect(refused.ok).toBe(false);
    expect(refused.code).toBe('ERR_LAYOUT_BLOCKED');
    expect(refused.steps).toEqual([]);
    expect(await layoutLines(nvml, 0)).toHaveLength(1);
    const forced = await applyLayout(nvml, on({ '1g.10gb': 7 }), { indices: [0], force: true });
    expect(forced.ok).toBe(false);
    expect(forced.steps[0]).toMatchObject({ status: 'failed', error: { code: 'NVML_ERROR_IN_USE' } });
    expect(await layoutLines(nvml, 0)).toHaveLength(1);
    await nvml.mockControl({ cmd: 'removeProcess', pid: 4242 });
    expect((await applyLayout(nvml, on({ '1g.10gb': 7 }), { indices: [0] })).ok).toBe(true);
  });

  it('checks processes again right before destroying (a process that started after planning)', async () => {
    await applyLayout(nvml, on({ '7g.80gb': 1 }));
    const { plan, live } = await planLayout(nvml, on({ '3g.40gb': 2 }), [0]);
    const [gi] = await (await nvml.device(0)).gpuInstances();
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 777, name: 'late', usedMemoryMiB: 1, gi: gi!.id, ci: 0 });
    const { applyPlan } = await import('../../dist/layout/index.js');
    const r = await applyPlan(plan, live);
    expect(r.ok).toBe(false);
    expect(r.code).toBe('ERR_LAYOUT_BUSY');
    expect(r.steps[0]).toMatchObject({ status: 'failed', error: { code: 'ERR_LAYOUT_BUSY' } });
    expect(await layoutLines(nvml, 0)).toHaveLength(1);
  });

  it('a failure mid-way stops, reports what ran, and a re-run converges', async () => {
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceCreateGpuInstanceWithPlacement', code: 999, nth: 2 });
    const target = on({ '1g.10gb': 3, '4g.40gb': 1 });
    const r = await applyLayout(nvml, target, { indices: [0] });
    expect(r.ok).toBe(false);
    expect(r.code).toBe('ERR_LAYOUT_STEP_FAILED');
    const statuses = r.steps.map((s) => s.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(1);
    expect(statuses.indexOf('failed')).toBeGreaterThan(0);
    expect(statuses.slice(statuses.indexOf('failed') + 1).every((s) => s === 'not-run')).toBe(true);
    expect(r.after[0]!.gpuInstances.length).toBeGreaterThan(0);
    await nvml.mockControl({ cmd: 'clearFaults' });
    const again = await applyLayout(nvml, target, { indices: [0] });
    expect(again.ok, again.message).toBe(true);
    expect((await assertLayout(nvml, target, [0])).ok).toBe(true);
  });

  it('rolls back to the previous layout at the same placements', async () => {
    await applyLayout(nvml, on({ '2g.20gb': 2, '1g.10gb': 2 }), { indices: [0] });
    const before = (await layoutLines(nvml, 0)).map((l) => l.replace(/GI \d+ /, ''));
    // the 7g's CI spans its GI, so it is created without a placement
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlGpuInstanceCreateComputeInstance', code: 999, nth: 1 });
    const r = await applyLayout(nvml, on({ '7g.80gb': 1 }), { indices: [0], rollbackOnFailure: true });
    expect(r.ok).toBe(false);
    expect(r.rollback?.ok).toBe(true);
    await nvml.mockControl({ cmd: 'clearFaults' });
    const after = (await layoutLines(nvml, 0)).map((l) => l.replace(/GI \d+ /, ''));
    expect(after).toEqual(before);
  });

  it('rollback also restores the MIG mode', async () => {
    await nvml.mockControl({ cmd: 'setFault', fn: 'nvmlDeviceCreateGpuInstanceWithPlacement', code: 999, nth: 2 });
    const r = await applyLayout(nvml, on({ '3g.40gb': 2 }), { indices: [0], rollbackOnFailure: true });
    await nvml.mockControl({ cmd: 'clearFaults' });
    expect(r.ok).toBe(false);
    expect(r.rollback).toMatchObject({ ok: true });
    expect(r.rollback!.steps.map((s) => s.step.op)).toEqual(['destroyCi', 'destroyGi', 'setMigMode']);
    expect((await (await nvml.device(0)).migMode()).current).toBe(false);
  });

  it('chooses targets by device-filter (with subsystem id) and rejects a GPU claimed by two different entries', async () => {
    const dev = await nvml.device(0);
    const pci = await dev.pciInfo();
    const hex = (n: number) => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
    const cfg = parseMigPartedConfig(`version: v1
mig-configs:
  sub:
    - devices: all
      device-filter: "${hex(pci.pciDeviceId)}:${hex(pci.pciSubSystemId)}"
      mig-enabled: true
      mig-devices: { "7g.80gb": 1 }
    - devices: all
      device-filter: "${hex(pci.pciDeviceId)}:0x00000000"
      mig-enabled: false
  clash:
    - devices: [0]
      mig-enabled: true
      mig-devices: { "7g.80gb": 1 }
    - devices: all
      mig-enabled: true
      mig-devices: { "3g.40gb": 2 }
`, 'f.yaml');
    const r = await applyLayout(nvml, selectConfig(cfg, 'sub').entries);
    expect(r.ok, r.message).toBe(true);
    expect(r.plan.gpus.map((g) => g.source)).toEqual(['entry 0 (f.yaml:4)', 'entry 0 (f.yaml:4)']);
    const { plan } = await planLayout(nvml, selectConfig(cfg, 'clash').entries);
    expect(plan.ok).toBe(false);
    expect(plan.gpus[0]!.error).toBe('GPU 0 is selected by entry 0 (f.yaml:12) and entry 1 (f.yaml:15) with different layouts');
    expect(plan.gpus[1]!.ok).toBe(true);
  });

  it('takes a map of GPU index to layout, and leaves the other GPUs alone', async () => {
    const r = await applyLayout(nvml, { 1: on({ '4g.40gb': 1, '3g.40gb': 1 }) });
    expect(r.ok, r.message).toBe(true);
    expect(r.plan.gpus.map((g) => g.gpu)).toEqual([1]);
    expect((await (await nvml.device(0)).migMode()).current).toBe(false);
    expect(await layoutLines(nvml, 1)).toHaveLength(2);
  });

  it('a driver refusal (no permission) stops at the first step with its NVML code; the plan still works read-only', async () => {
    await nvml.mockControl({ cmd: 'setPrivileged', value: false });
    try {
      const { plan } = await planLayout(nvml, on({ '1g.10gb': 7 }), [0]);
      expect(plan.ok).toBe(true);
      const r = await applyLayout(nvml, on({ '1g.10gb': 7 }), { indices: [0] });
      expect(r.ok).toBe(false);
      expect(r.code).toBe('ERR_LAYOUT_STEP_FAILED');
      expect(r.steps[0]).toMatchObject({ status: 'failed', error: { code: 'NVML_ERROR_NO_PERMISSION' } });
      expect(r.steps.slice(1).every((s) => s.status === 'not-run')).toBe(true);
    } finally {
      await nvml.mockControl({ cmd: 'setPrivileged', value: true });
    }
  });

  it('disables MIG after destroying everything', async () => {
    await applyLayout(nvml, on({ '3g.40gb': 2 }));
    const r = await applyLayout(nvml, { migEnabled: false, migDevices: {} });
    expect(r.ok, r.message).toBe(true);
    expect((await (await nvml.device(1)).migMode()).current).toBe(false);
    expect((await assertLayout(nvml, { migEnabled: false, migDevices: {} })).ok).toBe(true);
  });
});

describe('assert and export', () => {
  it('assert lists the differences', async () => {
    await applyLayout(nvml, on({ '1g.10gb': 3 }), { indices: [0] });
    const r = await assertLayout(nvml, on({ '1g.10gb': 2, '2g.20gb': 1 }));
    expect(r.ok).toBe(false);
    expect(r.differences).toEqual([
      'GPU 0: 1g.10gb: 3 present, 2 wanted',
      'GPU 0: 2g.20gb: 0 present, 1 wanted',
      'GPU 1: MIG mode is disabled, wanted enabled',
    ]);
  });

  it('export writes mig-parted YAML that applies as a no-op and asserts', async () => {
    await applyLayout(nvml, on({ '1c.3g.40gb': 2, '1g.10gb': 2 }), { indices: [0] });
    await applyLayout(nvml, on({ '2g.20gb': 3 }), { indices: [1] });
    const text = formatExport(await exportNode(nvml));
    expect(text).toContain('device-filter: "0x233010DE"');
    expect(text).toContain('current:');
    const cfg = parseMigPartedConfig(text, 'exported.yaml');
    const { entries } = selectConfig(cfg);
    expect(entries.map((e) => e.devices)).toEqual([[0], [1]]);
    expect((await assertLayout(nvml, entries)).ok).toBe(true);
    const uuids = [await migUuids(nvml, 0), await migUuids(nvml, 1)];
    const r = await applyLayout(nvml, entries);
    expect(r.ok).toBe(true);
    expect(r.steps).toEqual([]);
    expect([await migUuids(nvml, 0), await migUuids(nvml, 1)]).toEqual(uuids);
    const json = JSON.parse(formatExport(await exportNode(nvml, 'snap'), 'json'));
    expect(Object.keys(json['mig-configs'])).toEqual(['snap']);
  });

  it('export compacts identical GPUs to devices: all', async () => {
    await applyLayout(nvml, on({ '7g.80gb': 1 }));
    const cfg = await exportNode(nvml);
    expect(cfg.migConfigs.current).toEqual([{ deviceFilter: ['0x233010DE'], devices: 'all', migEnabled: true, migDevices: { '7g.80gb': 1 } }]);
    expect((await exportNode(nvml, 'one', [1])).migConfigs.one).toEqual([{ deviceFilter: ['0x233010DE'], devices: [1], migEnabled: true, migDevices: { '7g.80gb': 1 } }]);
  });
});
