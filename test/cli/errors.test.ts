// Error paths a script relies on: each failure is one line on stderr with a documented exit code
// (docs/cli.md), and --json carries the same failure.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sim, runCli } from './helpers';

const lineCount = (s: string) => s.split('\n').filter(Boolean).length;

describe('pending MIG mode on Ampere (simulated A100)', () => {
  let sim: Sim;
  beforeAll(() => {
    sim = new Sim('a100-40gb');
  });
  afterAll(() => sim.cleanup());

  it('-mig 1 warns that the mode is pending and says how to reset; exit 1', () => {
    const r = sim.run('-i', '0', '-mig', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Warning: MIG mode is in pending enable state for GPU 00000000:07:00.0:GPU requires reset\n' +
        `MIG mode enable is pending on GPU 0 (00000000:07:00.0): a GPU reset is needed to make it effective: on the simulator, run 'nvml-mig --mock a100-40gb --mock-state ${sim.state} -r -i 0' once no simulated process uses the GPU\n`,
    );
    const { code, doc } = sim.json('-mig', '1');
    expect(code).toBe(1);
    expect(doc).toMatchObject({
      schemaVersion: 1, command: 'mode', ok: false, exitCode: 1,
      results: [{ gpu: 0, requested: true, activationStatus: 'NVML_ERROR_RESET_REQUIRED', effective: false, mode: { current: false, pending: true, changePending: true } }],
      errors: [{ gpu: 0, code: 'MIG_MODE_PENDING', exitCode: 1 }],
    });
  });

  it('refuses GPU instance changes while the mode is pending, with the same advice; status shows it', () => {
    const r = sim.run('mig', '-cgi', '19');
    expect(r.code).toBe(3);
    expect(lineCount(r.stderr)).toBe(1);
    expect(r.stderr).toMatch(/^No MIG-enabled devices found: MIG mode is pending enable on GPU 0 .*on the simulator, run 'nvml-mig --mock a100-40gb --mock-state \S+ -r -i 0'/);
    expect(sim.run('mig', '-lgi')).toEqual({ code: 0, stdout: 'No MIG-enabled devices found.\n', stderr: '' });
    expect(sim.run('status').stdout).toContain('MIG mode: Disabled, pending Enabled (a GPU reset is needed');
    expect(sim.json('status').doc.gpus[0].migMode).toEqual({ current: false, pending: true, changePending: true });
  });

  it('after a (simulated) reset, names resolve against the A100 profiles', () => {
    sim.control({ cmd: 'gpuReset', gpu: 0 });
    const ok = sim.run('mig', '-cgi', '3g.20gb,MIG 1g.5gb');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(
      /^Successfully created GPU instance ID {2}[12] on GPU {2}0 using profile MIG 3g\.20gb \(ID {2}9\)\nSuccessfully created GPU instance ID (?: [7-9]|1[0-3]) on GPU {2}0 using profile MIG 1g\.5gb \(ID 19\)\n$/,
    );
    const r = sim.run('mig', '-cgi', '3g.40gb');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('Unable to create a GPU instance on GPU  0 using profile 3g.40gb: NVIDIA A100-SXM4-40GB has no such GPU instance profile (it has 19 (1g.5gb), 20 (1g.5gb+me), 15 (1g.10gb), 14 (2g.10gb), 9 (3g.20gb), 5 (4g.20gb), 0 (7g.40gb))\n');
  });
});

describe('profiles resolve per GPU on a mixed machine', () => {
  it('1g.6gb is id 14 on the A30 and unknown on the A100', () => {
    const sim = new Sim('a100-40gb:1,a30:1');
    try {
      sim.run('-mig', '1');
      sim.control({ cmd: 'gpuReset', gpu: 0 });
      sim.control({ cmd: 'gpuReset', gpu: 1 });
      expect(sim.run('mig', '-i', '1', '-cgi', '1g.6gb').stdout).toBe('Successfully created GPU instance ID  3 on GPU  1 using profile MIG 1g.6gb (ID 14)\n');
      const a100 = sim.run('-i', '0', 'mig', '-cgi', '1g.6gb');
      expect(a100.code).toBe(3);
      expect(a100.stderr).toMatch(/^Unable to create a GPU instance on GPU {2}0 using profile 1g\.6gb: NVIDIA A100-SXM4-40GB has no such/);
      // The same short name, two GPUs, two ids.
      const both = sim.json('mig', '-cgi', '2g.10gb');
      expect(both.code).toBe(3);
      expect(both.doc.created.map((c: any) => [c.gpu, c.gpuInstance.profileId])).toEqual([[0, 14]]);
      expect(both.doc.errors).toMatchObject([{ gpu: 1, code: 'PROFILE_NOT_FOUND', exitCode: 3 }]);
    } finally {
      sim.cleanup();
    }
  });
});

