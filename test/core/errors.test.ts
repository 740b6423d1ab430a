// NvmlError, the return-code table, argument checks and the library-less require.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIBRARY_ERROR_CODES, NVML_RETURN_CODES, NvmlError, init, isNvmlError, nvmlReturnName } from '../../dist/index.js';
import { NVML_CODE_NAMES } from '../nvml-return-codes';
import { ROOT, expectCode } from './helpers';

describe('NvmlError', () => {
  it('carries code, nvmlReturn and fn', () => {
    const e = new NvmlError('NVML_ERROR_IN_USE', 19, 'nvmlGpuInstanceDestroy', 'nvmlGpuInstanceDestroy: In use by another client');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NvmlError');
    expect(Object.keys(e)).not.toContain('name');
    expect([e.code, e.nvmlReturn, e.fn, e.message]).toEqual(['NVML_ERROR_IN_USE', 19, 'nvmlGpuInstanceDestroy', 'nvmlGpuInstanceDestroy: In use by another client']);
    expect(String(e.stack)).toMatch(/^NvmlError: nvmlGpuInstanceDestroy: In use/);
    const lib = new NvmlError(LIBRARY_ERROR_CODES.READ_ONLY);
    expect([lib.nvmlReturn, lib.fn, lib.message]).toEqual([null, null, 'ERR_NVML_READ_ONLY']);
  });

  it('isNvmlError checks the class and optionally the code', () => {
    const e = new NvmlError('NVML_ERROR_NOT_FOUND', 6, 'x');
    expect(isNvmlError(e)).toBe(true);
    expect(isNvmlError(e, 'NVML_ERROR_NOT_FOUND')).toBe(true);
    expect(isNvmlError(e, 'NVML_ERROR_IN_USE')).toBe(false);
    const look = Object.assign(new Error('x'), { code: 'NVML_ERROR_NOT_FOUND' });
    expect(isNvmlError(look)).toBe(false);
    expect(isNvmlError(null)).toBe(false);
  });

  it("names every NVML return code as NVML's enum does (the tests' own list)", () => {
    expect(Object.keys(NVML_CODE_NAMES)).toHaveLength(32);
    expect(NVML_RETURN_CODES).toEqual(NVML_CODE_NAMES);
    for (const [n, name] of Object.entries(NVML_CODE_NAMES)) expect(nvmlReturnName(Number(n)), n).toBe(name);
    expect(nvmlReturnName(77)).toBe('NVML_ERROR_UNKNOWN_77');
    expect(Object.isFrozen(NVML_RETURN_CODES)).toBe(true);
  });
});

describe('init() argument checks', () => {
  it('TypeError / RangeError before loading anything', async () => {
    await expect(init(42 as never)).rejects.toBeInstanceOf(TypeError);
    await expect(init({ libraryPath: 7 as never })).rejects.toBeInstanceOf(TypeError);
    await expect(init({ libraryPath: '' })).rejects.toBeInstanceOf(RangeError);
    await expect(init({ libraryPath: 'a\0b' })).rejects.toBeInstanceOf(RangeError);
    await expect(init({ readOnly: 'yes' as never })).rejects.toBeInstanceOf(TypeError);
    await expect(init({ flags: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(init({ flags: 1.5 })).rejects.toBeInstanceOf(RangeError);
  });

  it('a library that cannot be loaded gives ERR_NVML_LOAD_FAILED naming the path', async () => {
    const e = await expectCode(init({ libraryPath: '/nonexistent/libnvidia-ml.so.1' }), 'ERR_NVML_LOAD_FAILED');
    expect(e.message).toContain('/nonexistent/libnvidia-ml.so.1');
    expect(e.nvmlReturn).toBeNull();
    // The caller's frame is in the stack.
    expect(e.stack).toContain('errors.test.ts');
    // Nothing stays open after a failed open: the next init can name another library.
    await expectCode(init({ libraryPath: '/nonexistent/other.so' }), 'ERR_NVML_LOAD_FAILED');
  });
});

describe('require', () => {
  it('loads no native code and no NVML until init()', () => {
    const script = `
      const pkg = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
      const natives = Object.keys(require.cache).filter((k) => k.endsWith('.node'));
      const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
      console.log(JSON.stringify({ natives, nvml: maps.includes('libnvidia-ml'), init: typeof pkg.init }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(out).toEqual({ natives: [], nvml: false, init: 'function' });
  });
});
