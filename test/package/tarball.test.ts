// The published packages, as a user gets them: `npm pack` (its prepack compiles the TypeScript and
// scripts/prebuild.sh builds the platform package of this machine, npm/<target>/: the addon and the
// mocks), `npm pack` of that platform package, then installs from a registry on 127.0.0.1 that
// serves those tarballs and the dependencies (scripts/package/registry.js) into empty folders, with
// no compiler in reach (PATH holds only node, npm, npx and sh; npm's node-gyp is /bin/false) and
// every other address behind a closed proxy; then use: require, import, types, the mock, the CLI.
// Installs: npm, npm --ignore-scripts, pnpm 10 (a dev dependency), npm --omit=optional (no binaries).
//
// Packing (scripts/package/pack.js) compiles every native target, so it runs in a staged copy of this checkout (the files
// git would commit, plus a link to node_modules), never here. Other architectures and Node
// versions: scripts/package/matrix.js.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURES,
  NO_NETWORK,
  ROOT,
  cleanEnv,
  expectOneCopy,
  expectWorkflow,
  git,
  lastJson,
  ok,
  publint,
  run,
  startRegistry,
  typeCheck,
  type Registry,
} from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { platformTarget, platformPackageName } = require('../../dist/platform.js') as typeof import('../../lib/platform');

const TARGET = platformTarget();
const PLATFORM_PACKAGE = platformPackageName(TARGET);
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let tmp: string;
let packs: string;
let tarball: string;
let tarballFiles: string[];
let platformTarball: string;
let platformFiles: string[];
let registry: Registry;
let installLog: string;
let app: string; // the user's project
let pkg: string; // node_modules/nvml-mig in it
let binaries: string; // node_modules/@nvml-mig/<target> in it
let userEnv: Record<string, string>;

/**
 * A PATH with node, npm, npx, sh and the dirname, sed and uname that pnpm's bin scripts call: no
 * compiler, make, python or node-gyp.
 */
