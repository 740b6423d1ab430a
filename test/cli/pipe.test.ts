// A reader that closes the pipe early (`nvml-mig mig -cgi ... | head -1`) once killed the command
// with an EPIPE stack trace after the first GPU instance: the change must finish all the same.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ROOT, Sim } from './helpers';

let sim: Sim | undefined;
afterEach(() => sim?.cleanup());

test('a closed stdout does not stop a -cgi halfway', () => {
  sim = new Sim('h100-80gb');
  expect(sim.run('-i', '0', '-mig', '1').code).toBe(0);
  const cmd =
    `"${process.execPath}" "${join(ROOT, 'dist', 'cli', 'main.js')}" --mock h100-80gb --mock-state "${sim.state}" ` +
    `mig -cgi 19,19,19,19 -C | head -c 1 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).not.toMatch(/EPIPE|at /);
  expect(r.stdout.trim()).toBe('exit=0');
  const { doc } = sim.json('mig', '-lgi');
  expect(JSON.stringify(doc).match(/"profileId":19/g)?.length).toBe(4);
});
