// `sim load`: the activity GPM reads, set from the command line and read back through the facade
// in another process sharing the state file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ROOT, Sim } from './helpers';

vi.setConfig({ testTimeout: 120_000 });
const MOCK = join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');

/** GPU instance `gi`'s smActivity over 200 ms, read in a child process on the same state file. */
function readActivity(sim: Sim, gi: number): number {
  const script = `
    const { init } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
    (async () => {
      const nvml = await init({ libraryPath: ${JSON.stringify(MOCK)} });
      try {
        const a = await (await (await nvml.device(0)).gpuInstance(${gi})).activity({ intervalMs: 200 });
        process.stdout.write(String(a.metrics.smActivity.value));
      } finally { await nvml.shutdown(); }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NVML_MOCK_STATE: sim.state }, timeout: 20_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

describe('sim load', () => {
  const sim = new Sim('h100-80gb');
  afterAll(() => sim.cleanup());

  it('sets a GPU instance load that GPM reads back; bad values are usage errors', () => {
    expect(sim.run('-i', '0', '-mig', '1').code).toBe(0);
    expect(sim.run('mig', '-cgi', '9', '-C').code).toBe(0);
    const gi = sim.json('list-gi').doc.gpus[0].gpuInstances[0].id;
    expect(sim.run('-i', '0', 'sim', 'load', '0.3', '--gi', String(gi))).toEqual({ code: 0, stdout: `GPU 0 GPU instance ${gi} now runs at 30%.\n`, stderr: '' });
    expect(readActivity(sim, gi)).toBeCloseTo(30, 6);
    expect(sim.run('-i', '0', 'sim', 'load', '1.5').code).toBe(2);
    const noGi = sim.run('-i', '0', 'sim', 'load', '0.5');
    expect(noGi.code).not.toBe(0);
    expect(noGi.stderr).toContain('give the GPU instance');
  });
});
