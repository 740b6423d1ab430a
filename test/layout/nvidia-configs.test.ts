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
  gb200: ['all-balanced', 'all-1g.23gb', 'all-1g.23gb.me', 'all-1g.47gb', 'all-2g.47gb', 'all-3g.93gb', 'all-4g.93gb', 'all-7g.186gb'],
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
