// Shared set-up of the raw-surface tests: the addon from dist/, the mock libraries, a local
// error class (so these tests depend on nothing of the facade).
import * as path from 'node:path';
import { expect } from 'vitest';
import { loadBinding } from '../../dist/binding.js';
import type { NativeBinding } from '../../dist/native.js';
import { NVML_CODE_NAMES, nvmlCodeNumber } from '../nvml-return-codes';

export const ROOT = path.resolve(__dirname, '..', '..');
export const MOCK = path.join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');
export const LEGACY_MOCK = path.join(ROOT, 'build', 'Release', 'mock-legacy', 'libnvidia-ml.so.1');

export class TestNvmlError extends Error {
  constructor(
    readonly code: string,
    readonly nvmlReturn: number | null,
    readonly fn: string | null,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export const b: NativeBinding = loadBinding();
b.setErrorClass(TestNvmlError);

/** Opens the mock with a fresh machine (env read at nvmlInit, reset for a reused process). */
export async function openMock(machine = 'h100-80gb', readOnly = false): Promise<void> {
  process.env.NVML_MOCK_MACHINE = machine;
  delete process.env.NVML_MOCK_STATE;
  await b.open(MOCK, 0, readOnly);
  await control({ cmd: 'reset', machine });
  await control({ cmd: 'setLatency', fn: '*', us: 0 });
  await control({ cmd: 'clearFaults' });
}

export async function control(req: object): Promise<any> {
  const res = JSON.parse(await b.mockControl(JSON.stringify(req)));
  if (!res.ok) throw new Error(`mockControl ${JSON.stringify(req)}: ${res.error}`);
  return res;
}

/**
 * Awaits a rejection and checks its class and code. An NVML code's nvmlReturn must be that code's
 * number in NVML's enum (the tests' own list; `nvmlReturn`, when given, must agree with it), or n
 * for NVML_ERROR_UNKNOWN_<n>; a library code (ERR_*) has none.
 */
export async function rejects(p: Promise<unknown>, code: string, nvmlReturn: number | null = null): Promise<TestNvmlError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected a rejection with ${code}`).toBeInstanceOf(TestNvmlError);
  const e = err as TestNvmlError;
  expect(e.code).toBe(code);
  if (code.startsWith('NVML_')) {
    // NVML_ERROR_UNKNOWN_<n>: the addon's name for a number NVML does not define.
    const undefinedCode = /^NVML_ERROR_UNKNOWN_(\d+)$/.exec(code);
    const number = undefinedCode ? Number(undefinedCode[1]) : nvmlCodeNumber(code);
    if (undefinedCode) expect(NVML_CODE_NAMES[number], `${number} is an NVML code`).toBeUndefined();
    if (nvmlReturn !== null) expect(nvmlReturn, `the test's own number for ${code}`).toBe(number);
    expect(e.nvmlReturn, `nvmlReturn of ${code}`).toBe(number);
  } else {
    expect(e.nvmlReturn).toBeNull();
  }
  return e;
}

/** MIG on for GPU `gpu` of the mock (Ampere needs the simulated reset). */
export async function enableMig(dev: number, gpu = 0): Promise<void> {
  await b.deviceSetMigMode(dev, 1);
  const mode = await b.deviceGetMigMode(dev);
  if (mode.current !== 1) await control({ cmd: 'gpuReset', gpu });
}
