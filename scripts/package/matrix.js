#!/usr/bin/env node
// The packed packages on every supported Node version and on linux-arm64 (under qemu-user), each
// Node taken from the npm registry (node-linux-<arch>@<version>, cached in
// ~/.cache/nvml-mig/node). For each leg: npm (running on that Node) installs nvml-mig from a
// registry on 127.0.0.1 that serves the tarballs (scripts/package/registry.js), every other address
// behind a closed proxy and no compiler on PATH; then the MIG workflow through require, import and
// require sharing one copy, and the CLI's nvidia-smi workflow, all on the mock of the platform
// package that npm picked.
//   node scripts/package/matrix.js [--x64 20,22,24,26] [--arm64 20,26] [--pnpm-arm64 20] [--packs <folder>]
// --pnpm-<arch> legs install with pnpm (the dev dependency, run on the Node under test) instead of npm.
// Without --packs it packs first (scripts/package/pack.js: the main package and every platform
// package, linux-arm64-gnu cross-compiled with Debian's g++-aarch64-linux-gnu). The arm64 legs need
// qemu-aarch64-static and the aarch64 C library (/usr/aarch64-linux-gnu) of Debian's cross
// toolchain packages. Prints one line a leg and `package matrix: N passed, N failed`; exits 1 if any
// failed.
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'package', 'fixtures');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const QEMU = { arm64: ['qemu-aarch64-static', '/usr/aarch64-linux-gnu'] };

function options() {
  const o = { x64: ['20', '22', '24', '26'], arm64: ['20', '26'], 'pnpm-x64': [], 'pnpm-arm64': ['20'], packs: null };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined) throw new Error(`${k}: a value is missing`);
    if (['--x64', '--arm64', '--pnpm-x64', '--pnpm-arm64'].includes(k)) o[k.slice(2)] = v === 'none' ? [] : v.split(',');
    else if (k === '--packs') o.packs = path.resolve(v);
    else throw new Error(`unknown option ${k} (--x64, --arm64, --pnpm-x64, --pnpm-arm64 LIST, --packs FOLDER)`);
  }
  return o;
}

/** The Node binary of node-linux-<arch>@<major> (the newest of that major), fetched once. */
function nodeBinary(arch, major) {
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'nvml-mig', 'node');
  fs.mkdirSync(cache, { recursive: true });
  const pkg = `node-linux-${arch}`;
  const listed = JSON.parse(execFileSync('npm', ['view', `${pkg}@${major}`, 'version', '--json'], { encoding: 'utf8' }));
  // npm lists the matching versions in publication order, not by number: take the highest.
  const num = (v) => v.split('.').map(Number);
  const v = [listed].flat().sort((a, b) => num(a).reduce((d, x, i) => d || x - num(b)[i], 0)).pop();
  const dir = path.join(cache, `${arch}-${v}`);
  const bin = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(bin)) {
    const tgz = execFileSync('npm', ['pack', `${pkg}@${v}`, '--pack-destination', cache], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .pop();
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(cache, tgz), '-C', dir, 'package/bin/node']);
    fs.rmSync(path.join(cache, tgz));
  }
  return { bin, version: v };
}

/** A bin folder whose `node` is this Node (through qemu for another architecture), `sh`, and the
 * dirname, sed and uname that pnpm's bin scripts call. */
function binFolder(dir, arch, node) {
  fs.mkdirSync(dir, { recursive: true });
  const nodePath = path.join(dir, 'node');
  if (arch === process.arch) {
    fs.symlinkSync(node, nodePath);
  } else {
    const [qemu, sysroot] = QEMU[arch];
    const qemuPath = execFileSync('sh', ['-c', `command -v ${qemu}`], { encoding: 'utf8' }).trim();
    fs.writeFileSync(nodePath, `#!/bin/sh\nexec ${qemuPath} -L ${sysroot} ${node} "$@"\n`, { mode: 0o755 });
  }
  fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(dir, 'sh'));
  for (const tool of ['dirname', 'sed', 'uname']) {
    fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(dir, tool));
  }
  return dir;
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

