// The published package, as a user gets it: `npm pack` (its prepack compiles the TypeScript and
// prebuildify's prebuilds/linux-x64: the addon and the mocks), then an install of the tarball into
// an empty folder, offline, with no compiler in reach (PATH holds only node, npm, npx and sh;
// npm's node-gyp is /bin/false), and use: require, import, types, the bundled mock, the CLI.
//
// Packing compiles every native target, and node-gyp rebuild wipes build/, so it runs in a staged
// copy of this checkout (the files git would commit, plus a link to node_modules), never here.
// The dependencies are packed from node_modules next to it, so the install needs no registry.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, cleanEnv, expectOneCopy, expectWorkflow, git, lastJson, ok, publint, run, typeCheck } from './helpers';

const PLATFORM = `${process.platform}-${process.arch}`;

let tmp: string;
let tarball: string;
let tarballFiles: string[];
let installLog: string;
let app: string; // the user's project
let pkg: string; // node_modules/nvml-mig in it
let userEnv: Record<string, string>;

/** A PATH with node, npm, npx and sh only: no compiler, make, python or node-gyp. */
function bareBin(dir: string): string {
  fs.mkdirSync(dir);
  const npmCli = fs.realpathSync(path.join(path.dirname(process.execPath), 'npm'));
  const links: Record<string, string> = {
    node: process.execPath,
    npm: npmCli,
    npx: path.join(path.dirname(npmCli), 'npx-cli.js'),
    sh: fs.realpathSync('/bin/sh'),
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

/** Every production dependency of the lock file, packed from node_modules into `dest`. */
function packDependencies(dest: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const dirs = Object.entries<any>(lock.packages)
    .filter(([key, entry]) => key !== '' && !entry.dev)
    .map(([key]) => key);
  // A nested copy (a second version of a package) could not sit beside the others at the top.
  const nested = dirs.filter((d) => d.lastIndexOf('node_modules/') > 0);
  if (nested.length) throw new Error(`nested production dependencies, not handled here: ${nested.join(', ')}`);
  for (const d of dirs) ok('npm', ['pack', `./${d}`, '--ignore-scripts', '--pack-destination', dest], { cwd: ROOT });
  return dirs;
}

function userInstall(project: string, tarballs: string[], extra: string[] = []): string {
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', private: true }));
  const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', ...extra, ...tarballs], {
    cwd: project,
    env: userEnv,
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`npm install exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-tarball-'));
  const stage = path.join(tmp, 'stage');
  const packs = path.join(tmp, 'packs');
  fs.mkdirSync(stage);
  fs.mkdirSync(packs);

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

  const packed = ok('npm', ['pack', '--pack-destination', packs], {
    cwd: stage,
    env: cleanEnv({ JOBS: '2' }),
    timeout: 480_000,
  });
  tarball = path.join(packs, packed.trim().split('\n').pop()!);
  tarballFiles = ok('tar', ['-tzf', tarball], { cwd: tmp }).trim().split('\n');
  packDependencies(packs);

  userEnv = {
    HOME: path.join(tmp, 'home'),
    PATH: bareBin(path.join(tmp, 'bin')),
    npm_config_cache: path.join(tmp, 'npm-cache'), // empty: nothing comes from an earlier install
    npm_config_node_gyp: '/bin/false',
    npm_config_update_notifier: 'false',
    TMPDIR: tmp,
  };
  fs.mkdirSync(userEnv.HOME);
  app = path.join(tmp, 'app');
  const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
  installLog = userInstall(app, tarballs);
  pkg = path.join(app, 'node_modules', 'nvml-mig');
  for (const f of ['workflow.cjs', 'one-copy.mjs']) fs.copyFileSync(path.join(FIXTURES, f), path.join(app, f));
}, 600_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball, installed offline with no compiler', () => {
  it('carries the prebuilds, the ESM wrappers, the compiled JS and the sources for a local build', () => {
    for (const f of [
      `prebuilds/${PLATFORM}/nvml-mig.glibc.node`,
      `prebuilds/${PLATFORM}/libnvidia-ml.so.1`,
      `prebuilds/${PLATFORM}/libnvidia-ml-legacy.so.1`,
      'esm/index.mjs',
      'esm/index.d.mts',
      'dist/index.js',
      'dist/index.d.ts',
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
    // Nothing of the checkout that users do not need.
    expect(tarballFiles.filter((f) => /^package\/(test|lib|bench|build|scripts|tools|docs\/api)\//.test(f) || f.endsWith('.js.map'))).toEqual([]);
  });

  it('installs without compiling: no compiler on PATH, and no build/ in the installed package', () => {
    const r = run('sh', ['-c', 'command -v g++ gcc cc c++ make python3 node-gyp || true'], { cwd: app, env: userEnv });
    expect(r.stdout.trim()).toBe('');
    expect(fs.existsSync(path.join(pkg, `prebuilds/${PLATFORM}/nvml-mig.glibc.node`))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
    expect(installLog).toMatch(/added \d+ packages/);
  });

  it('require: init on the bundled prebuilt mock and the MIG workflow', () => {
    const seen = lastJson(ok('node', ['workflow.cjs'], { cwd: app, env: userEnv }));
    expectWorkflow(seen, path.join(pkg, 'prebuilds', PLATFORM));
  });

  it('import and require share one copy of the JS layer', () => {
    expectOneCopy(lastJson(ok('node', ['one-copy.mjs'], { cwd: app, env: userEnv })));
  });

  it('the addon loaded is the prebuild', () => {
    const out = ok('node', ['-p', "require('node-gyp-build').path('node_modules/nvml-mig')"], { cwd: app, env: userEnv });
    expect(out.trim()).toBe(path.join(pkg, 'prebuilds', PLATFORM, 'nvml-mig.glibc.node'));
  });

  it('npx nvml-mig --mock: the nvidia-smi MIG workflow on the bundled simulator', () => {
    const state = path.join(tmp, 'cli-state.json');
    const cli = (...args: string[]) => run('npx', ['--offline', 'nvml-mig', '--mock', 'h100-80gb', '--mock-state', state, ...args], { cwd: app, env: userEnv });
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
    expect(cli('mig', '-lgi').stdout).toContain('No GPU instances found');
  }, 120_000);

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

  it('publint finds nothing wrong with the installed package', () => {
    const out = ok(process.execPath, [publint, pkg, '--strict'], { cwd: app, timeout: 120_000 });
    expect(out).not.toMatch(/Errors:|Warnings:/);
  }, 120_000);

  it('a package without a loadable addon fails init() with what was tried and what to do', () => {
    const broken = path.join(app, 'node_modules', 'nvml-mig-broken');
    fs.cpSync(pkg, broken, { recursive: true });
    fs.rmSync(path.join(broken, 'prebuilds'), { recursive: true });
    const script = `require(${JSON.stringify(path.join(broken, 'dist', 'index.js'))}).init().then(() => console.log('loaded'), (e) => { console.log(e.code); console.log(e.message); })`;
    const r = run('node', ['-e', script], { cwd: app, env: userEnv });
    expect(r.stdout).toContain('ERR_NVML_LOAD_FAILED');
    expect(r.stdout).toContain('Tried:');
    expect(r.stdout).toContain(path.join(broken, 'prebuilds', PLATFORM));
    expect(r.stdout).toContain(path.join(broken, 'build', 'Release', 'nvml_mig.node'));
    expect(r.stdout).toMatch(/Build it with|npm rebuild/);
  });

  it('with --ignore-scripts the install is the same: the prebuild needs no install step', () => {
    const project = path.join(tmp, 'app-ignore-scripts');
    const packs = path.dirname(tarball);
    userInstall(project, fs.readdirSync(packs).map((f) => path.join(packs, f)), ['--ignore-scripts']);
    fs.copyFileSync(path.join(FIXTURES, 'workflow.cjs'), path.join(project, 'workflow.cjs'));
    const seen = lastJson(ok('node', ['workflow.cjs'], { cwd: project, env: userEnv }));
    expectWorkflow(seen, path.join(project, 'node_modules', 'nvml-mig', 'prebuilds', PLATFORM));
  }, 120_000);
});