describe('refusals on a simulated H100', () => {
  let sim: Sim;
  beforeAll(() => {
    sim = new Sim('h100-80gb');
  });
  afterAll(() => sim.cleanup());

  it('MIG mode off: changes are refused with how to enable it (exit 3)', () => {
    const r = sim.run('mig', '-cgi', '19');
    expect(r).toEqual({ code: 3, stdout: '', stderr: "No MIG-enabled devices found: MIG mode is disabled on GPU 0 (00000000:07:00.0): enable it first with 'nvml-mig -i 0 -mig 1'\n" });
  });

  it('unprivileged: needs root (exit 4)', () => {
    const mode = sim.runEnv({ NVML_MOCK_UNPRIVILEGED: '1' }, '-mig', '1');
    expect(mode.code).toBe(4);
    expect(mode.stderr).toBe('Unable to enable MIG mode for GPU 00000000:07:00.0: Insufficient Permissions (changing the MIG configuration needs root: run it with sudo)\n');
    expect(sim.run('-mig', '1').code).toBe(0);
    const cgi = sim.runEnv({ NVML_MOCK_UNPRIVILEGED: '1' }, 'mig', '-cgi', '19', '-C');
    expect(cgi).toEqual({
      code: 4, stdout: '',
      stderr: 'Unable to create a GPU instance on GPU  0 using profile 19: Insufficient Permissions (changing the MIG configuration needs root: run it with sudo)\n' +
        'Failed to create GPU instances: Insufficient Permissions\n',
    });
  });

  it('--read-only refuses changes before the driver (exit 7) and still lists', () => {
    const r = sim.run('--read-only', 'mig', '-cgi', '19');
    expect(r).toEqual({ code: 7, stdout: '', stderr: 'Unable to create a GPU instance on GPU  0 using profile 19: Refused by the read-only interlock (--read-only or NVML_MIG_READONLY=1)\n' });
    expect(sim.run('mig', '-lgi', '--read-only')).toEqual({ code: 6, stdout: 'No GPU instances found: Not Found\n', stderr: '' });
  });

  it('no room, bad placement, unknown instance: exit 3 with NVML\'s words', () => {
    expect(sim.run('mig', '-cgi', '0').code).toBe(0);
    expect(sim.run('mig', '-cgi', '19')).toEqual({
      code: 3, stdout: '',
      stderr: "Unable to create a GPU instance on GPU  0 using profile 19: Insufficient Resources (no room left for this profile: see free slots with 'nvml-mig mig -lgip' and 'mig -lgi')\n" +
        'Failed to create GPU instances: Insufficient Resources\n', // nvidia-smi 580's closing line
    });
    expect(sim.run('mig', '-dgi', '-gi', '0').code).toBe(0);
    expect(sim.run('mig', '-cgi', '9:2')).toEqual({
      code: 3, stdout: '', stderr: 'Unable to create a GPU instance on GPU  0 using profile 9:2: placement start 2 is not valid for MIG 3g.40gb (valid: 0:4, 4:4)\n',
    });
    expect(sim.run('mig', '-cgi', '9:4').stdout).toMatch(/^Successfully created GPU instance ID {2}\d on GPU {2}0 using profile MIG 3g\.40gb \(ID {2}9\)\n$/);
    expect(sim.json('list-gi').doc.gpus[0].gpuInstances.map((g: any) => g.placement)).toEqual([{ start: 4, size: 4 }]);
    expect(sim.run('mig', '-dgi', '-gi', '9')).toEqual({ code: 3, stdout: '', stderr: 'Unable to destroy GPU instance ID  9 from GPU  0: Not Found\n' });
    expect(sim.run('destroy-ci', '5').code).toBe(3);
    const noGi = new Sim('h100-80gb');
    try {
      noGi.run('-mig', '1');
      expect(noGi.run('mig', '-cci')).toMatchObject({ code: 3, stderr: 'No GPU instances found. (create one first: nvml-mig mig -cgi <profile>)\n' });
    } finally {
      noGi.cleanup();
    }
  });

  it('GPU selection: unknown index or UUID exit 3, a MIG UUID is a usage error, UUID and bus id select', () => {
    expect(sim.run('-i', '3', '-L')).toEqual({ code: 3, stdout: '', stderr: 'nvml-mig: No GPU with index 3: this machine has 1 GPU (0)\n' });
    expect(sim.run('-L', '-i', 'GPU-00000000-0000-0000-0000-000000000000').code).toBe(3);
    expect(sim.run('-i', 'MIG-abc', '-L').code).toBe(2);
    const all = sim.run('-L').stdout;
    const uuid = /UUID: (GPU-[^)]+)\)/.exec(all)![1];
    expect(sim.run('-i', uuid, '-L').stdout).toBe(all);
    expect(sim.run('-L', '-i', '00000000:07:00.0').stdout).toBe(all);
  });

  it('bad command lines: exit 2, one line, no stack; --json still gives a document', () => {
    for (const argv of [['mig'], ['mig', '-cgi'], ['bogus'], ['-mig', '2'], ['mig', '-lgi', '-lci'], ['mig', '-lgi', '-gi', 'x'], ['help', 'nothing']]) {
      const r = sim.run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(lineCount(r.stderr), argv.join(' ')).toBe(1);
      expect(r.stderr, argv.join(' ')).toMatch(/^nvml-mig: .*\(see 'nvml-mig --help'\)\n$/);
      expect(r.stdout).toBe('');
    }
    const { code, doc } = sim.json('bogus');
    expect(code).toBe(2);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'usage', ok: false, exitCode: 2, errors: [{ code: 'USAGE', exitCode: 2 }] });
  });

  it('--json on every command: the envelope, and exitCode equal to the process exit code', () => {
    const commands = [
      ['mode', 'enable'], ['list'], ['status'], ['profiles'], ['placements'], ['create-gi', '19', '-C'], ['list-gi'],
      ['ci-profiles'], ['create-ci', '1c.3g.40gb', '--gi', '1'], ['list-ci'], ['destroy-ci'], ['destroy-gi'], ['mig', '-cgi', '2g.10gb'],
    ];
    for (const c of commands) {
      const r = sim.run('--json', ...c);
      const doc = JSON.parse(r.stdout);
      expect(doc.schemaVersion, c.join(' ')).toBe(1);
      expect(doc.exitCode, c.join(' ')).toBe(r.code);
      expect(doc.ok, c.join(' ')).toBe(r.code === 0);
      expect(Array.isArray(doc.errors) && Array.isArray(doc.warnings), c.join(' ')).toBe(true);
    }
    const created = sim.json('create-gi', '1g.10gb', '-C').doc.created[0];
    expect(created).toMatchObject({
      gpu: 0, requested: '1g.10gb',
      gpuInstance: { profileId: 19, profileName: 'MIG 1g.10gb', placement: { size: 1 } },
      computeInstance: { id: 0, profileId: 0, profileName: 'MIG 1g.10gb', placement: { start: 0, size: 1 } },
    });
    expect(created.computeInstance.gpuInstanceId).toBe(created.gpuInstance.id);
    const profiles = sim.json('profiles').doc.gpus[0].profiles;
    expect(profiles[0]).toEqual({
      id: 19, index: 0, name: 'MIG 1g.10gb', shortName: '1g.10gb', sliceCount: 1, memoryMiB: 9984, p2p: false, multiprocessors: 16,
      copyEngines: 1, decoders: 1, encoders: 0, jpegs: 1, ofas: 0, instancesFree: 6, instancesTotal: 7,
    });
  });
});

