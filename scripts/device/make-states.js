#!/usr/bin/env node
// Prepares the mock states that scripts/device/smi-fidelity.sh runs the real nvidia-smi against
// (and that test/fidelity compares nvml-mig with): each one made by `nvml-mig` itself on the
// bundled mock (MIG mode, GPU and compute instances with explicit placements, so the result does
// not depend on the automatic placement rule), plus simulated processes and GPU resets through the
// mock's control channel. Writes test/fidelity/states/<name>.json; run after `npm run build`:
//   node scripts/device/make-states.js
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, rmSync, existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'test', 'fidelity', 'states');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

// name: [machine, steps]; a step is a CLI argument list, or {reset: gpu} / {process: {...}}.
const STATES = {
  'h100-off': ['h100-80gb', []],
  'h100-empty': ['h100-80gb', [['-mig', '1']]],
  'h100-full': ['h100-80gb', [['-mig', '1'], ['mig', '-cgi', '19:0,19:1,19:2,19:3,19:4,19:5,19:6', '-C']]],
  'h100-shared-gi': ['h100-80gb', [
    ['-mig', '1'], ['mig', '-cgi', '9:0,14:4,19:6'], ['mig', '-cci', '0,0', '-gi', '1'], ['mig', '-cci', '-gi', '5,13'],
    { process: { gpu: 0, pid: 4242, name: 'python3', usedMemoryMiB: 2048, gi: 1, ci: 0 } },
  ]],
  'h100-94gb-procs': ['h100-94gb', [
    ['-mig', '1'], ['mig', '-cgi', '9:0,9:4', '-C'],
    { process: { gpu: 0, pid: 5001, name: 'train.py', usedMemoryMiB: 4096, gi: 1, ci: 0 } },
    { process: { gpu: 0, pid: 5002, name: 'python3', usedMemoryMiB: 1024, gi: 2, ci: 0 } },
  ]],
  'h200-off': ['h200', []],
  'h200-mixed': ['h200', [
    ['-mig', '1'], ['mig', '-cgi', '5:0,14:4,19:6', '-C'],
    { process: { gpu: 0, pid: 7001, name: 'python3', usedMemoryMiB: 8192, gi: 5, ci: 0 } },
  ]],
  'a100-40gb-full': ['a100-40gb', [['-mig', '1'], { reset: 0 }, ['mig', '-cgi', '14:0,14:2,14:4,19:6', '-C']]],
  'a100-80gb-shared': ['a100-80gb', [
    ['-mig', '1'], { reset: 0 }, ['mig', '-cgi', '9:0,9:4'], ['mig', '-cci', '0,0,0', '-gi', '1'], ['mig', '-cci', '-gi', '2'],
    { process: { gpu: 0, pid: 6001, name: 'python3', usedMemoryMiB: 3000, gi: 1, ci: 1 } },
  ]],
  'a30-procs': ['a30', [
    ['-mig', '1'], { reset: 0 }, ['mig', '-cgi', '5:0,14:2,14:3', '-C'],
    { process: { gpu: 0, pid: 3001, name: 'python3', usedMemoryMiB: 512, gi: 5, ci: 0 } },
  ]],
  'a100x2-pending': ['a100-40gb:2', [
    ['-mig', '1'], { reset: 0 }, ['-i', '0', 'mig', '-cgi', '5:0,14:4'], ['-i', '0', 'mig', '-cci', '0,0', '-gi', '5'],
    ['-i', '0', 'mig', '-cci', '-gi', '1'],
  ]],
  'mixed': ['a100-40gb:1,a30:1,h100-80gb:1', [
    ['-i', '0,2', '-mig', '1'], { reset: 0 }, ['-i', '0', 'mig', '-cgi', '5:0,14:4', '-C'],
    ['-i', '2', 'mig', '-cgi', '19:0,19:1', '-C'],
    { process: { gpu: 2, pid: 9001, name: 'python3', usedMemoryMiB: 1000, gi: 7, ci: 0 } },
  ]],
};

function cli(machine, state, args) {
  try {
    execFileSync(process.execPath, [CLI, '--mock', machine, '--mock-state', state, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Enabling MIG on Ampere ends pending (a reset follows): nvml-mig says so and exits non-zero.
    if (!args.includes('-mig')) throw e;
  }
}

// Control-channel steps run in a child: the mock reads its state file at the process's first init.
function control(state, steps) {
  const script = `
    const { startMock } = require(${JSON.stringify(join(ROOT, 'dist', 'testing'))});
    (async () => {
      const { control, shutdown } = await startMock({ state: ${JSON.stringify(state)} });
      for (const s of ${JSON.stringify(steps)}) {
        if ('reset' in s) await control.gpuReset(s.reset);
        else await control.addProcess(s.process);
      }
      await shutdown();
    })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { stdio: 'inherit' });
}

mkdirSync(OUT, { recursive: true });
for (const [name, [machine, steps]] of Object.entries(STATES)) {
  const state = join(OUT, `${name}.json`);
  for (const f of [state, `${state}.lock`]) if (existsSync(f)) rmSync(f);
  cli(machine, state, ['-L']); // creates the state file
  for (const step of steps) {
    if (Array.isArray(step)) cli(machine, state, step);
    else control(state, [step]);
  }
  rmSync(`${state}.lock`, { force: true });
  console.log(`${name}: ${machine}`);
}
