// nvmlInternalGetExportTable: the table nvidia-smi 580 asks for, called the way nvidia-smi calls it
// (Python ctypes through the table's function pointers), on a state with four MIG devices and a
// process on the first one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_PATH, NVML } from './abi';

const CLIENT = fileURLToPath(new URL('./clients/export_table.py', import.meta.url));
const STATE = fileURLToPath(new URL('../fidelity/states/h100-shared-gi.json', import.meta.url));

let dir: string;
let r: any;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-table-'));
  copyFileSync(STATE, join(dir, 'state.json'));
  const env = { ...process.env, NVML_MOCK_STATE: join(dir, 'state.json'), NVML_MOCK_FAULTS: '', NVML_MOCK_LATENCY_US: '', NVML_MOCK_TRACE: '' };
  r = JSON.parse(execFileSync('python3', [CLIENT, MOCK_PATH], { env, encoding: 'utf8' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nvmlInternalGetExportTable', () => {
  it("hands out nvidia-smi's table: size word 0x2000, then 1023 distinct functions; other ids are NOT_SUPPORTED", () => {
    expect(r.init).toBe(NVML.SUCCESS);
    expect(r.otherId).toBe(NVML.NOT_SUPPORTED);
    expect(r.smiId).toBe(NVML.SUCCESS);
    expect(r.sizeBytes).toBe(0x2000);
    expect(r.slots).toBe(1023);
    expect(r.distinctNonNull).toBe(1023);
  });

  it('slot 81 is the device handle by index; unimplemented slots answer NOT_SUPPORTED', () => {
    expect(r.slot81).toEqual([NVML.SUCCESS, true]);
    expect(r.slot81_pastEnd).toBe(NVML.INVALID_ARGUMENT);
    expect(r.slot81_otherCall).toBe(NVML.NOT_SUPPORTED);
    expect(r.slot26).toBe(NVML.NOT_SUPPORTED);
  });

  it('slot 213 lists compute processes in 4128-byte entries (GI/CI ids, name inline), per GPU and per MIG device', () => {
    expect(r.entrySize).toBe(4128);
    expect(r.procGpu).toEqual([NVML.SUCCESS, 1, [[4242, 2048, 1, 0, 'python3']]]);
    expect(r.procGpuShort.slice(0, 2)).toEqual([NVML.INSUFFICIENT_SIZE, 1]);
    expect(r.procMig).toEqual([[[4242, 2048, 1, 0, 'python3']], [], [], []]);
    expect(r.procBadHandle[0]).toBe(NVML.INVALID_ARGUMENT);
  });

  it('slots 214 and 215 answer empty lists (nvidia-smi drops every process when they fail)', () => {
    expect(r.proc214).toEqual([NVML.SUCCESS, 0, []]);
    expect(r.proc215).toEqual([NVML.SUCCESS, 0, []]);
  });

  it('every slot call has its own call-log entry', () => {
    expect(r.log).toEqual([
      'exportTable[81]=0', 'exportTable[81]=2', 'exportTable[81]=3', 'exportTable[26]=3',
      'exportTable[213]=0', 'exportTable[213]=7', 'exportTable[213]=0', 'exportTable[213]=0', 'exportTable[213]=0',
      'exportTable[213]=0', 'exportTable[214]=0', 'exportTable[215]=0', 'exportTable[213]=2',
    ]);
  });
});
