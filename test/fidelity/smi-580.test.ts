// nvml-mig against the real nvidia-smi 580: smi-580/<state>/<command>.txt is what nvidia-smi
// 580.159.04 printed (stdout and stderr, then "exit N") when run against the mock on states/<state>.json
// (scripts/device/smi-fidelity.sh, on a machine with the driver; the dashboard's timestamp line
// replaced). nvml-mig must print the same bytes on the same state. A change of the mock's model
// data that shows in these listings (profile memory, say) needs a new recording from that script.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const STATES = readdirSync(join(HERE, 'states')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
const COMMANDS: Record<string, string[]> = {
  L: ['-L'], miglgip: ['mig', '-lgip'], miglgipp: ['mig', '-lgipp'], miglgi: ['mig', '-lgi'], miglci: ['mig', '-lci'],
  miglcip: ['mig', '-lcip'], dashboard: [],
};
const dir = mkdtempSync(join(tmpdir(), 'smi-580-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nvmlMig(state: string, args: string[]): Promise<string> {
  const file = join(dir, `${state}-${args.join('')}.json`);
  copyFileSync(join(HERE, 'states', `${state}.json`), file);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--mock=', '--mock-state', file, ...args], { env: { ...process.env, NVML_MOCK_STATE: file } }, (err, stdout, stderr) => {
      resolve(`${stdout}${stderr}exit ${err ? (err as { code?: number }).code : 0}\n`);
    });
  });
}

function splitExit(out: string): [string, number] {
  const m = /exit (\d+)\n$/.exec(out);
  if (!m) throw new Error(`no exit line in ${JSON.stringify(out.slice(-40))}`);
  return [out.slice(0, m.index), Number(m[1])];
}

describe('nvml-mig prints what nvidia-smi 580 printed on the same mock state', () => {
  it('has a recording for every state and command', () => {
    expect(STATES.length).toBeGreaterThanOrEqual(10);
    for (const s of STATES) for (const c of Object.keys(COMMANDS)) expect(existsSync(join(HERE, 'smi-580', s, `${c}.txt`)), `${s}/${c}`).toBe(true);
  });

  for (const state of STATES) {
    it(state, async () => {
      const outputs = await Promise.all(Object.values(COMMANDS).map((args) => nvmlMig(state, args)));
      for (const [i, [name, args]] of Object.entries(COMMANDS).entries()) {
        const want = readFileSync(join(HERE, 'smi-580', state, `${name}.txt`), 'utf8');
        let got = outputs[i];
        if (name === 'dashboard') got = got.replace(/^.*\n/, '<timestamp>\n');
        const [wantText, wantExit] = splitExit(want);
        const [gotText, gotExit] = splitExit(got);
        expect(gotText, `${state}: nvml-mig ${args.join(' ')}`).toBe(wantText);
        expect(gotExit, `${state}: exit of nvml-mig ${args.join(' ')}`).toBe(wantExit);
      }
    }, 60_000);
  }
});
