// Every MIG config NVIDIA ships for a GPU model (all-balanced with its device filter, all-<profile>, the .me, .gfx,
// -me and .me.all variants; restated in fixtures/nvidia-mig-configs.yaml with their sources) applies and then asserts
// on that model of the mock, through the CLI (`nvml-mig --mock <model> apply -f ... -c ...`, then `assert`). The CLI
// runs in this process (runCli, what bin/nvml-mig calls) so that some 150 commands stay fast; each model has its
// own state file. Then the device-filter forms: `0xDDDDVVVV:0xSSSSvvvv` selects a GPU by its subsystem id too.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../dist/cli/run.js';

const FILE = join(__dirname, 'fixtures', 'nvidia-mig-configs.yaml');
const DIR = mkdtempSync(join(tmpdir(), 'nvml-mig-configs-'));

async function cli(model: string, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true) };
  const code = await runCli(['--mock', model, '--mock-state', join(DIR, `${model}.json`), ...args], { stdout: sink, stderr: sink } as never);
  return { code, out };
}

// Model -> the configs NVIDIA ships for it (by the comments and device filters of its configs).
const CASES: Record<string, string[]> = {
  // Blackwell
  b200: ['all-balanced', 'all-1g.23gb', 'all-1g.23gb.me', 'all-1g.45gb', 'all-2g.45gb', 'all-3g.90gb', 'all-4g.90gb', 'all-7g.180gb'],
  gb200: ['all-balanced', 'all-1g.23gb', 'all-1g.23gb.me', 'all-1g.47gb', 'all-2g.47gb', 'all-3g.93gb', 'all-4g.93gb', 'all-7g.186gb',
    // the earlier driver's names (1g.24gb, 1g.24gb+me, 3g.95gb, 4g.95gb, 7g.189gb): older names of GB200's profiles
    'all-1g.24gb', 'all-1g.24gb.me', 'all-3g.95gb', 'all-4g.95gb', 'all-7g.189gb'],
  b300: ['all-1g.34gb', 'all-1g.67gb', 'all-2g.67gb', 'all-3g.135gb', 'all-4g.135gb', 'all-7g.269gb'],
  gb300: ['all-1g.34gb', 'all-1g.67gb', 'all-2g.67gb', 'all-3g.135gb', 'all-4g.135gb', 'all-7g.269gb'],
  'rtx-pro-6000': ['all-balanced', 'all-1g.24gb', 'all-1g.24gb.me', 'all-1g.24gb.gfx', 'all-1g.24gb.me.all', 'all-1g.24gb-me', 'all-2g.48gb',
    'all-2g.48gb.gfx', 'all-2g.48gb.me.all', 'all-2g.48gb-me', 'all-4g.96gb', 'all-4g.96gb.gfx'],
  // Hopper
  'h100-80gb': ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  'h100-pcie': ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  h800: ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  'h100-94gb': ['all-balanced', 'all-1g.12gb', 'all-1g.12gb.me', 'all-1g.24gb', 'all-2g.24gb', 'all-3g.47gb', 'all-4g.47gb', 'all-7g.94gb'],
  'h800-nvl': ['all-balanced', 'all-1g.12gb', 'all-1g.12gb.me', 'all-2g.24gb', 'all-3g.47gb', 'all-4g.47gb', 'all-7g.94gb'],
  'h100-96gb': ['all-balanced', 'all-1g.12gb', 'all-1g.12gb.me', 'all-2g.24gb', 'all-3g.48gb', 'all-4g.48gb', 'all-7g.96gb'],
  'gh200-96gb': ['all-balanced', 'all-1g.12gb', 'all-1g.12gb.me', 'all-2g.24gb', 'all-3g.48gb', 'all-4g.48gb', 'all-7g.96gb'],
  h20: ['all-balanced', 'all-1g.12gb', 'all-1g.12gb.me', 'all-2g.24gb', 'all-3g.48gb', 'all-4g.48gb', 'all-7g.96gb'],
  'gh200-144gb': ['all-balanced', 'all-1g.18gb', 'all-1g.18gb.me', 'all-1g.36gb', 'all-2g.36gb', 'all-3g.72gb', 'all-4g.72gb', 'all-7g.144gb'],
  h200: ['all-balanced', 'all-1g.18gb', 'all-1g.18gb.me', 'all-1g.35gb', 'all-2g.35gb', 'all-3g.71gb', 'all-4g.71gb', 'all-7g.141gb'],
  'h200-nvl': ['all-balanced', 'all-1g.18gb', 'all-1g.18gb.me', 'all-1g.35gb', 'all-2g.35gb', 'all-3g.71gb', 'all-4g.71gb', 'all-7g.141gb'],
  // Ampere
  'a100-40gb': ['all-balanced', 'all-1g.5gb', 'all-1g.5gb.me', 'all-1g.10gb', 'all-2g.10gb', 'all-3g.20gb', 'all-4g.20gb', 'all-7g.40gb'],
  'a100-pcie-40gb': ['all-balanced', 'all-1g.5gb', 'all-1g.5gb.me', 'all-1g.10gb', 'all-2g.10gb', 'all-3g.20gb', 'all-4g.20gb', 'all-7g.40gb'],
  'a800-40gb': ['all-balanced', 'all-1g.5gb', 'all-1g.5gb.me', 'all-1g.10gb', 'all-2g.10gb', 'all-3g.20gb', 'all-4g.20gb', 'all-7g.40gb'],
  'a100-80gb': ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  'a100-pcie-80gb': ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  'a800-80gb': ['all-balanced', 'all-1g.10gb', 'all-1g.10gb.me', 'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb'],
  a30: ['all-balanced', 'all-1g.6gb', 'all-1g.6gb.me', 'all-2g.12gb', 'all-2g.12gb.me', 'all-4g.24gb'],
};

