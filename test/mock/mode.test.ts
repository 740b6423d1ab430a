// MIG mode semantics: Hopper switches at once, Ampere stays pending until a simulated GPU reset;
// a busy GPU keeps the change pending with activation status IN_USE; mode changes clear GIs/CIs.
import { describe, expect, it } from 'vitest';
import { NVML, ok, openLibrary } from './abi';

const m = openLibrary();
expect(m.init()).toBe(0);

function fresh(machine: string) {
  expect(m.control({ cmd: 'reset', machine }).ok).toBe(true);
  return ok(m.device(0));
}

describe('MIG mode', () => {
  it('Hopper: enabling and disabling take effect at once', () => {
    const dev = fresh('h100-80gb');
    expect(m.setMigMode(dev, 1)).toEqual({ ret: 0, status: NVML.SUCCESS });
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
    expect(ok(m.maxMig(dev))).toBe(7);
    const gi = ok(m.createGi(dev, 19));
    const ci = ok(m.createCi(gi, 0));
    // Disabling with GPU instances present is refused (IN_USE) and keeps them (docs/cli.md).
    expect(m.setMigMode(dev, 0).ret).toBe(NVML.IN_USE);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
    expect(m.giInfo(gi).ret).toBe(NVML.SUCCESS);
    expect(m.destroyCi(ci)).toBe(NVML.SUCCESS);
    expect(m.destroyGi(gi)).toBe(NVML.SUCCESS);
    expect(m.setMigMode(dev, 0)).toEqual({ ret: 0, status: NVML.SUCCESS });
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 0, pending: 0 });
    expect(m.setMigMode(dev, 1).status).toBe(NVML.SUCCESS);
    expect(m.migByIndex(dev, 0).ret).toBe(NVML.NOT_FOUND); // enabled again, and empty
  });

  it('Ampere: the change stays pending (RESET_REQUIRED) until a GPU reset', () => {
    const dev = fresh('a100-40gb');
    expect(m.setMigMode(dev, 1)).toEqual({ ret: 0, status: NVML.RESET_REQUIRED });
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 0, pending: 1 });
    expect(m.createGi(dev, 19).ret).toBe(NVML.NOT_SUPPORTED);
    expect(ok(m.maxMig(dev))).toBe(0);
    expect(m.control({ cmd: 'gpuReset', gpu: 0 }).ok).toBe(true);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
    ok(m.createGi(dev, 9));
    // disabling pends as well; the instances stay until the reset
    expect(m.setMigMode(dev, 0).status).toBe(NVML.RESET_REQUIRED);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 0 });
    expect(ok(m.gis(dev, 9)).length).toBe(1);
    // asking for the current mode again cancels the pending change
    expect(m.setMigMode(dev, 1).status).toBe(NVML.SUCCESS);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
    m.setMigMode(dev, 0);
    m.control({ cmd: 'gpuReset', gpu: 0 });
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 0, pending: 0 });
    expect(m.gis(dev, 9).ret).toBe(NVML.NOT_SUPPORTED);
  });

  it('a GPU with processes: activation status IN_USE and the change stays pending (Hopper too)', () => {
    const dev = fresh('h100-80gb');
    m.control({ cmd: 'addProcess', gpu: 0, pid: 321, usedMemoryMiB: 100 });
    expect(m.setMigMode(dev, 1)).toEqual({ ret: 0, status: NVML.IN_USE });
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 0, pending: 1 });
    m.control({ cmd: 'removeProcess', pid: 321 });
    expect(m.setMigMode(dev, 1).status).toBe(NVML.SUCCESS);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
  });

  it('a GPU reset with processes is refused unless forced; forced, it ends them', () => {
    const dev = fresh('a100-40gb');
    m.control({ cmd: 'addProcess', gpu: 0, pid: 5, usedMemoryMiB: 1 });
    expect(m.setMigMode(dev, 1).status).toBe(NVML.IN_USE);
    const refused = m.control({ cmd: 'gpuReset', gpu: 0 });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/In use by another client/);
    expect(m.control({ cmd: 'gpuReset', gpu: 0, force: true }).ok).toBe(true);
    expect(m.migMode(dev)).toEqual({ ret: 0, current: 1, pending: 1 });
    expect(m.processes(dev).value).toEqual([]);
  });

  it('field 184: resetless MIG on Hopper, not on Ampere', () => {
    for (const [machine, want] of [['h100-80gb', 1], ['h200', 1], ['h100-94gb', 1], ['a100-40gb', 0], ['a100-80gb', 0], ['a30', 0]] as const) {
      const dev = fresh(machine);
      expect([machine, ok(m.fieldValues(dev, [184]))[0].value]).toEqual([machine, want]);
    }
  });

  it('bad arguments: mode 2, NULL status, a MIG device handle', () => {
    const dev = fresh('h100-80gb');
    expect(m.setMigMode(dev, 2).ret).toBe(NVML.INVALID_ARGUMENT);
    expect(m.fn.setMigMode(dev, 1, null)).toBe(NVML.INVALID_ARGUMENT);
    m.setMigMode(dev, 1);
    ok(m.createCi(ok(m.createGi(dev, 19)), 0));
    expect(m.setMigMode(ok(m.migByIndex(dev, 0)), 0).ret).toBe(NVML.NOT_SUPPORTED);
  });
});
