import { describe, expect, it } from 'vitest';
import { LayoutConfigError, loadMigPartedConfig, parseMigPartedConfig, parseProfileKey, selectConfig, validateMigPartedConfig } from '../../dist/layout/index.js';

function problems(text: string): string[] {
  try {
    parseMigPartedConfig(text, 'cfg.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(LayoutConfigError);
    return (e as LayoutConfigError).message.split('\n');
  }
  throw new Error('expected the config to be rejected');
}

describe('mig-parted config', () => {
  it('reads the example file unchanged, with every config and canonical keys', () => {
    const cfg = loadMigPartedConfig('examples/mig-config.yaml');
    expect(Object.keys(cfg.migConfigs)).toEqual(['all-disabled', 'all-enabled', 'all-1g', 'all-balanced', 'custom-mixed']);
    expect(cfg.migConfigs['all-enabled']![0]).toMatchObject({ devices: 'all', migEnabled: true, migDevices: {} });
    expect(cfg.migConfigs['all-1g']![2]!.deviceFilter).toEqual(['0x20B210DE', '0x233010DE']);
    expect(cfg.migConfigs['custom-mixed']![0]).toMatchObject({ devices: [0], migEnabled: false, deviceFilter: null });
  });

  it('accepts the subsystem form of device-filter and JSON input', () => {
    const cfg = parseMigPartedConfig('{"version":"v1","mig-configs":{"a":[{"devices":[0,1],"device-filter":"0x233010DE:0x16C110DE","mig-enabled":true,"mig-devices":{"3c.3g.40gb":1}}]}}');
    expect(cfg.migConfigs.a![0]).toMatchObject({ devices: [0, 1], deviceFilter: ['0x233010DE:0x16C110DE'], migDevices: { '3g.40gb': 1 } });
  });

  it('points at file:line:column and says what is wrong', () => {
    const text = [
      'version: v1',            // 1
      'mig-configs:',           // 2
      '  bad:',                 // 3
      '    - devices: all',     // 4
      '      mig-enabled: yes', // 5
      '      colour: blue',     // 6
      '    - devices: [0, -1]', // 7
      '      mig-enabled: true', // 8
      '      mig-devices:',     // 9
      '        "1g.10gb": -2',  // 10
      '        "2x.20gb": 1',   // 11
      '        "4c.3g.40gb": 1', // 12
      '      device-filter: 0x2330', // 13
    ].join('\n');
    const p = problems(text);
    expect(p).toContain('cfg.yaml:5:20: mig-configs.bad[0]: mig-enabled: expected true or false, got string "yes"');
    expect(p).toContain('cfg.yaml:6:7: mig-configs.bad[0]: unknown field "colour" (allowed: devices, mig-enabled, mig-devices, device-filter)');
    expect(p.some((l) => l.startsWith('cfg.yaml:7:') && l.includes('expected a GPU index (integer >= 0), got number -1'))).toBe(true);
    expect(p).toContain('cfg.yaml:10:20: mig-configs.bad[1]: mig-devices: count of 1g.10gb must be an integer >= 0, got number -2');
    expect(p.some((l) => l.startsWith('cfg.yaml:11:9:') && l.includes('"2x.20gb" is not a MIG profile'))).toBe(true);
    expect(p.some((l) => l.startsWith('cfg.yaml:12:9:') && l.includes('cannot fit a 3-slice GPU instance'))).toBe(true);
    expect(p.some((l) => l.startsWith('cfg.yaml:13:22:') && l.includes('device-filter: expected a PCI id'))).toBe(true);
  });

  it('rejects missing required fields, wrong version, and mig-devices with MIG off', () => {
    expect(problems('mig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n')).toEqual(['cfg.yaml:1:1: missing required field "version" (must be v1)']);
    expect(problems('version: v2\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n')[0]).toBe('cfg.yaml:1:10: version: unsupported version string "v2" (must be v1)');
    expect(problems('version: v1\nmig-configs:\n  a:\n    - mig-enabled: true\n')).toEqual([
      'cfg.yaml:4:7: mig-configs.a[0]: missing required field "devices" (all, or a list of GPU indices)',
      'cfg.yaml:4:7: mig-configs.a[0]: mig-devices is required when mig-enabled is true (use {} for no devices)',
    ]);
    expect(problems('version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: false\n      mig-devices: {"1g.10gb": 1}\n')[0]).toMatch(/^cfg\.yaml:6:7: .*must be empty when mig-enabled is false/);
    expect(problems('version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 0}\n')[0]).toMatch(/every count is 0/);
    expect(problems('version: v1\nmig-configs: {}\n')[0]).toMatch(/at least one config/);
    expect(problems('version: v1\nversion: v1\n')[0]).toMatch(/^cfg\.yaml:2:1: YAML: Map keys must be unique/);
  });

  it('selects a config by name, or the only one', () => {
    const cfg = loadMigPartedConfig('examples/mig-config.yaml');
    expect(selectConfig(cfg, 'all-1g').entries).toHaveLength(5);
    expect(() => selectConfig(cfg)).toThrow(/holds 5 configs .* choose one with -c/);
    expect(() => selectConfig(cfg, 'nope')).toThrow(/no config named "nope"/);
    const one = parseMigPartedConfig('version: v1\nmig-configs:\n  only:\n    - devices: all\n      mig-enabled: false\n');
    expect(selectConfig(one).name).toBe('only');
  });

  it('validates plain objects with the same rules', () => {
    expect(validateMigPartedConfig({ version: 'v1', 'mig-configs': { a: [{ devices: 'all', 'mig-enabled': true, 'mig-devices': { '1g.10gb': 7 } }] } }).migConfigs.a![0]!.migDevices).toEqual({ '1g.10gb': 7 });
    expect(() => validateMigPartedConfig({ version: 'v1', 'mig-configs': { a: [{ devices: 'some', 'mig-enabled': true }] } })).toThrow(/devices: expected "all" or a list/);
  });

  it('parses profile keys as go-nvlib does', () => {
    expect(parseProfileKey('1c.3g.40gb')).toMatchObject({ ciSlices: 1, giSlices: 3, giName: '3g.40gb', key: '1c.3g.40gb' });
    expect(parseProfileKey('3c.3g.40gb')).toMatchObject({ ciSlices: null, key: '3g.40gb' });
    expect(parseProfileKey('1g.24gb+me.all')).toMatchObject({ giName: '1g.24gb+me.all' });
    expect(parseProfileKey('1g.24gb-me')).toMatchObject({ giName: '1g.24gb-me' });
    expect(typeof parseProfileKey('1g')).toBe('string');
    expect(typeof parseProfileKey('0g.5gb')).toBe('string');
  });
});
