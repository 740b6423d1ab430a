// The nvidia-smi MIG workflow through `nvml-mig`, in both spellings, on the simulated H100:
// enable, list profiles, create GIs with CIs, list, a busy instance refused, destroy, disable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sim } from './helpers';
import { H100_LGIP, H100_LGIPP } from './h100-capture';

const BUS = '00000000:07:00.0';

describe('nvidia-smi spelling on a simulated H100', () => {
  let sim: Sim;
  beforeAll(() => {
    sim = new Sim('h100-80gb');
  });
  afterAll(() => sim.cleanup());

  it('lists no MIG devices while MIG is off, yet prints the profiles exactly as the real H100 does', () => {
    expect(sim.run('mig', '-lgi')).toEqual({ code: 0, stdout: 'No MIG-enabled devices found.\n', stderr: '' });
    expect(sim.run('mig', '-lgip')).toEqual({ code: 0, stdout: H100_LGIP, stderr: '' });
    expect(sim.run('mig', '-lgipp')).toEqual({ code: 0, stdout: H100_LGIPP, stderr: '' });
  });

  it('-i 0 -mig 1 enables MIG mode (Hopper: at once)', () => {
    expect(sim.run('-i', '0', '-mig', '1')).toEqual({ code: 0, stdout: `Enabled MIG Mode for GPU ${BUS}\nAll done.\n`, stderr: '' });
    // nvidia-smi 580's words and exit code (6, NVML's NOT_FOUND) for a MIG-enabled GPU without GPU
    // instances, -lgi, -lci and -lcip alike (test/fidelity/smi-580/h100-empty).
    for (const action of ['-lgi', '-lci', '-lcip']) {
      expect(sim.run('mig', action), action).toEqual({ code: 6, stdout: 'No GPU instances found: Not Found\n', stderr: '' });
      expect(sim.json('mig', action).doc, action).toMatchObject({
        ok: false, exitCode: 6, errors: [{ code: 'NO_GPU_INSTANCES', exitCode: 6, message: 'No GPU instances found: Not Found' }],
      });
    }
  });

  it('mig -cgi 19,14,9 -C creates three GPU instances with their default compute instances', () => {
    const r = sim.run('mig', '-cgi', '19,14,9', '-C');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'Successfully created GPU instance ID 13 on GPU  0 using profile MIG 1g.10gb (ID 19)',
      'Successfully created compute instance ID  0 on GPU  0 GPU instance ID 13 using profile MIG 1g.10gb (ID  0)',
      'Successfully created GPU instance ID  5 on GPU  0 using profile MIG 2g.20gb (ID 14)',
      'Successfully created compute instance ID  0 on GPU  0 GPU instance ID  5 using profile MIG 2g.20gb (ID  1)',
      'Successfully created GPU instance ID  1 on GPU  0 using profile MIG 3g.40gb (ID  9)',
      'Successfully created compute instance ID  0 on GPU  0 GPU instance ID  1 using profile MIG 3g.40gb (ID  2)',
      '',
    ].join('\n'));
  });

  it('-lgip shows what is left (Free/Total) and -lgi/-lci list the instances profile by profile', () => {
    const lgip = sim.run('mig', '-lgip').stdout;
    expect(lgip).toContain('|   0  MIG 1g.10gb         19     0/7        9.75       No     16     1     0   |');
    expect(lgip).toContain('|   0  MIG 3g.40gb          9     0/2        39.50      No     60     3     0   |');
    const lgi = sim.run('mig', '-lgi').stdout.split('\n');
    expect(lgi.filter((l) => l.startsWith('|   0'))).toEqual([
      '|   0  MIG 1g.10gb           19       13          6:1     |',
      '|   0  MIG 2g.20gb           14        5          4:2     |',
      '|   0  MIG 3g.40gb            9        1          0:4     |',
    ]);
    const lci = sim.run('mig', '-lci').stdout.split('\n');
    expect(lci.filter((l) => l.startsWith('|   0'))).toEqual([
      '|   0     13       MIG 1g.10gb          0         0          0:1     |',
      '|   0      5       MIG 2g.20gb          1         0          0:2     |',
      '|   0      1       MIG 3g.40gb          2         0          0:4     |', // driver 580: 0:4 in a 3-slice GI
    ]);
    const lcip = sim.run('mig', '-lcip', '-gi', '1').stdout.split('\n');
    expect(lcip.filter((l) => l.startsWith('|   0'))).toEqual([
      '|   0      1       MIG 1c.3g.40gb       0      0/3           16        3     0     0   |',
      '|   0      1       MIG 2c.3g.40gb       1      0/1           32        3     0     0   |',
      '|   0      1       MIG 3g.40gb          2*     0/1           60        3     0     0   |',
    ]);
  });

  it('-L and status show the MIG devices with the UUIDs that --json reports', () => {
    const { doc } = sim.json('-L');
    const migs = doc.gpus[0].migDevices;
    expect(migs.map((m: any) => [m.name, m.gpuInstanceId, m.computeInstanceId])).toEqual([
      ['MIG 3g.40gb', 1, 0], ['MIG 2g.20gb', 5, 0], ['MIG 1g.10gb', 13, 0],
    ]);
    const L = sim.run('-L').stdout;
    expect(L).toBe(
      `GPU 0: NVIDIA H100 80GB HBM3 (UUID: ${doc.gpus[0].uuid})\n` +
        migs.map((m: any) => `  ${m.name.padEnd(16)}Device ${String(m.index).padStart(2)}: (UUID: ${m.uuid})\n`).join(''),
    );
    for (const m of migs) expect(m.uuid).toMatch(/^MIG-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const status = sim.run('status').stdout;
    expect(status).toContain('├── MIG mode: Enabled\n');
    expect(status).toContain('GPU instance 1: MIG 3g.40gb (profile 9), placement 0:4, 39.50 GiB');
    expect(status).toContain(`MIG 1g.10gb Device 2 (UUID: ${migs[2].uuid})`);
  });

  it('refuses to destroy instances a process uses, naming the process and what to do', () => {
    sim.control({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'python', usedMemoryMiB: 1024, gi: 1, ci: 0 });
    const dci = sim.run('mig', '-dci', '-gi', '1');
    expect(dci.code).toBe(5);
    expect(dci.stdout).toBe('');
    expect(dci.stderr).toBe('Unable to destroy compute instance ID  0 from GPU  0 GPU instance ID  1: In use by another client: process 4242 (python) uses it (stop it, then retry)\n');
    const dgi = sim.run('mig', '-dgi', '-gi', '1');
    expect(dgi.code).toBe(5);
    expect(dgi.stderr).toBe('Unable to destroy GPU instance ID  1 from GPU  0: In use by another client: compute instance 0 still exists (destroy it first: nvml-mig -i 0 mig -dci -gi 1); process 4242 (python) uses it (stop it first)\n');
    const { code, doc } = sim.json('status');
    expect(code).toBe(0);
    expect(doc.gpus[0].gpuInstances.find((g: any) => g.id === 1).computeInstances[0].processes).toEqual([
      { pid: 4242, name: 'python', usedMemoryMiB: 1024, gpuInstanceId: 1, computeInstanceId: 0 },
    ]);
    expect(sim.run('status').stdout).toContain('process 4242 python, 1024 MiB');
  });

  it('destroys compute instances, then GPU instances, once the process is gone', () => {
    sim.control({ cmd: 'removeProcess', pid: 4242 });
    expect(sim.run('mig', '-dci', '-gi', '1', '-ci', '0')).toEqual({
      code: 0, stdout: 'Successfully destroyed compute instance ID  0 from GPU  0 GPU instance ID  1\n', stderr: '',
    });
    expect(sim.run('mig', '-dci').stdout).toBe(
      'Successfully destroyed compute instance ID  0 from GPU  0 GPU instance ID 13\n' +
        'Successfully destroyed compute instance ID  0 from GPU  0 GPU instance ID  5\n',
    );
    // GPU instances without compute instances: no recording of nvidia-smi shows this case, so -lci
    // keeps nvml-mig's own line and exit 0 (only 'No GPU instances found: Not Found' exits 6).
    expect(sim.run('mig', '-lci')).toEqual({ code: 0, stdout: 'No compute instances found.\n', stderr: '' });
    expect(sim.run('mig', '-dgi')).toEqual({
      code: 0,
      stdout: 'Successfully destroyed GPU instance ID 13 from GPU  0\nSuccessfully destroyed GPU instance ID  5 from GPU  0\nSuccessfully destroyed GPU instance ID  1 from GPU  0\n',
      stderr: '',
    });
    expect(sim.run('mig', '-dgi').stdout).toBe('No GPU instances found.\n');
    expect(sim.run('-mig', '0')).toEqual({ code: 0, stdout: `Disabled MIG Mode for GPU ${BUS}\nAll done.\n`, stderr: '' });
  });
});

