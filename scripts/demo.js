#!/usr/bin/env node
// The README demo (`npm run demo [machine]`): a whole nvidia-smi-style MIG session of the `nvml-mig`
// CLI on the bundled simulated H100 (or another machine: a100-40gb, a30), with a temporary state
// file so the commands see one GPU, and the simulator's own commands (`-r`, `sim add-process`) for
// the reset and the busy instance. Prints each command and what it printed. Needs `npm run build` first (addon, mock and dist/).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const main = join(root, 'dist', 'cli', 'main.js');
const machine = process.argv[2] || 'h100-80gb';
const dir = mkdtempSync(join(tmpdir(), 'nvml-mig-demo-'));
const state = join(dir, 'state.json');

if (!existsSync(main)) {
  console.error("dist/cli/main.js is missing: run 'npm run build' first");
  process.exit(1);
}

const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('NVML_')) delete env[k];

function spawnCli(args) {
  return spawnSync(process.execPath, [main, '--mock', machine, '--mock-state', state, ...args], { encoding: 'utf8', env });
}

/** Runs `nvml-mig --mock <machine> --mock-state <file> ...args`, showing it as a user would type it. */
function nvmlMig(...args) {
  const shown = args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  process.stdout.write(`\n$ nvml-mig ${shown}\n`);
  const r = spawnCli(args);
  process.stdout.write(r.stdout);
  process.stdout.write(r.stderr);
  if (r.status !== 0) process.stdout.write(`(exit code ${r.status})\n`);
  return r;
}

function note(text) {
  process.stdout.write(`\n# ${text}\n`);
}

async function main_() {
  console.log(`nvml-mig demo on a simulated ${machine} (state file ${state})`);
  nvmlMig('-L');
  nvmlMig('-i', '0', '-mig', '1');
  // Ampere keeps the change pending until a reset: the simulator's is nvidia-smi's -r.
  if (spawnCli(['--json', 'status']).stdout.includes('"changePending": true')) nvmlMig('-i', '0', '-r');
  nvmlMig('mig', '-lgip');
  nvmlMig('mig', '-lgipp');
  nvmlMig('mig', '-cgi', '19,14,9', '-C');
  nvmlMig('mig', '-lgi');
  nvmlMig('mig', '-lci');
  nvmlMig('-L');

  // The largest GPU instance (listed last), read quietly through --json.
  const gis = JSON.parse(spawnCli(['list-gi', '--json']).stdout).gpus[0].gpuInstances;
  const gi = gis[gis.length - 1].id;
  note(`a CUDA process (pid 4242, python) starts on GPU instance ${gi}, compute instance 0 (a simulated one)`);
  nvmlMig('sim', 'add-process', '4242', '--name', 'python', '--memory', '1024', '-gi', String(gi), '-ci', '0');
  nvmlMig('status');
  nvmlMig('mig', '-dci', '-gi', String(gi));
  nvmlMig('mig', '-dgi', '-gi', String(gi));

  note('the same layout, as a mig-parted config');
  nvmlMig('export');

  note('the process exits; now the instances can go');
  nvmlMig('sim', 'remove-process', '4242');
  nvmlMig('mig', '-dci');
  nvmlMig('mig', '-dgi');

  note('the readable spelling of the same workflow');
  nvmlMig('create-gi', '1g.10gb', 'MIG 3g.40gb', '--with-ci');
  nvmlMig('list-ci');
  nvmlMig('destroy-ci');
  nvmlMig('destroy-gi');
  nvmlMig('mode', 'disable');
}

main_()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
