// One profile-name grammar: the same table of names through the type itself, the command line
// (`create-gi NAME`) and a layout file (a mig-devices key). Each path must accept and reject the
// same strings, and agree on the canonical form.
import { describe, expect, it } from 'vitest';
import { MigProfileName, parseProfileName, sameProfileName } from '../../dist/index.js';
import { parseMigPartedConfig, parseProfileKey } from '../../dist/layout/index.js';
import { parseArgs } from '../../dist/cli/args.js';
import { UsageError } from '../../dist/cli/errors.js';

// name → canonical form
const VALID: Array<[string, string]> = [
  ['1g.10gb', '1g.10gb'],
  ['MIG 1g.10gb', '1g.10gb'],
  ['mig 1g.10gb', '1g.10gb'],
  ['1G.10GB', '1g.10gb'],
  ['7g.80gb', '7g.80gb'],
  ['1c.3g.40gb', '1c.3g.40gb'],
  ['MIG 2c.4g.40gb', '2c.4g.40gb'],
  ['3c.3g.40gb', '3g.40gb'], // the GI-wide compute instance is named like its GPU instance
  ['1g.10gb+me', '1g.10gb+me'],
  ['1g.24gb-me', '1g.24gb-me'],
  ['1g.24gb+me.all', '1g.24gb+me.all'],
  ['2g.48gb+gfx,me', '2g.48gb+gfx,me'],
  ['1c.2g.48gb+gfx', '1c.2g.48gb+gfx'],
  ['MIG 1g.18gb', '1g.18gb'],
];

const INVALID = [
  '',
  'MIG',
  '1g',
  'g.10gb',
  '1g.10',
  '0g.10gb',
  '1g.0gb',
  '0c.3g.40gb',
  '4c.3g.40gb',
  '1g.10gb+',
  '1g.10gb-',
  '1g.10gb+me-gfx',
  '1g.10gb+me.',
  '1g.10gb+me,,gfx',
  '1g.10gb+me,me',
  '1g.10gb+1me',
  '1g.10GiB',
  '1g.10gb extra',
  'MIG1g.10gb',
  '3x.40gb',
  'ten gigs',
];

/** Whether `create-gi NAME` takes the name (a UsageError names the profile when it does not). */
function cliAccepts(name: string): boolean {
  try {
    const cmd = parseArgs(['create-gi', name]).command as { profiles: Array<{ name: string | null }> };
    expect(cmd.profiles.map((p) => p.name)).toEqual([name.trim()]);
    return true;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return false;
  }
}

/** The canonical key a layout file stores for `name`, or null when the file is refused. */
function layoutKey(name: string): string | null {
  const yaml = `version: v1\nmig-configs:\n  c:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        ${JSON.stringify(name)}: 1\n`;
  try {
    const cfg = parseMigPartedConfig(yaml);
    return Object.keys(cfg.migConfigs.c[0].migDevices)[0];
  } catch (e) {
    expect((e as Error).name).toBe('LayoutConfigError');
    return null;
  }
}

describe('one profile-name grammar', () => {
  it.each(VALID)('%s: the type, parseProfileName, create-gi and a layout file accept it as %s', (name, canonical) => {
    const p = MigProfileName.parse(name);
    expect(String(p)).toBe(canonical);
    expect(p.fullName).toBe(`MIG ${canonical}`);
    expect(MigProfileName.parse(p.fullName).equals(p)).toBe(true);
    expect(parseProfileName(name)?.canonical).toBe(canonical);
    expect(parseProfileKey(name)).toMatchObject({ key: canonical });
    expect(cliAccepts(name)).toBe(true);
    expect(layoutKey(name)).toBe(canonical);
  });

  it.each(INVALID)('%j: every path refuses it with a reason', (name) => {
    expect(() => MigProfileName.parse(name)).toThrow(RangeError);
    expect(parseProfileName(name)).toBeNull();
    expect(typeof parseProfileKey(name)).toBe('string');
    expect(cliAccepts(name)).toBe(false);
    expect(layoutKey(name)).toBeNull();
  });

  it('explains what is wrong', () => {
    expect(MigProfileName.check('4c.3g.40gb')).toMatch(/compute instance of 4 slices cannot fit a 3-slice GPU instance/);
    expect(MigProfileName.check('1g.10gb+me,me')).toMatch(/listed twice/);
    expect(MigProfileName.check('3x.40gb')).toMatch(/is not a MIG profile: expected/);
    expect(() => parseArgs(['create-gi', '4c.3g.40gb'])).toThrow(/cannot fit a 3-slice GPU instance/);
    expect(() => MigProfileName.parse(42 as unknown as string)).toThrow(TypeError);
  });

  it('keeps a name\'s attribute list whole in a comma-separated create-gi list', () => {
    const cmd = parseArgs(['create-gi', '2g.48gb+gfx,me,19,1g.10gb:3']).command as { profiles: Array<{ id: number | null; name: string | null; start: number | null }> };
    expect(cmd.profiles).toMatchObject([{ name: '2g.48gb+gfx,me' }, { id: 19 }, { name: '1g.10gb', start: 3 }]);
  });

  it('compares names by meaning', () => {
    expect(sameProfileName('3c.3g.40gb', 'MIG 3g.40gb')).toBe(true);
    expect(sameProfileName('2g.48gb+gfx,me', '2G.48GB+GFX,ME')).toBe(true);
    expect(MigProfileName.parse('1g.10gb').equals('1g.10gb+me')).toBe(false);
    expect(MigProfileName.parse('1g.10gb').equals('not a name')).toBe(false);
  });
});