async function startRegistry(packs, log) {
  const child = spawn(process.execPath, [path.join(__dirname, 'registry.js'), packs, log], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`the registry exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

function leg(tmp, registryUrl, arch, major, manager) {
  const started = Date.now();
  const { bin, version } = nodeBinary(arch, major);
  const name = `linux-${arch} node ${version} ${manager}`;
  const dir = path.join(tmp, `${arch}-${version}-${manager}`);
  const env = {
    PATH: binFolder(path.join(dir, 'bin'), arch, bin),
    HOME: path.join(dir, 'home'),
    TMPDIR: dir,
    npm_config_cache: path.join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_node_gyp: '/bin/false',
    https_proxy: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
    no_proxy: '127.0.0.1',
    npm_config_noproxy: '127.0.0.1',
  };
  const project = path.join(dir, 'app');
  fs.mkdirSync(env.HOME, { recursive: true });
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', private: true }));
  for (const f of ['workflow.cjs', 'one-copy.mjs']) fs.copyFileSync(path.join(FIXTURES, f), path.join(project, f));
  const run = (cmd, args, timeout = 300_000) => {
    const r = spawnSync(cmd, args, { cwd: project, env, encoding: 'utf8', timeout });
    if (r.error) throw r.error;
    return r;
  };
  const ok = (cmd, args) => {
    const r = run(cmd, args);
    if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const last = (out) => JSON.parse(out.trim().split('\n').pop());
  const node = path.join(env.PATH, 'node');

  // The package manager itself runs on the Node under test, so it sees that Node's os, cpu and libc.
  const target = `linux-${arch}-gnu`;
  let binaries;
  if (manager === 'npm') {
    const npmCli = path.join(path.dirname(fs.realpathSync(path.join(path.dirname(process.execPath), 'npm'))), 'npm-cli.js');
    const install = ok(node, [npmCli, 'install', `nvml-mig@${MANIFEST.version}`, '--registry', registryUrl, '--no-audit', '--no-fund']);
    check(!/install-scripts|node-gyp/.test(install), `the install ran or named an install script:\n${install}`);
    const scope = path.join(project, 'node_modules', '@nvml-mig');
    check(JSON.stringify(fs.readdirSync(scope)) === JSON.stringify([target]), `installed platform packages: ${fs.readdirSync(scope)}`);
    binaries = path.join(scope, target);
  } else {
    const pnpmCli = path.join(ROOT, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
    ok(node, [pnpmCli, 'add', `nvml-mig@${MANIFEST.version}`, '--registry', registryUrl, '--store-dir', path.join(dir, 'pnpm-store'), '--reporter', 'append-only']);
    // pnpm links the platform package beside nvml-mig in its virtual store; only the one for this cpu.
    const store = path.join(project, 'node_modules', '.pnpm');
    const platforms = fs.readdirSync(store).filter((e) => e.startsWith('@nvml-mig+linux-'));
    check(platforms.length === 1 && platforms[0].startsWith(`@nvml-mig+${target}@`), `platform packages in pnpm's store: ${platforms}`);
    binaries = path.join(store, platforms[0], 'node_modules', '@nvml-mig', target);
  }

  const seen = last(ok(node, ['workflow.cjs']));
  check(seen.addonPath === path.join(binaries, 'nvml_mig.node'), `addon loaded from ${seen.addonPath}`);
  check(seen.libraryPath === path.join(binaries, 'mock', 'libnvidia-ml.so.1'), `mock loaded from ${seen.libraryPath}`);
  check(seen.name === 'NVIDIA H100 80GB HBM3' && seen.profile.id === 19 && seen.left === 0, `workflow: ${JSON.stringify(seen)}`);
  check(seen.refusal?.code === 'NVML_ERROR_IN_USE' && seen.refusal.isNvmlError, `refusal: ${JSON.stringify(seen.refusal)}`);
  check(/^MIG-[0-9a-f-]{36}$/.test(seen.migUuid), `MIG UUID ${seen.migUuid}`);

  const copy = last(ok(node, ['one-copy.mjs']));
  for (const entry of ['nvml-mig', 'nvml-mig/testing', 'nvml-mig/layout', 'nvml-mig/monitor']) {
    check(copy.names[entry]?.identical === true, `${entry}: ESM and CommonJS differ: ${JSON.stringify(copy.names[entry])}`);
  }
  check(copy.countAfterOneShutdown === 1, `one-copy: ${JSON.stringify(copy)}`);

  const cli = (...args) => ok(path.join(project, 'node_modules', '.bin', 'nvml-mig'), ['--mock', 'h100-80gb', '--mock-state', path.join(dir, 'cli-state.json'), ...args]);
  check(cli('-i', '0', '-mig', '1').includes('Enabled MIG Mode for GPU 00000000:07:00.0'), 'CLI: MIG mode');
  check(cli('mig', '-cgi', '19,9', '-C').includes('using profile MIG 3g.40gb (ID  9)'), 'CLI: create');
  check((cli('-L').match(/\(UUID: MIG-/g) ?? []).length === 2, 'CLI: list');
  cli('mig', '-dci');
  cli('mig', '-dgi');
  // Nothing left to list: nvidia-smi's line and its exit code, 6.
  const empty = run(path.join(project, 'node_modules', '.bin', 'nvml-mig'), ['--mock', 'h100-80gb', '--mock-state', path.join(dir, 'cli-state.json'), 'mig', '-lgi']);
  check(empty.status === 6 && empty.stdout.includes('No GPU instances found'), `CLI: destroy (exit ${empty.status}: ${empty.stdout}${empty.stderr})`);
  return `${name}: install, workflow, one copy, CLI (${Math.round((Date.now() - started) / 1000)} s)`;
}

async function main() {
  const o = options();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-matrix-'));
  let passed = 0;
  let failed = 0;
  let registry;
  try {
    const packs = o.packs ?? path.join(tmp, 'packs');
    if (!o.packs) {
      const started = Date.now();
      execFileSync(process.execPath, [path.join(__dirname, 'pack.js'), packs], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      console.log(`packed in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    registry = await startRegistry(packs, path.join(tmp, 'registry.log'));
    for (const [manager, prefix] of [['npm', ''], ['pnpm', 'pnpm-']]) {
      for (const arch of ['x64', 'arm64']) {
        for (const major of o[prefix + arch]) {
          try {
            console.log(`ok   ${leg(tmp, registry.url, arch, major, manager)}`);
            passed++;
          } catch (e) {
            console.log(`FAIL linux-${arch} node ${major} ${manager}: ${e.message}`);
            failed++;
          }
        }
      }
    }
  } finally {
    registry?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`package matrix: ${passed} passed, ${failed} failed`);
  process.exitCode = failed || !passed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
