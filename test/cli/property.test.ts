// Property tests of the CLI with fast-check: generated hostile command lines and state files. For
// every case the CLI returns an exit code of its table without throwing or hanging, prints one
// JSON document with --json, never reports success for a command line it cannot parse, never
// prints an internal error, and leaves the simulator's state file whole. A fixed seed and a bounded
// number of cases in CI; HARDENING_RUNS / HARDENING_SEED (scripts/hardening/fuzz.sh) for long runs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../dist/cli/run.js';
import { parseArgs } from '../../dist/cli/args.js';
import { EXIT_CODES } from '../../dist/cli/errors.js';
import { limit, runs, seed } from '../hardening/helpers';

const SEED = seed() ?? 20261203;
const dir = mkdtempSync(join(tmpdir(), 'nvml-mig-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const k of Object.keys(process.env)) if (k.startsWith('NVML_')) delete process.env[k];

const CODES = new Set(EXIT_CODES.map((e) => e.code));

async function call(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung: ${JSON.stringify(argv)}`)), 15_000)));
  try {
    const code = await Promise.race([runCli(argv, io as never), hang]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** A simulator state file is whole: JSON with the machine and its GPUs. */
function stateIsWhole(file: string): boolean {
  if (!existsSync(file)) return true;
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return typeof doc.machine === 'string' && Array.isArray(doc.gpus);
}

// Tokens a user might type, right and wrong, and junk. Left out on purpose: `exporter` (it serves
// until a signal: a success that never returns), `--reset-hook` (it runs a shell command) and
// `sim latency` (a delay of up to 10 s per call is its job).
const token = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'mig', '-mig', '0', '1', '2', '-L', '-r', '-i', '0,1', '7', 'GPU-x', 'MIG-x', '00000000:07:00.0', '-cgi', '-dgi', '-lgi', '-lgip', '-lgipp',
      '-cci', '-dci', '-lci', '-lcip', '-gi', '-ci', '-C', '19', '9', '19,19', '13,13', '1g.10gb', 'MIG 3g.40gb', '9:4', '9:99', '3g.40gb:x',
      'mode', 'enable', 'disable', 'list', 'status', 'profiles', 'placements', 'create-gi', 'destroy-gi', 'list-gi', 'ci-profiles',
      'create-ci', 'list-ci', 'destroy-ci', 'gpu-reset', '--force', 'apply', 'assert', 'export', '-f', '-c', '--dry-run', '/tmp', '/nonexistent',
      '--yaml', '-l', 'help', '--help', '-h', '--version', 'sim', 'show', 'reset', 'add-process', 'remove-process', 'fault', 'clear-faults',
      '42', '--name', '--memory', 'nvmlDeviceGetCount_v2', 'IN_USE', 'GPU_IS_LOST', '--nth', '--probability', '0.5', '--seed',
      '--json', '--debug', '--read-only', '--', '-', '--gi=1', '--ci=', '-i=0', '--bogus', '99999999999', '-1', '1e9', '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const argvArb = fc.array(token, { maxLength: 7 });

describe('the CLI under generated command lines', () => {
  it('never throws, hangs, lies or damages the state file', async () => {
    const state = join(dir, 'argv-state.json');
    let cases = 0;
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(argvArb, fc.boolean(), async (argv, json) => {
        const full = ['--mock', 'h100-80gb:2', '--mock-state', state, ...(json ? ['--json'] : []), ...argv];
        let parses = true;
        try {
          parseArgs(full);
        } catch {
          parses = false;
        }
        const r = await call(full);
        cases++;
        if (r.code === 0) successes++;
        expect(CODES.has(r.code), `${r.code} ${JSON.stringify(argv)}`).toBe(true);
        if (!parses) expect(r.code, JSON.stringify(argv)).toBe(2);
        expect(r.stderr, JSON.stringify(argv)).not.toMatch(/internal error|ReferenceError/);
        if (!argv.includes('--debug')) expect(r.stderr, JSON.stringify(argv)).not.toMatch(/TypeError|\n\s+at /); // --debug prints stacks
        if (json) {
          const doc = JSON.parse(r.stdout);
          expect(doc.exitCode, JSON.stringify(argv)).toBe(r.code);
          expect(doc.ok).toBe(r.code === 0);
          if (r.code !== 0) expect(doc.errors.length, JSON.stringify(argv)).toBeGreaterThan(0);
        }
        expect(stateIsWhole(state), JSON.stringify(argv)).toBe(true);
      }),
      { numRuns: runs(150), seed: SEED },
    );
    // The generator reaches commands that work, not only refusals.
    expect(successes).toBeGreaterThan(cases / 20);
  }, limit(120_000));

  it('a state file of any content: a fresh machine (empty) or one line with exit 8, and the file kept', async () => {
    // A real state to truncate, of the machine the command asks for.
    const whole = join(dir, 'whole.json');
    expect((await call(['--mock', 'h100-80gb', '--mock-state', whole, '-mig', '1'])).code).toBe(0);
    const text = readFileSync(whole, 'utf8');
    const content = fc.oneof(
      fc.nat({ max: text.length - 1 }).map((n) => text.slice(0, n)),
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.constant(text.replace('"gpus"', '"gpuz"')),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(content, async (body) => {
        const file = join(dir, `state-${n++}.json`);
        writeFileSync(file, body, 'latin1');
        const r = await call(['--mock', 'h100-80gb', '--mock-state', file, '--json', 'status']);
        const doc = JSON.parse(r.stdout);
        expect(doc.exitCode).toBe(r.code);
        if (body.trim() === '') {
          expect(r.code).toBe(0); // empty: a fresh machine, written whole
          expect(stateIsWhole(file)).toBe(true);
        } else if (r.code !== 0) {
          expect(r.code, body.slice(0, 80)).toBe(8);
          expect(r.stderr.split('\n').filter(Boolean), body.slice(0, 80)).toHaveLength(1);
          expect(readFileSync(file, 'latin1')).toBe(body); // nothing lost
        } else {
          expect(stateIsWhole(file)).toBe(true);
        }
        rmSync(file, { force: true });
      }),
      { numRuns: runs(120), seed: SEED },
    );
  }, limit(120_000));
});
