// The simulator from the command line alone: the whole seed workflow on a simulated A100 (MIG
// pending until a reset, instances, a busy instance, the process gone, everything destroyed),
// faults and latency, and the same commands refused on a real driver.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Sim, runCli } from './helpers';

// Each test spawns the CLI many times; the shared CI machine may be slow.
vi.setConfig({ testTimeout: 120_000 });

describe('the simulator from the CLI', () => {
  const sim = new Sim('a100-40gb');
  afterAll(() => sim.cleanup());

  it('takes an A100 through the seed workflow with the CLI alone, a busy instance included', () => {
    expect(sim.run('-i', '0', '-mig', '1').code).toBe(1); // pending until a reset on Ampere
    expect(sim.run('mig', '-cgi', '9').code).toBe(3);
    expect(sim.run('-r', '-i', '0')).toEqual({ code: 0, stdout: 'GPU 00000000:07:00.0 was reset.\nAll done.\n', stderr: '' });
    expect(sim.json('status').doc.gpus[0].migMode).toEqual({ current: true, pending: true, changePending: false });
    expect(sim.run('mig', '-cgi', '9,19', '-C').code).toBe(0);
    const gi = sim.json('list-gi').doc.gpus[0].gpuInstances.find((g: any) => g.profileId === 9).id;
    const add = sim.run('sim', 'add-process', '4242', '--name', 'python', '--memory', '1024', '-gi', String(gi));
    expect(add).toEqual({ code: 0, stdout: `Process 4242 (python) runs on GPU 0 GPU instance ${gi} compute instance 0.\n`, stderr: '' });
    // The busy instance refuses, naming the process; so does a reset of the GPU.
    const dci = sim.run('mig', '-dci', '-gi', String(gi));
    expect(dci.code).toBe(5);
    expect(dci.stderr).toContain('process 4242 (python) uses it');
    expect(sim.run('-r').code).toBe(5);
    expect(sim.run('status').stdout).toMatch(/MIG 3g\.20gb Device \d+ \(UUID: MIG-[^)]+\)\n.*process 4242 python, 1024 MiB/);
    expect(sim.run('sim', 'show').stdout).toContain('process 4242 (python), 1024 MiB on GPU instance');
    expect(sim.run('sim', 'remove-process', '4242')).toEqual({ code: 0, stdout: 'Process 4242 ended.\n', stderr: '' });
    expect(sim.run('mig', '-dci').code).toBe(0);
    expect(sim.run('mig', '-dgi').code).toBe(0);
    expect(sim.run('mig', '-lgi').stdout).toBe('No GPU instances found: Not Found\n'); // nvidia-smi 580's words
    expect(sim.run('-mig', '0').code).toBe(1); // pending disable, again until a reset
    expect(sim.run('-r').code).toBe(0);
    expect(sim.json('status').doc.gpus[0].migMode).toEqual({ current: false, pending: false, changePending: false });
  });

  it('sets and clears faults and latency, and starts the machine afresh', () => {
    expect(sim.run('sim', 'fault', 'nvmlDeviceGetCount_v2', 'GPU_IS_LOST').code).toBe(0);
    const lost = sim.run('list');
    expect(lost.code).toBe(3);
    expect(lost.stderr).toMatch(/GPU is lost/);
    expect(sim.run('sim', 'clear-faults').code).toBe(0);
    expect(sim.run('list').code).toBe(0);
    expect(sim.run('sim', 'latency', '*', '1000').code).toBe(0);
    expect(sim.json('sim', 'show').doc.state.latencyUs).toEqual({ '*': 1000 });
    expect(sim.run('sim', 'latency', '*', '0').code).toBe(0);
    expect(sim.run('sim', 'add-process', '7').code).toBe(0);
    expect(sim.run('sim', 'reset').stdout).toBe('Simulated machine a100-40gb started afresh (1 GPU).\n');
    expect(sim.json('sim', 'show').doc.state.gpus[0].processes).toEqual([]);
    // Refusals of the mock come back as the CLI's errors (exit 3), not internal ones.
    expect(sim.run('sim', 'remove-process', '99')).toEqual({ code: 3, stdout: '', stderr: 'nvml-mig: sim remove-process: no process with pid 99\n' });
    expect(sim.run('sim', 'add-process', '5', '--gi', '1')).toMatchObject({ code: 3, stderr: expect.stringMatching(/MIG is disabled/) });
  });

  it('refuses on a real driver before loading anything, with what to do instead', () => {
    const r = runCli(['-r', '-i', '0'], { NVML_LIBRARY_PATH: '/nonexistent/libnvidia-ml.so.1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("nvml-mig: -r resets the simulator only (nvml-mig --mock <machine> -r): on a real GPU stop every process on it, then run 'sudo nvidia-smi -r -i <gpu>', or reboot\n");
    expect(runCli(['sim', 'show']).stderr).toMatch(/^nvml-mig: sim show works on the simulator only: add --mock <machine>/);
  });

  it('help for every command without a GPU or NVML: help X and X --help are the same text', async () => {
    // The spawned CLI, with no loadable NVML: help never loads it.
    const env = { NVML_LIBRARY_PATH: '/nonexistent/libnvidia-ml.so.1' };
    for (const argv of [['exporter', '--help'], ['help', 'exporter']]) {
      expect(runCli(argv, env), argv.join(' ')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: nvml-mig exporter /), stderr: '' });
    }
    // Every command of the list, in-process (the same code, without a process per call).
    const { runCli: run } = await import('../../dist/cli/run.js');
    const call = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await run(argv, { stdout: { write: (s: string) => (stdout += s) } as never, stderr: { write: (s: string) => (stderr += s) } as never });
      return { code, stdout, stderr };
    };
    const names = (await call(['--help'])).stdout.split('\n').filter((l) => /^  [a-z]/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0].replace(/ [<[].*$| enable\|disable$/, ''));
    expect(names).toContain('exporter');
    expect(names).toContain('sim add-process');
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      const a = await call(['help', ...name.split(' ')]);
      const b = await call([...name.split(' '), '--help']);
      expect(a.code, name).toBe(0);
      expect(a.stdout, name).toMatch(new RegExp(`^Usage: nvml-mig ${name}`));
      expect(b, name).toEqual(a);
    }
  });
});
