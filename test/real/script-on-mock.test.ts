// scripts/device/real-readonly.js run as on a GPU machine (plain node, NVML_LIBRARY_PATH), here
// against the mock: it picks the reference of the GPU's model and compares every recorded value;
// on a model without a reference it fails. The mock is only as faithful as its model data: the
// values it is known not to imitate are listed here, and no other check may fail on the H100.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const MOCK = path.join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');
const SCRIPT = path.join(ROOT, 'scripts', 'device', 'real-readonly.js');

interface Check {
  name: string;
  ok: boolean;
}
interface Report {
  ok: boolean;
  checks: Check[];
  devices: Array<{ name: string; reference: string | null; referenceChecks?: number }>;
}

/** Runs the script on the mock as `machine`; its exit status, output and JSON report. */
function runScript(machine: string): { status: number | null; stdout: string; report: Report } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nvml-mig-real-readonly-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NVML_')) env[k] = v;
  Object.assign(env, { NVML_LIBRARY_PATH: MOCK, NVML_MOCK_MACHINE: machine, OUT: out });
  const p = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(fs.readFileSync(path.join(out, 'real-readonly.json'), 'utf8')) as Report;
  fs.rmSync(out, { recursive: true, force: true });
  return { status: p.status, stdout: p.stdout, report };
}

const failed = (r: Report) => r.checks.filter((c) => !c.ok).map((c) => c.name);

/** Real answers the mock's H100 does not imitate (a mock-side gap, not a tolerance of the check). */
const MOCK_H100_GAPS = [
  // The mock reports reserved 0 bytes; the real H100 reserved 503316480 (nvmlDeviceGetMemoryInfo_v2).
  'GPU 0 [h100-580.json]: memory total and reserved (bytes, nvmlDeviceGetMemoryInfo_v2)',
];

describe('scripts/device/real-readonly.js on the mock', () => {
  it('as an H100 80GB HBM3: compared with h100-580.json, every check but the known mock gaps passes', () => {
    const { status, stdout, report } = runScript('h100-80gb');
    expect(report.devices.map((d) => [d.name, d.reference])).toEqual([['NVIDIA H100 80GB HBM3', 'h100-580.json']]);
    expect(report.devices[0]!.referenceChecks).toBeGreaterThan(40);
    expect(report.checks.find((c) => c.name === 'compared against a known reference: every GPU')?.ok).toBe(true);
    expect(failed(report).filter((n) => !MOCK_H100_GAPS.includes(n)), stdout).toEqual([]);
    expect(status).toBe(report.ok ? 0 : 1);
  }, 60_000);

  it("as an H200: compared with h200-580.json (the real H200's answers; the mock's model may still differ)", () => {
    const { stdout, report } = runScript('h200');
    expect(report.devices.map((d) => [d.name, d.reference])).toEqual([['NVIDIA H200', 'h200-580.json']]);
    expect(report.devices[0]!.referenceChecks).toBeGreaterThan(40);
    const diffs = failed(report);
    if (diffs.length) console.log(`the mock's h200 model differs from the real H200 at:\n${diffs.join('\n')}\n${stdout.split('\n').filter((l) => l.startsWith('FAIL')).join('\n')}`);
  }, 60_000);

  it('on a model with no reference (A100 40GB): the run fails, saying nothing was compared', () => {
    const { status, stdout, report } = runScript('a100-40gb');
    expect(status).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.devices.map((d) => d.reference)).toEqual([null]);
    expect(failed(report)).toEqual(['GPU 0: a reference for "NVIDIA A100-SXM4-40GB" (no reference, nothing compared)', 'compared against a known reference: every GPU']);
    expect(stdout).toContain('none for "NVIDIA A100-SXM4-40GB" (nothing compared');
  }, 60_000);
});
