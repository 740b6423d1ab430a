// NVML_MOCK_STATE: one simulated machine shared by processes through a locked, atomically replaced
// JSON file. Several processes changing it at once lose nothing and duplicate nothing; a writer
// killed in the middle leaves a valid file.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MOCK_PATH, ok, openLibrary } from './abi';

const run = promisify(execFile);
const OPS = fileURLToPath(new URL('./clients/nvml_ops.py', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mock-state-'));
const STATE = path.join(dir, 'gpu.json');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// This process shares the file too: the variables are read at its first nvmlInit.
process.env.NVML_MOCK_STATE = STATE;
process.env.NVML_MOCK_MACHINE = 'h100-80gb:2';
const m = openLibrary();
expect(m.init()).toBe(0);

const env = (extra: Record<string, string> = {}) => ({
  ...process.env, NVML_MOCK_STATE: STATE, NVML_MOCK_MACHINE: 'a30', NVML_MOCK_FAULTS: '', NVML_MOCK_LATENCY_US: '', ...extra,
});
async function ops(...args: string[]): Promise<any[]> {
  const { stdout } = await run('python3', [OPS, MOCK_PATH, ...args], { env: env() });
  return JSON.parse(stdout);
}
const fileState = () => JSON.parse(fs.readFileSync(STATE, 'utf8'));

describe('state file', () => {
  it('is created at the first init from NVML_MOCK_MACHINE; later processes keep its machine', async () => {
    expect(fileState().machine).toBe('h100-80gb:2');
    // the child asks for an A30 but the file already describes two H100s
    expect(await ops('init', 'count', 'name:1')).toEqual([0, [0, 2], [0, 'NVIDIA H100 80GB HBM3']]);
    expect(m.control({ cmd: 'state' }).statePath).toBe(STATE);
  });

  it('changes made by one process are seen by the next (a multi-command session on one GPU)', async () => {
    m.control({ cmd: 'reset' });
    // the 3g goes to 4:4 as GI 2 (H100, driver 580)
    expect(await ops('init', 'setmig:0:1', 'create:0:9', 'createci:0:2:0')).toEqual([0, [0, 0], [0, 2], [0, 0]]);
    const dev = ok(m.device(0));
    expect(m.migMode(dev)).toMatchObject({ current: 1, pending: 1 });
    const mig = ok(m.migByIndex(dev, 0));
    expect(ok(m.name(mig))).toBe('NVIDIA H100 80GB HBM3 MIG 1c.3g.40gb');
    // and the other way round: this process creates, a child lists
    ok(m.createCi(ok(m.giById(dev, 2)), 0));
    m.control({ cmd: 'addProcess', gpu: 0, pid: 999, gi: 2, ci: 1, usedMemoryMiB: 64 });
    const [, devices, procs] = await ops('init', 'migdevices:0', 'processes:0');
    expect(devices.map((d: any[]) => [d[0], d[3], d[4]])).toEqual([[0, 2, 0], [1, 2, 1]]);
    expect(procs).toEqual([0, [[999, 64, 2, 1]]]);
  });

  it('concurrent processes: 8 create a 1g each, exactly 7 fit, no id twice', async () => {
    m.control({ cmd: 'reset' });
    m.setMigMode(ok(m.device(0)), 1);
    const results = await Promise.all(Array.from({ length: 8 }, () => ops('init', 'create:0:19')));
    const created = results.map((r) => r[1]);
    expect(created.filter((c) => c[0] === 0).length).toBe(7);
    expect(created.filter((c) => c[0] === 23).length).toBe(1);
    const ids = created.filter((c) => c[0] === 0).map((c) => c[1]).sort((a, b) => a - b);
    expect(ids).toEqual([7, 8, 9, 10, 11, 12, 13]);
    expect(fileState().gpus[0].gpuInstances.map((g: any) => g.id)).toEqual([7, 8, 9, 10, 11, 12, 13]);
  });

  it('concurrent processes: 10 add a process each through the control channel; none is lost', async () => {
    m.control({ cmd: 'reset' });
    const pids = Array.from({ length: 10 }, (_, i) => 5000 + i);
    const results = await Promise.all(pids.map((pid) => ops(`addproc:1:${pid}`)));
    expect(results.every((r) => r[0] === true)).toBe(true);
    const stored = fileState().gpus[1].processes.map((p: any) => p.pid).sort((a: number, b: number) => a - b);
    expect(stored).toEqual(pids);
    expect(m.processes(ok(m.device(1))).value.length).toBe(10);
  });

  it('a writer killed mid-stream leaves a valid state file', async () => {
    m.control({ cmd: 'reset' });
    m.setMigMode(ok(m.device(0)), 1);
    for (let round = 0; round < 3; round++) {
      const before = fileState().gpus[0].configSeq;
      const child = spawn('python3', [OPS, MOCK_PATH, 'init', 'churn:0:5000'], { env: env(), stdio: 'ignore' });
      // kill it while it is rewriting the file, at a different moment each round
      while (fileState().gpus[0].configSeq < before + 10) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 7 * round));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const s = fileState(); // parses
      expect(s.format).toBe('nvml-mig-mock-state/1');
      // each killed round may leave the GI it had just created
      expect(s.gpus[0].gpuInstances.length).toBeLessThanOrEqual(round + 1);
    }
    // the library still loads it, and the next change goes through
    expect(await ops('init', 'count', 'create:0:19')).toMatchObject([0, [0, 2], [0, expect.any(Number)]]);
  });

  it('stale handles across processes: an instance destroyed elsewhere is INVALID_ARGUMENT here', async () => {
    m.control({ cmd: 'reset' });
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    const gi = ok(m.createGi(dev, 19));
    m.control({ cmd: 'reset' }); // as another process's reset would
    m.setMigMode(dev, 1);
    await ops('init', 'create:0:19'); // same profile, same slot, same GI id
    expect(m.giInfo(gi).ret).toBe(2);
    expect(ok(m.gis(dev, 19)).length).toBe(1);
  });
});
