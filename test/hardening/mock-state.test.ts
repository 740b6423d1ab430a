// The mock's shared state file (NVML_MOCK_STATE): many processes mutating it at once lose and
// duplicate nothing, and a process killed (SIGKILL) in the middle of its writes leaves a valid
// file that the next process opens. HARDENING_KILLS raises the kill loop (scripts/hardening/soak.sh).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../dist/index.js';
import { MOCK, ROOT, SLOW, limit } from './helpers';

const WRITER = path.join(__dirname, 'workers', 'state-writer.js');
const DIST = path.join(ROOT, 'dist', 'index.js');
let dir: string;
let statePath: string;

function env(): NodeJS.ProcessEnv {
  return { ...process.env, NVML_MOCK_STATE: statePath, NVML_MOCK_MACHINE: 'h100-80gb:2', NVML_MOCK_FAULTS: '' };
}

function run(mode: 'batch' | 'loop', id: number) {
  return spawn(process.execPath, [WRITER, DIST, MOCK, mode, String(id)], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
}

function output(child: ReturnType<typeof run>): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
}

async function fresh(): Promise<void> {
  fs.rmSync(statePath, { force: true });
  process.env.NVML_MOCK_STATE = statePath;
  process.env.NVML_MOCK_MACHINE = 'h100-80gb:2';
  const nvml = await init({ libraryPath: MOCK });
  await nvml.mockControl({ cmd: 'reset', machine: 'h100-80gb:2' });
  await (await nvml.device(0)).setMigMode(true);
  await nvml.shutdown();
}

/** The state as a new process sees it (this process's library reads the file at every call). */
async function readState(): Promise<any> {
  const nvml = await init({ libraryPath: MOCK });
  try {
    return (await nvml.mockControl({ cmd: 'state' })).state;
  } finally {
    await nvml.shutdown();
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-state-'));
  statePath = path.join(dir, 'state.json');
});
afterAll(() => {
  delete process.env.NVML_MOCK_STATE;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('one state file, many processes', () => {
  it('concurrent writers lose and duplicate nothing', async () => {
    await fresh();
    const n = SLOW ? 3 : 6;
    const outs = await Promise.all(Array.from({ length: n }, (_, i) => output(run('batch', i))));
    const results = outs.map((o) => {
      const line = o.trim().split('\n').pop()!;
      return JSON.parse(line);
    });
    for (const r of results) expect(r.fatal).toBeUndefined();
    const state = await readState();
    const pids: number[] = state.gpus[1].processes.map((p: any) => p.pid).sort((a: number, b: number) => a - b);
    const expected = results.flatMap((r) => r.pids).sort((a: number, b: number) => a - b);
    expect(pids).toEqual(expected);
    expect(new Set(pids).size).toBe(n * 20);
    // Every GI a process kept is there once; the churned ones are all gone.
    const gis = state.gpus[0].gpuInstances.map((g: any) => g.id).sort((a: number, b: number) => a - b);
    expect(gis).toEqual(results.map((r) => r.kept).sort((a: number, b: number) => a - b));
    expect(new Set(state.gpus[0].gpuInstances.map((g: any) => g.placement.start)).size).toBe(n);
    console.log(`mock-state: ${n} processes, ${pids.length} processes recorded, ${gis.length} GIs kept, ${n * 20 * 2} churn writes`);
  }, limit(60_000));

  it('a writer killed with SIGKILL mid-write leaves a valid file, every time', async () => {
    await fresh();
    const kills = Number(process.env.HARDENING_KILLS) || (SLOW ? 3 : 8);
    for (let i = 0; i < kills; i++) {
      const child = run('loop', i);
      const done = output(child);
      // Wait until it is writing, then let it write for a random while before the kill.
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 60)));
      child.kill('SIGKILL');
      await done;
      const text = fs.readFileSync(statePath, 'utf8');
      expect(() => JSON.parse(text), `state file after kill ${i}: ${text.slice(0, 200)}`).not.toThrow();
      const state = await readState();
      expect(state.gpus.length).toBe(2);
      expect(state.gpus[0].migCurrent).toBe(true);
    }
    // A kill between the temporary file's creation and its rename leaves that file: the next
    // write removes it. After one more write nothing is next to the state but its lock.
    const orphans = fs.readdirSync(dir).filter((f) => f.startsWith('state.json.tmp.')).length;
    const nvml = await init({ libraryPath: MOCK });
    await nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid: 99, name: 'last', usedMemoryMiB: 1 });
    await nvml.shutdown();
    const leftovers = fs.readdirSync(dir).filter((f) => f !== 'state.json' && f !== 'state.json.lock');
    console.log(`mock-state: ${kills} SIGKILLs mid-write, file valid each time; ${orphans} temporary file(s) of the last kill, ${leftovers.length} after the next write`);
    expect(leftovers).toEqual([]);
  }, limit(120_000));
});
