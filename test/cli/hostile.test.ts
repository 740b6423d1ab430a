// Issue points as a new user meets them on the CLI: one JSON document on every failure, state
// files that are corrupt, empty or of another machine, disabling MIG with instances present,
// processes on MIG devices in status, and internal errors that must not reach the user.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Sim, runCli } from './helpers';

// Each test spawns the CLI many times; the shared CI machine may be slow.
vi.setConfig({ testTimeout: 120_000 });

const dir = mkdtempSync(join(tmpdir(), 'nvml-mig-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lineCount = (s: string) => s.split('\n').filter(Boolean).length;

describe('--json: exactly one document with the envelope, failures included', () => {
  const sim = new Sim('h100-80gb');
  afterAll(() => sim.cleanup());
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: maybe\n');
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: { "1g.10gb": 1 }\n');

  it('on every command and every kind of failure', () => {
    const cases: [string[], number][] = [
      [['apply', '-f', bad], 2],
      [['apply', '-f', join(dir, 'missing.yaml')], 2],
      [['apply', '-f', dir], 2],
      [['assert', '-f', good], 1],
      [['apply', '-f', good, '--dry-run'], 0],
      [['export'], 0],
      [['exporter', '--port', 'x'], 2],
      [['help', 'nothing'], 2],
      [['bogus'], 2],
      [['sim', 'remove-process', '9'], 3],
      [['-i', '5', 'status'], 3],
      [['mig', '-dgi', '-gi', '99'], 3],
    ];
    for (const [argv, code] of cases) {
      const r = sim.run('--json', ...argv);
      const what = argv.join(' ');
      expect(r.code, what).toBe(code);
      const doc = JSON.parse(r.stdout); // one document: JSON.parse refuses two
      expect(doc, what).toMatchObject({ schemaVersion: 1, ok: code === 0, exitCode: code, warnings: expect.any(Array), errors: expect.any(Array) });
      if (code !== 0) expect(doc.errors.length, what).toBeGreaterThan(0);
    }
    // The NVML library cannot be loaded: still one document.
    const r = runCli(['--json', 'status'], { NVML_LIBRARY_PATH: '/nonexistent/libnvidia-ml.so.1' });
    expect(r.code).toBe(12);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'status', ok: false, exitCode: 12, errors: [{ code: 'ERR_NVML_LOAD_FAILED' }] });
  });
});