describe('library and simulator set-up', () => {
  it('an NVML library that cannot be loaded: exit 12, one line, a stack only with --debug', () => {
    const r = runCli(['-L'], { NVML_LIBRARY_PATH: '/nonexistent/libnvidia-ml.so.1' });
    expect(r.code).toBe(12);
    expect(lineCount(r.stderr)).toBe(1);
    expect(r.stderr).toMatch(/^nvml-mig: .*\/nonexistent\/libnvidia-ml\.so\.1.*nvml-mig --mock h100-80gb status\)\n$/);
    const d = runCli(['--debug', '-L'], { NVML_LIBRARY_PATH: '/nonexistent/libnvidia-ml.so.1' });
    expect(d.code).toBe(12);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('--mock keeps its state in a file per machine under the temp folder by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nvml-mig-cli-tmp-'));
    try {
      expect(runCli(['--mock', 'h100-80gb', '-mig', '1'], { TMPDIR: dir }).code).toBe(0);
      expect(existsSync(join(dir, 'nvml-mig-mock-h100-80gb.json'))).toBe(true);
      expect(runCli(['--mock', 'h100-80gb', 'mig', '-lgi'], { TMPDIR: dir }).stdout).toBe('No GPU instances found: Not Found\n');
      // Another machine is another file, with MIG still off.
      expect(runCli(['--mock=a30', 'mig', '-lgi'], { TMPDIR: dir }).stdout).toBe('No MIG-enabled devices found.\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dispatches the layout commands on the same simulated machine', () => {
    const sim = new Sim('h100-80gb');
    try {
      sim.run('-mig', '1');
      sim.run('mig', '-cgi', '9,9', '-C');
      const r = sim.run('export', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)['mig-configs'].current[0]).toMatchObject({ 'mig-enabled': true, 'mig-devices': { '3g.40gb': 2 } });
    } finally {
      sim.cleanup();
    }
  });
});