describe.each(Object.entries(CASES))('NVIDIA configs on %s', (model, configs) => {
  it(`applies and asserts ${configs.length} configs, then all-disabled`, async () => {
    if (/^a(100|800|30)/.test(model)) { // Ampere: MIG mode takes effect at a GPU reset
      await cli(model, '-i', '0', '-mig', '1'); // pending: exits non-zero with the reset warning, as nvidia-smi
      expect((await cli(model, '--json', 'status')).out).toContain('ending');
      expect((await cli(model, '-r')).code).toBe(0);
    }
    for (const config of configs) {
      const applied = await cli(model, 'apply', '-f', FILE, '-c', config);
      expect([config, applied.code, applied.out]).toEqual([config, 0, expect.stringContaining('Applied')]);
      const asserted = await cli(model, 'assert', '-f', FILE, '-c', config);
      expect([config, asserted.code, asserted.out]).toEqual([config, 0, expect.stringContaining('is currently applied')]);
    }
    // a config for another model is not "applied" here (the assertion can fail)
    const other = model.startsWith('a30') ? 'all-1g.10gb.me' : 'all-1g.6gb';
    expect((await cli(model, 'assert', '-f', FILE, '-c', other)).code).not.toBe(0);
  });
});

describe('device-filter with the PCI subsystem id', () => {
  it('0xDDDDVVVV:0xSSSSvvvv selects the board with that subsystem id only', async () => {
    const file = join(DIR, 'subsystem.yaml');
    // the real H200 SXM's ids (device 0x2335, subsystem 0x18BF10DE); a second entry for another subsystem id
    writeFileSync(file, [
      'version: v1', 'mig-configs:', '  by-subsystem:',
      '    - device-filter: ["0x233510DE:0x18BF10DE"]', '      devices: all', '      mig-enabled: true', '      mig-devices:', '        "3g.71gb": 2',
      '  other-subsystem:',
      '    - device-filter: "0x233510DE:0x18B010DE"', '      devices: all', '      mig-enabled: true', '      mig-devices:', '        "7g.141gb": 1', '',
    ].join('\n'));
    const applied = await cli('h200', 'apply', '-f', file, '-c', 'by-subsystem');
    expect([applied.code, applied.out]).toEqual([0, expect.stringContaining('Applied')]);
    expect((await cli('h200', 'assert', '-f', file, '-c', 'by-subsystem')).code).toBe(0);
    const list = await cli('h200', 'mig', '-lgi');
    expect(list.out.match(/MIG 3g\.71gb/g)).toHaveLength(2);
    // an entry whose subsystem id differs selects nothing: nothing is changed
    const none = await cli('h200', 'apply', '-f', file, '-c', 'other-subsystem');
    expect((await cli('h200', 'mig', '-lgi')).out.match(/MIG 3g\.71gb/g)).toHaveLength(2);
    expect(none.out).not.toContain('7g.141gb at');
  });
});