describe('the simulator state file', () => {
  it('corrupt: one line naming the file and what to do (exit 8); the file is kept as it was', () => {
    for (const [name, text] of [['corrupt.json', '{"machine": "h100-80gb", "gpus": [ {'], ['array.json', '[1,2]'], ['text.json', 'hello']]) {
      const state = join(dir, name);
      writeFileSync(state, text);
      const r = runCli(['--mock', 'h100-80gb', '--mock-state', state, 'status']);
      expect(r.code, name).toBe(8);
      expect(lineCount(r.stderr), name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^nvml-mig: the simulator state file ${state} .*: remove it to start a fresh machine, or choose another with --mock-state <file>\\n$`));
      expect(readFileSync(state, 'utf8'), name).toBe(text);
      const j = runCli(['--mock', 'h100-80gb', '--mock-state', state, '--json', 'status']);
      expect(JSON.parse(j.stdout).errors[0].code).toBe('MOCK_STATE_INVALID');
    }
  });

  it('empty: a fresh machine', () => {
    const state = join(dir, 'empty.json');
    writeFileSync(state, '');
    expect(runCli(['--mock', 'a30', '--mock-state', state, '-L'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^GPU 0: NVIDIA A30 /) });
    expect(JSON.parse(readFileSync(state, 'utf8')).machine).toBe('a30');
  });

  it("another machine's file: an error naming both, unless --mock names none; sim reset replaces it", () => {
    const state = join(dir, 'h100.json');
    expect(runCli(['--mock', 'h100-80gb', '--mock-state', state, '-mig', '1']).code).toBe(0);
    const r = runCli(['--mock', 'a30', '--mock-state', state, '-L']);
    expect(r.code).toBe(8);
    expect(r.stderr).toBe(`nvml-mig: the simulator state file ${state} holds a h100-80gb machine, not a30: use --mock h100-80gb, another --mock-state, or 'nvml-mig --mock a30 --mock-state ${state} sim reset' to replace it\n`);
    // --mock without a machine: the file's machine.
    expect(runCli(['--mock', '--mock-state', state, '-L']).stdout).toMatch(/^GPU 0: NVIDIA H100 80GB HBM3 /);
    expect(runCli(['--mock', 'a30', '--mock-state', state, 'sim', 'reset']).stdout).toBe('Simulated machine a30 started afresh (1 GPU).\n');
    expect(runCli(['--mock', 'a30', '--mock-state', state, '-L']).stdout).toMatch(/^GPU 0: NVIDIA A30 /);
  });
});

describe('MIG mode off with instances, processes on MIG devices, internal errors', () => {
  const sim = new Sim('h100-80gb');
  afterAll(() => sim.cleanup());

  it('-mig 0 on Hopper with instances is refused (exit 5) and keeps them; processes are named first', () => {
    expect(sim.run('-mig', '1').code).toBe(0);
    expect(sim.run('mig', '-cgi', '9', '-C').code).toBe(0);
    const gi = sim.json('list-gi').doc.gpus[0].gpuInstances[0].id; // the driver's numbering, not ours
    expect(sim.run('sim', 'add-process', '77', '--name', 'train', '--memory', '512', '-gi', String(gi)).code).toBe(0);
    const r = sim.run('-mig', '0');
    expect(r).toEqual({
      code: 5, stdout: '',
      stderr: `Unable to disable MIG mode for GPU 00000000:07:00.0: In use by another client (process 77 (train) uses GPU 0: stop it first; GPU instance ${gi} exists: destroy it first with 'nvml-mig -i 0 mig -dci' then 'nvml-mig -i 0 mig -dgi')\n`,
    });
    expect(sim.json('list-gi').doc.gpus[0].gpuInstances).toHaveLength(1);
    // status shows the process under its MIG device and does not end with "Processes: none".
    const status = sim.run('status').stdout;
    expect(status).toContain('process 77 train, 512 MiB');
    expect(status).toMatch(/Processes: 1 on MIG devices \(above\), none outside them\n$/);
    expect(sim.run('sim', 'remove-process', '77').code).toBe(0);
    expect(sim.run('mig', '-dci').code).toBe(0);
    expect(sim.run('mig', '-dgi').code).toBe(0);
    expect(sim.run('-mig', '0')).toEqual({ code: 0, stdout: 'Disabled MIG Mode for GPU 00000000:07:00.0\nAll done.\n', stderr: '' });
  });

  it('a repeated id acts once; no stale-handle or internal message reaches the user', () => {
    expect(sim.run('-mig', '1').code).toBe(0);
    expect(sim.run('mig', '-cgi', '19').code).toBe(0);
    const gi = String(sim.json('list-gi').doc.gpus[0].gpuInstances[0].id);
    expect(sim.run('mig', '-dgi', '-gi', `${gi},${gi}`)).toEqual({ code: 0, stdout: `Successfully destroyed GPU instance ID ${gi.padStart(2)} from GPU  0\n`, stderr: '' });
    for (const argv of [['mig', '-dgi', '-gi', `${gi},${gi}`], ['apply', '-f', '/tmp'], ['sim', 'fault', 'x', '1'], ['sim', 'latency', '*', '99999999999']]) {
      const r = sim.run(...argv);
      expect(r.stderr, argv.join(' ')).not.toMatch(/internal error|stale|EISDIR|TypeError|at .*\.js/);
      expect(lineCount(r.stderr), argv.join(' ')).toBe(1);
    }
  });
});