describe('readable spelling on a simulated H100', () => {
  let sim: Sim;
  let twin: Sim;
  beforeAll(() => {
    sim = new Sim('h100-80gb');
    twin = new Sim('h100-80gb');
  });
  afterAll(() => {
    sim.cleanup();
    twin.cleanup();
  });

  it('prints what the nvidia-smi spelling prints, command for command', () => {
    const pairs: [string[], string[]][] = [
      [['mode', 'enable'], ['-mig', '1']],
      [['profiles'], ['mig', '-lgip']],
      [['placements'], ['mig', '-lgipp']],
      [['create-gi', '1g.10gb', '--with-ci'], ['mig', '-cgi', '1g.10gb', '-C']],
      [['create-gi', 'MIG 3g.40gb', '2g.20gb'], ['mig', '-cgi', '9,MIG 2g.20gb']],
      [['create-ci', '--gi', '5'], ['mig', '-cci', '-gi', '5']],
      [['create-ci', '1c.3g.40gb', 'MIG 1c.3g.40gb', '--gi', '1'], ['mig', '-cci', '0,0', '-gi', '1']],
      [['list-gi'], ['mig', '-lgi']],
      [['list-gi', '1'], ['mig', '-lgi', '-gi', '1']],
      [['list-ci'], ['mig', '-lci']],
      [['ci-profiles', '1'], ['mig', '-lcip', '-gi', '1']],
      [['list'], ['-L']],
      [['status'], ['status']],
      [['destroy-ci', '--gi', '5'], ['mig', '-dci', '-gi', '5']],
      [['destroy-ci', '1', '--gi', '1'], ['mig', '-dci', '-gi', '1', '-ci', '1']],
      [['destroy-ci'], ['mig', '-dci']],
      [['destroy-gi', '5'], ['mig', '-dgi', '-gi', '5']],
      [['destroy-gi'], ['mig', '-dgi']],
      [['mode', 'disable'], ['-mig', '0']],
    ];
    for (const [readable, smi] of pairs) {
      const a = sim.run(...readable);
      const b = twin.run(...smi);
      expect(a, readable.join(' ')).toEqual(b);
      expect(a.code, readable.join(' ')).toBe(0);
      expect(a.stdout.length, readable.join(' ')).toBeGreaterThan(0);
    }
  }, 120_000);

  it('has --help for every command, and nvml-mig --help lists them all', () => {
    const all = sim.run('--help');
    expect(all.code).toBe(0);
    for (const c of ['mode', 'list', 'status', 'profiles', 'placements', 'create-gi', 'list-gi', 'destroy-gi', 'ci-profiles', 'create-ci', 'list-ci', 'destroy-ci', 'apply', 'assert', 'export', 'exporter']) {
      expect(all.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
    for (const c of ['mode', 'list', 'status', 'profiles', 'placements', 'create-gi', 'list-gi', 'destroy-gi', 'ci-profiles', 'create-ci', 'list-ci', 'destroy-ci']) {
      const r = sim.run(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/^Usage: nvml-mig/);
    }
    expect(sim.run('mig', '-cgi', '--help').stdout).toBe(sim.run('help', 'create-gi').stdout);
    for (const c of ['apply', 'assert', 'export', 'exporter']) {
      const r = sim.run(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: nvml-mig ${c}`));
    }
  });
});

describe('several GPUs', () => {
  it('no -i means every GPU, -i 1 only GPU 1, and the tables carry the GPU index', () => {
    const sim = new Sim('h100-80gb:2');
    try {
      expect(sim.run('-mig', '1').stdout).toBe('Enabled MIG Mode for GPU 00000000:07:00.0\nEnabled MIG Mode for GPU 00000000:0F:00.0\nAll done.\n');
      expect(sim.run('mig', '-cgi', '19', '-i', '1', '-C').stdout).toMatch(/^Successfully created GPU instance ID 13 on GPU {2}1 using profile MIG 1g\.10gb \(ID 19\)\nSuccessfully created compute instance ID {2}0 on GPU {2}1 GPU instance ID 13 /);
      const lgi = sim.run('mig', '-lgi').stdout;
      expect(lgi).toContain('|   1  MIG 1g.10gb           19       13          6:1     |');
      expect(lgi).not.toContain('|   0  ');
      expect(sim.run('mig', '-lgipp').stdout.split('\n').filter(Boolean).map((l) => l.slice(0, 6))).toEqual([
        ...Array(7).fill('GPU  0'), ...Array(7).fill('GPU  1'),
      ]);
      expect(sim.run('-i', '0', 'mig', '-lgi').stdout).toBe('No GPU instances found: Not Found\n');
      expect(sim.json('-i', '1', 'list').doc.gpus.map((g: any) => [g.index, g.migDevices.length])).toEqual([[1, 1]]);
      expect(sim.run('mig', '-dci', '-i', '0,1').stdout).toBe('Successfully destroyed compute instance ID  0 from GPU  1 GPU instance ID 13\n');
      expect(sim.run('mig', '-dgi', '-i', '0,1').stdout).toBe('Successfully destroyed GPU instance ID 13 from GPU  1\n');
    } finally {
      sim.cleanup();
    }
  });
});