describe('older profile names, resolved per GPU', () => {
  it("GB200: a config in the earlier driver's names applies and asserts; -cgi takes them; output and export use the current names", async () => {
    const m = 'gb200';
    const file = join(DIR, 'gb200-older.yaml');
    writeFileSync(file, [
      'version: v1', 'mig-configs:', '  older-balanced:',
      '    - device-filter: ["0x294110DE"]', '      devices: all', '      mig-enabled: true', '      mig-devices:',
      '        "1g.24gb": 2', '        "1c.3g.95gb": 1', '        "2c.3g.95gb": 1', '',
    ].join('\n'));
    const applied = await cli(m, 'apply', '-f', file, '-c', 'older-balanced');
    expect([applied.code, applied.out]).toEqual([0, expect.stringContaining('Applied')]);
    expect((await cli(m, 'assert', '-f', file, '-c', 'older-balanced')).code).toBe(0);
    const exported = await cli(m, 'export');
    expect(exported.out).toMatch(/1g\.23gb.*2/);
    expect(exported.out).toContain('1c.3g.93gb');
    expect(exported.out).not.toMatch(/1g\.24gb|3g\.95gb/);
    expect((await cli(m, 'apply', '-f', FILE, '-c', 'all-disabled')).code).toBe(0);
    expect((await cli(m, 'apply', '-f', FILE, '-c', 'all-balanced')).code).toBe(0); // MIG on, the current names
    await cli(m, 'mig', '-dci');
    await cli(m, 'mig', '-dgi');
    const created = await cli(m, 'mig', '-cgi', '7g.189gb', '-C');
    expect([created.code, created.out]).toEqual([0, expect.stringContaining('MIG 7g.186gb')]);
    const listed = await cli(m, 'mig', '-lgi');
    expect(listed.out).toContain('MIG 7g.186gb');
    expect(listed.out).not.toContain('189gb');
    await cli(m, 'mig', '-dci');
    await cli(m, 'mig', '-dgi');
  });

  it("another model's older name is refused there, naming that GPU's profiles", async () => {
    for (const m of ['b200', 'h100-80gb']) expect((await cli(m, '-mig', '1')).code).toBe(0); // resetless: on at once
    // B200's 1-slice profile is 1g.23gb too, but no driver named it 1g.24gb: the alias is GB200's only
    const b200 = await cli('b200', 'mig', '-cgi', '1g.24gb');
    expect(b200.code).not.toBe(0);
    expect(b200.out).toContain('NVIDIA B200 has no such GPU instance profile');
    expect(b200.out).toContain('(1g.23gb)');
    const file = join(DIR, 'b200-older.yaml');
    writeFileSync(file, ['version: v1', 'mig-configs:', '  older:', '    - devices: all', '      mig-enabled: true', '      mig-devices:', '        "3g.95gb": 1', ''].join('\n'));
    const applied = await cli('b200', 'apply', '-f', file, '-c', 'older');
    expect(applied.code).not.toBe(0);
    expect(applied.out).toMatch(/3g\.95gb is not offered by NVIDIA B200 \(GPU-instance profiles: .*3g\.90gb/);
    // H100 80GB: no recorded driver named its 3g profile 3g.39gb (Slurm's gres names do; not a driver rename)
    const h100 = await cli('h100-80gb', 'mig', '-cgi', '3g.39gb', '-C');
    expect(h100.code).not.toBe(0);
    expect(h100.out).toContain('NVIDIA H100 80GB HBM3 has no such GPU instance profile');
    expect(h100.out).toContain('(3g.40gb)');
  });
});
