// The parser maps both spellings to the same command, and refuses what it cannot understand.
import { describe, expect, it } from 'vitest';
import { parseArgs, parseProfileSpec } from '../../dist/cli/args.js';
import { UsageError } from '../../dist/cli/errors.js';

const cmd = (...argv: string[]) => parseArgs(argv).command;

describe('argument parsing', () => {
  it('maps the nvidia-smi and readable spellings to the same commands', () => {
    expect(cmd('-i', '0', '-mig', '1')).toEqual(cmd('mode', 'enable'));
    expect(cmd('-mig', '0')).toEqual({ kind: 'mode', enable: false });
    expect(cmd('-L')).toEqual(cmd('list'));
    expect(cmd('mig', '-lgip')).toEqual(cmd('profiles'));
    expect(cmd('mig', '-lgipp')).toEqual(cmd('placements'));
    expect(cmd('mig', '-cgi', '19,14,9', '-C')).toEqual(cmd('create-gi', '19', '14,9', '--with-ci'));
    expect(cmd('mig', '-lgi', '-gi', '7')).toEqual(cmd('list-gi', '7'));
    expect(cmd('mig', '-dgi', '-gi', '7,8')).toEqual(cmd('destroy-gi', '--gi', '7', '8'));
    expect(cmd('mig', '-lcip', '-gi', '1')).toEqual(cmd('ci-profiles', '--gi', '1'));
    expect(cmd('mig', '-cci', '-gi', '1')).toEqual(cmd('create-ci', '--gi', '1'));
    expect(cmd('mig', '-cci', '0,1', '-gi', '1')).toEqual(cmd('create-ci', '0', '1', '--gi', '1'));
    expect(cmd('mig', '-lci', '-gi', '1', '-ci', '0')).toEqual(cmd('list-ci', '--gi', '1', '--ci', '0'));
    expect(cmd('mig', '-dci', '-ci', '0', '-gi', '1')).toEqual(cmd('destroy-ci', '0', '--gi', '1'));
    expect(cmd('mig', '--list-gpu-instances')).toEqual(cmd('mig', '-lgi'));
  });

  it('takes global options anywhere on the line, -i before or after mig', () => {
    const a = parseArgs(['mig', '-lgi', '-i', '0,1', '--json', '--mock', 'a100-40gb:2', '--mock-state', '/tmp/s.json']);
    const b = parseArgs(['--json', '-i', '0,1', '--mock=a100-40gb:2', '--mock-state=/tmp/s.json', 'mig', '-lgi']);
    expect(a).toEqual(b);
    expect(a.global).toEqual({ gpus: ['0', '1'], mock: 'a100-40gb:2', mockState: '/tmp/s.json', mockMachineGiven: true, json: true, debug: false, readOnly: false });
    // --mock without a machine does not swallow the command word.
    expect(parseArgs(['--mock', 'mig', '-lgip']).global.mock).toBe('h100-80gb');
    expect(parseArgs(['--mock', 'status']).command).toEqual({ kind: 'status' });
    expect(parseArgs(['-i', 'GPU-abc', '--read-only', '--debug', 'status']).global).toMatchObject({ gpus: ['GPU-abc'], readOnly: true, debug: true });
  });

  it('parses profiles by id, short name, driver name and placement', () => {
    expect(parseProfileSpec('19')).toEqual({ text: '19', id: 19, name: null, start: null });
    expect(parseProfileSpec('9:4')).toEqual({ text: '9:4', id: 9, name: null, start: 4 });
    expect(parseProfileSpec('3g.40gb')).toEqual({ text: '3g.40gb', id: null, name: '3g.40gb', start: null });
    expect(parseProfileSpec('MIG 1g.10gb+me:6')).toEqual({ text: 'MIG 1g.10gb+me:6', id: null, name: 'MIG 1g.10gb+me', start: 6 });
    const c = cmd('mig', '-cgi', '1g.10gb,MIG 3g.40gb');
    expect(c).toMatchObject({ kind: 'create-gi', profiles: [{ name: '1g.10gb' }, { name: 'MIG 3g.40gb' }] });
  });

  it('routes help, the layout commands and the exporter through the same registry', () => {
    expect(cmd()).toEqual({ kind: 'dashboard' }); // as a bare nvidia-smi
    expect(cmd('--help')).toEqual({ kind: 'help', topic: null });
    expect(cmd('create-gi', '--help')).toEqual({ kind: 'help', topic: 'create-gi' });
    expect(cmd('mig', '-cgi', '--help')).toEqual({ kind: 'help', topic: 'create-gi' });
    expect(cmd('-mig', '--help')).toEqual({ kind: 'help', topic: 'mode' });
    expect(cmd('apply', '-f', 'x.yaml', '--dry-run')).toMatchObject({ kind: 'apply', file: 'x.yaml', dryRun: true, force: false });
    expect(cmd('exporter', '--port', '0')).toEqual({ kind: 'exporter', port: 0, host: '127.0.0.1', intervalMs: 1000 });
    expect(cmd('exporter', '--help')).toEqual({ kind: 'help', topic: 'exporter' });
    expect(cmd('sim', 'add-process', '--help')).toEqual({ kind: 'help', topic: 'sim add-process' });
    expect(cmd('-r')).toEqual({ kind: 'gpu-reset', force: false });
    expect(cmd('sim', 'add-process', '42', '-gi', '1', '-ci', '0', '--name', 'python')).toEqual({ kind: 'sim add-process', pid: 42, name: 'python', memory: 0, gi: 1, ci: 0 });
  });

  it('refuses bad command lines with a UsageError naming the problem', () => {
    const bad: [string[], RegExp][] = [
      [['mig'], /needs an action/],
      [['mig', '-cgi'], /needs a list of profiles/],
      [['mig', '-lgi', '-lci'], /one action per command/],
      [['-mig', '2'], /0 \(disable\) or 1 \(enable\)/],
      [['mig', '-lgi', '-gi', 'x'], /invalid GPU instance id list/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['mode', 'on'], /'enable' or 'disable'/],
      [['-lgi'], /is a 'mig' option/],
      [['mig', '-cgi', '19', '--bogus'], /unknown option '--bogus'/],
      [['mig', '-cgi', 'MIG'], /invalid profile/],
      [['-i'], /-i needs/],
      [['list', 'extra'], /unexpected 'extra'/],
      [['apply', 'x.yaml', '-f', 'y.yaml'], /unexpected 'x.yaml'/],
      [['apply'], /apply needs -f <file>/],
      [['exporter', '--port', 'x'], /--port needs a whole number/],
      [['status', '--port', '1'], /unknown option '--port' for status/],
      [['sim'], /sim needs a command: show, reset, add-process/],
      [['sim', 'fault', 'nvmlDeviceGetCount', 'NOPE'], /unknown NVML return code 'NOPE'/],
      [['-r=1'], /-r takes no value|unknown option/],
    ];
    for (const [argv, re] of bad) {
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(re);
    }
  });
});
