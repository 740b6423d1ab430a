// One return-code table: native/return_codes.json. The generated files are current, and the addon's
// built-in table, the mock's nvmlErrorString, lib/errors.ts and the CLI agree on every number 0..999
// (and a few beyond): the same name and text for each defined code, "Unknown Error" for the others.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NVML_RETURN_CODES, nvmlReturnName } from '../../dist/index.js';
import { codeText } from '../../dist/cli/errors.js';
import { b, MOCK, ROOT, control, openMock, TestNvmlError } from './helpers';

const table: Array<{ value: number; name: string; text: string }> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'native', 'return_codes.json'), 'utf8'),
).codes;
const byValue = new Map(table.map((c) => [c.value, c]));
const NUMBERS = [...Array.from({ length: 1000 }, (_, i) => i), 1000, 4096, -1, 2147483647];

describe('one return-code table', () => {
  it('the generated header and TypeScript module are current', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-return-codes.js'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('covers the codes NVML defines, once each', () => {
    expect(table.length).toBe(32);
    expect(new Set(table.map((c) => c.value)).size).toBe(table.length);
    expect(byValue.get(16)?.name).toBe('NVML_ERROR_RESET_REQUIRED');
    expect(byValue.get(999)?.text).toBe('Unknown Error');
  });

  it("the addon's built-in texts (no library loaded yet), JS names and CLI wording follow the table", () => {
    expect(b.isOpen()).toBe(false);
    for (const n of NUMBERS) {
      const c = byValue.get(n);
      expect(b.errorString(n), `addon built-in text of ${n}`).toBe(c ? c.text : 'Unknown Error');
      expect(NVML_RETURN_CODES[n], `NVML_RETURN_CODES[${n}]`).toBe(c?.name);
      expect(nvmlReturnName(n)).toBe(c ? c.name : `NVML_ERROR_UNKNOWN_${n}`);
      if (c && n !== 0) expect(codeText(c.name), `CLI text of ${c.name}`).toBe(c.text);
    }
  });

  it("the mock's nvmlErrorString says the same for every number", async () => {
    await openMock();
    expect(b.isOpen()).toBe(true);
    for (const n of NUMBERS) expect(b.errorString(n), `mock text of ${n}`).toBe(byValue.get(n)?.text ?? 'Unknown Error');
    await b.close();
    expect(fs.existsSync(MOCK)).toBe(true);
  });

  it('the addon names each code a driver returns, with the text in the message', async () => {
    await openMock();
    const dev = await b.deviceGetHandleByIndex(0);
    for (const c of table) {
      if (c.value === 0) continue;
      await control({ cmd: 'setFault', fn: 'nvmlDeviceGetMigMode', code: c.value });
      const err = await b.deviceGetMigMode(dev).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TestNvmlError);
      expect((err as TestNvmlError).code).toBe(c.name);
      expect((err as TestNvmlError).nvmlReturn).toBe(c.value);
      expect((err as TestNvmlError).message).toBe(`nvmlDeviceGetMigMode: ${c.text}`);
    }
    await control({ cmd: 'clearFaults' });
    await b.close();
  });
});
