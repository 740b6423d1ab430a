// Runs the built CLI (dist/cli/main.js) as users do, on the bundled mock with a state file of
// its own per test, and talks to the same simulated machine through the facade in a separate
// process (so setting up a busy GPU does not depend on the CLI under test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const MOCK = join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Env without the variables that would change what the mock or the library does. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('NVML_')) delete env[k];
  return { ...env, ...extra };
}

export function runCli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: cleanEnv(env), timeout: 20_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A simulated machine with its own state file: `sim.run('mig', '-lgi')` adds --mock/--mock-state. */
export class Sim {
  readonly dir = mkdtempSync(join(tmpdir(), 'nvml-mig-cli-'));
  readonly state = join(this.dir, 'state.json');
  constructor(readonly machine = 'h100-80gb') {}

  run(...args: string[]): Run {
    return runCli(['--mock', this.machine, '--mock-state', this.state, ...args]);
  }

  runEnv(env: Record<string, string>, ...args: string[]): Run {
    return runCli(['--mock', this.machine, '--mock-state', this.state, ...args], env);
  }

  json(...args: string[]): { code: number; doc: any; stderr: string } {
    const r = this.run('--json', ...args);
    return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
  }

  /** One request on the mock's control channel, through the facade in a child process. */
  control(request: object): any {
    const script = `
      const { init } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
      (async () => {
        const nvml = await init({ libraryPath: ${JSON.stringify(MOCK)} });
        try { process.stdout.write(JSON.stringify(await nvml.mockControl(${JSON.stringify(request)}))); }
        finally { await nvml.shutdown(); }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: cleanEnv({ NVML_MOCK_MACHINE: this.machine, NVML_MOCK_STATE: this.state }),
    });
    if (r.status !== 0) throw new Error(`mock control failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