function bareBin(dir: string): string {
  fs.mkdirSync(dir);
  const npmCli = fs.realpathSync(path.join(path.dirname(process.execPath), 'npm'));
  const links: Record<string, string> = {
    node: process.execPath,
    npm: npmCli,
    npx: path.join(path.dirname(npmCli), 'npx-cli.js'),
    sh: fs.realpathSync('/bin/sh'),
    dirname: fs.realpathSync('/usr/bin/dirname'),
    sed: fs.realpathSync('/bin/sed'),
    uname: fs.realpathSync('/bin/uname'),
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

function newProject(name: string): string {
  const project = path.join(tmp, name);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', private: true }));
  for (const f of ['workflow.cjs', 'one-copy.mjs']) fs.copyFileSync(path.join(FIXTURES, f), path.join(project, f));
  return project;
}

/** `npm install nvml-mig@<version>` from the local registry, with an empty cache; returns its output. */
function npmInstall(project: string, extra: string[] = []): string {
  const r = run('npm', ['install', `nvml-mig@${MANIFEST.version}`, '--registry', registry.url, '--no-audit', '--no-fund', '--foreground-scripts', ...extra], {
    cwd: project,
    env: { ...userEnv, npm_config_cache: path.join(project, '.npm-cache') },
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`npm install exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/**
 * The tarballs: packed here in a staged copy of the checkout (this machine's platform package only:
 * the others are cross-compiled and run under emulation by scripts/package/matrix.js), or, when
 * NVML_MIG_PACKS names a folder that scripts/package/pack.js filled (CI packs once for this test
 * and the matrix), taken from there.
 */
function packAll(): string {
  const given = process.env.NVML_MIG_PACKS;
  if (given) return path.resolve(ROOT, given);
  const stage = path.join(tmp, 'stage');
  const dest = path.join(tmp, 'packs');
  fs.mkdirSync(stage);
  // The checkout's files as git sees them (committed or not, ignored ones left out).
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
  }
  fs.chmodSync(path.join(stage, 'scripts', 'prebuild.sh'), 0o755);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  ok('node', ['scripts/package/pack.js', dest], { cwd: stage, env: cleanEnv({ JOBS: '2', NVML_MIG_TARGETS: 'host' }), timeout: 1_200_000 });
  return dest;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-tarball-'));
  packs = packAll();
  tarball = path.join(packs, `nvml-mig-${MANIFEST.version}.tgz`);
  tarballFiles = ok('tar', ['-tzf', tarball], { cwd: tmp }).trim().split('\n');
  platformTarball = path.join(packs, `nvml-mig-${TARGET}-${MANIFEST.version}.tgz`);
  platformFiles = ok('tar', ['-tzf', platformTarball], { cwd: tmp }).trim().split('\n');
  registry = await startRegistry(packs, path.join(tmp, 'registry.log'));

  userEnv = {
    ...NO_NETWORK,
    HOME: path.join(tmp, 'home'),
    PATH: bareBin(path.join(tmp, 'bin')),
    npm_config_node_gyp: '/bin/false',
    npm_config_update_notifier: 'false',
    TMPDIR: tmp,
  };
  fs.mkdirSync(userEnv.HOME);
  app = newProject('app');
  installLog = npmInstall(app);
  pkg = path.join(app, 'node_modules', 'nvml-mig');
  binaries = path.join(app, 'node_modules', PLATFORM_PACKAGE);
}, 1_500_000);

afterAll(() => {
  registry?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

/** The CLI's nvidia-smi MIG workflow on the mock, run in `project` with `cli(args)`. */
function cliWorkflow(cli: (...args: string[]) => ReturnType<typeof run>): void {
  expect(cli('-i', '0', '-mig', '1')).toMatchObject({ status: 0, stdout: expect.stringContaining('Enabled MIG Mode for GPU 00000000:07:00.0') });
  const created = cli('mig', '-cgi', '19,14,9', '-C');
  expect(created.status).toBe(0);
  expect(created.stdout).toContain('using profile MIG 1g.10gb (ID 19)');
  expect(created.stdout).toContain('using profile MIG 3g.40gb (ID  9)');
  const listed = cli('-L');
  expect(listed.status).toBe(0);
  expect(listed.stdout.match(/Device +\d+: \(UUID: MIG-/g)).toHaveLength(3);
  const status = JSON.parse(cli('status', '--json').stdout);
  expect(status.gpus[0].gpuInstances.map((gi: any) => gi.profileId).sort()).toEqual([14, 19, 9].sort());
  expect(cli('mig', '-dci').status).toBe(0);
  expect(cli('mig', '-dgi').status).toBe(0);
  expect(cli('mig', '-lgi')).toMatchObject({ status: 6, stdout: expect.stringContaining('No GPU instances found') });
}

describe('the packed tarballs', () => {
  it('the main package: the compiled JS, the ESM wrappers and the sources for a build, no binaries', () => {
    for (const f of [
      'esm/index.mjs',
      'esm/index.d.mts',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/platform.js',
      'dist/cli/main.js',
      'binding.gyp',
      'native/nvml_abi.h',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'docs/api.md',
    ]) {
      expect(tarballFiles, f).toContain(`package/${f}`);
    }
    // Nothing of the checkout that users do not need, and no binary.
    expect(tarballFiles.filter((f) => /^package\/(test|lib|bench|build|scripts|tools|docs\/api|npm|prebuilds)\//.test(f) || /\.(js\.map|node|so(\.\d+)*)$/.test(f))).toEqual([]);
  });

  it('the main package has no install-time script and names the platform packages as optional dependencies', () => {
    const manifest = JSON.parse(ok('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: tmp }));
    const scripts = Object.keys(manifest.scripts ?? {});
    expect(scripts.filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
    // binding.gyp ships for the source build; without gypfile: false npm would run `node-gyp rebuild` on install.
    expect(manifest.gypfile).toBe(false);
    expect(manifest.optionalDependencies).toEqual({ '@nvml-mig/linux-arm64-gnu': manifest.version, '@nvml-mig/linux-x64-gnu': manifest.version });
    expect(manifest.dependencies['node-gyp-build']).toBeUndefined();
  });

  it(`the platform package (${PLATFORM_PACKAGE}): the three binaries, and os, cpu and libc that npm and pnpm filter on`, () => {
    expect(platformFiles.sort()).toEqual(
      ['LICENSE', 'README.md', 'mock-legacy/libnvidia-ml.so.1', 'mock/libnvidia-ml.so.1', 'nvml_mig.node', 'package.json'].map((f) => `package/${f}`),
    );
    const manifest = JSON.parse(ok('tar', ['-xzOf', platformTarball, 'package/package.json'], { cwd: tmp }));
    expect(manifest).toMatchObject({ name: PLATFORM_PACKAGE, version: MANIFEST.version, os: [process.platform], cpu: [process.arch], libc: ['glibc'] });
    expect(manifest.scripts).toBeUndefined();
  });
});

describe('npm install from a registry, no compiler, no network', () => {
  it('installs the platform package of this machine and nothing else, compiling nothing', () => {
    const r = run('sh', ['-c', 'command -v g++ gcc cc c++ make python3 node-gyp || true'], { cwd: app, env: userEnv });
    expect(r.stdout.trim()).toBe('');
    expect(fs.existsSync(path.join(binaries, 'nvml_mig.node'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
    expect(installLog).toMatch(/added \d+ packages/);
    // npm 11 warns about every install script it runs that allowScripts does not cover: none here.
    expect(installLog).not.toMatch(/install-scripts|node-gyp/);
    const fetched = registry.requests().filter((l) => l.includes('/-/'));
    expect(fetched.some((l) => l.startsWith('200 ') && l.includes(`-${TARGET}-${MANIFEST.version}.tgz`))).toBe(true);
    // The other platforms' packages are resolved (npm writes them into the lock file) but never downloaded.
    expect(fetched.filter((l) => /linux-(x64|arm64)-gnu/.test(l) && !l.includes(TARGET))).toEqual([]);
    expect(fs.readdirSync(path.join(app, 'node_modules', '@nvml-mig'))).toEqual([TARGET]);
  });

  it('require: init on the mock of the platform package and the MIG workflow, with its addon', () => {
    const seen = lastJson(ok('node', ['workflow.cjs'], { cwd: app, env: userEnv }));
    expectWorkflow(seen, binaries);
  });

  it('import and require share one copy of the JS layer', () => {
    expectOneCopy(lastJson(ok('node', ['one-copy.mjs'], { cwd: app, env: userEnv })));
  });

  it('npx nvml-mig --mock: the nvidia-smi MIG workflow on the bundled simulator', () => {
    const state = path.join(tmp, 'cli-state.json');
    cliWorkflow((...args) => run('npx', ['--offline', 'nvml-mig', '--mock', 'h100-80gb', '--mock-state', state, ...args], { cwd: app, env: userEnv }));
  }, 300_000);

  it('types resolve from the installed package for .cts and .mts consumers', () => {
    const types = path.join(app, 'types');
    fs.mkdirSync(types);
    for (const f of fs.readdirSync(path.join(FIXTURES, 'types'))) fs.copyFileSync(path.join(FIXTURES, 'types', f), path.join(types, f));
    // @types/node is the user's own dev dependency; link this checkout's copy.
    fs.mkdirSync(path.join(app, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(app, 'node_modules', '@types', 'node'));
    const trace = typeCheck(path.join(types, 'tsconfig.json'), app);
    expect(trace).toContain(`Module name 'nvml-mig' was successfully resolved to '${path.join(pkg, 'dist/index.d.ts')}'`);
    expect(trace).toContain(`Module name 'nvml-mig' was successfully resolved to '${path.join(pkg, 'esm/index.d.mts')}'`);
  }, 120_000);

  it('publint finds nothing wrong with the installed packages', () => {
    for (const dir of [pkg, binaries]) {
      const out = ok(process.execPath, [publint, dir, '--strict'], { cwd: app, timeout: 120_000 });
      expect(out, dir).not.toMatch(/Errors:|Warnings:/);
    }
  }, 240_000);

  it('with --ignore-scripts (scripts blocked) the install and the workflow are the same', () => {
    const project = newProject('app-ignore-scripts');
    npmInstall(project, ['--ignore-scripts']);
    const seen = lastJson(ok('node', ['workflow.cjs'], { cwd: project, env: userEnv }));
    expectWorkflow(seen, path.join(project, 'node_modules', PLATFORM_PACKAGE));
  }, 240_000);

  it('with --omit=optional there are no binaries: init() and the CLI say what was tried and what to do', () => {
    const project = newProject('app-omit-optional');
    npmInstall(project, ['--omit=optional']);
    expect(fs.existsSync(path.join(project, 'node_modules', '@nvml-mig'))).toBe(false);
    const installed = path.join(project, 'node_modules', 'nvml-mig');
    const script = "require('nvml-mig').init().then(() => console.log('loaded'), (e) => { console.log(e.code); console.log(e.message); })";
    const r = run('node', ['-e', script], { cwd: project, env: userEnv });
    expect(r.stdout).toContain('ERR_NVML_LOAD_FAILED');
    expect(r.stdout).toContain('Tried:');
    expect(r.stdout).toContain(`${path.join(installed, 'build', 'Release', 'nvml_mig.node')} (missing)`);
    expect(r.stdout).toContain(`${PLATFORM_PACKAGE} (not installed)`);
    expect(r.stdout).toContain('without --omit=optional');
    expect(r.stdout).toContain('npm run build:native --prefix node_modules/nvml-mig');
    const cli = run('node', ['node_modules/.bin/nvml-mig', '--mock', 'h100-80gb', 'status'], { cwd: project, env: userEnv });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain(path.join(installed, 'build', 'Release', 'mock', 'libnvidia-ml.so.1'));
    expect(cli.stderr).toContain('npm run build:native --prefix node_modules/nvml-mig');
  }, 240_000);
});

describe('pnpm 10 install from the registry', () => {
  let project: string;
  let log: string;
  beforeAll(() => {
    project = newProject('app-pnpm');
    const pnpm = path.join(ROOT, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
    const r = run(process.execPath, [pnpm, 'add', `nvml-mig@${MANIFEST.version}`, '--registry', registry.url, '--store-dir', path.join(tmp, 'pnpm-store'), '--reporter', 'append-only'], {
      cwd: project,
      env: { ...userEnv, npm_config_cache: path.join(project, '.cache') },
      timeout: 180_000,
    });
    if (r.status !== 0) throw new Error(`pnpm add exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
    log = r.stdout + r.stderr;
  }, 240_000);

  it('installs the platform package through its own layout and runs no build script', () => {
    // pnpm 10 runs no dependency's build script unless approved, and lists those it skipped. It
    // counts nvml-mig among them: for a package that ships binding.gyp and has no install script
    // it assumes `node-gyp rebuild` (it does not read gypfile: false, which keeps npm from doing
    // the same). Nothing is compiled either way, and the binaries come from the platform package.
    expect(log).toMatch(/Ignored build scripts: nvml-mig@/);
    expect(log).not.toMatch(/@nvml-mig\/linux-[^ ,.]*@[0-9.]+[,.]? *$/m);
    expect(fs.existsSync(path.join(fs.realpathSync(path.join(project, 'node_modules', 'nvml-mig')), 'build'))).toBe(false);
    const linked = fs.realpathSync(path.join(project, 'node_modules', 'nvml-mig'));
    expect(linked).toContain(`${path.sep}.pnpm${path.sep}`);
    const seen = lastJson(ok('node', ['workflow.cjs'], { cwd: project, env: userEnv }));
    // The platform package is linked next to nvml-mig in pnpm's store, not at the top of node_modules.
    expect(fs.existsSync(path.join(project, 'node_modules', '@nvml-mig'))).toBe(false);
    expectWorkflow(seen, fs.realpathSync(path.join(path.dirname(linked), PLATFORM_PACKAGE)));
    expectOneCopy(lastJson(ok('node', ['one-copy.mjs'], { cwd: project, env: userEnv })));
  }, 300_000);

  it('the CLI runs from pnpm\'s bin', () => {
    const state = path.join(tmp, 'cli-state-pnpm.json');
    cliWorkflow((...args) => run(path.join(project, 'node_modules', '.bin', 'nvml-mig'), ['--mock', 'h100-80gb', '--mock-state', state, ...args], { cwd: project, env: userEnv }));
  }, 300_000);
});
