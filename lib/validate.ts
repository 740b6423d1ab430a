// Argument checks of the facade: wrong types throw TypeError, out-of-range values RangeError,
// before anything reaches native code (which checks again).

import type { InitOptions, Placement } from './types';

const UINT32_MAX = 0xffffffff;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `a string (${JSON.stringify(value)})` : `${typeof value}`;
}

/** An unsigned 32-bit integer (NVML's `unsigned int`): ids, profile indices and ids, counts. */
export function checkUint32(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new RangeError(`${name} must be an integer from 0 to ${UINT32_MAX}, got ${value}`);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  }
  if (value.length === 0) throw new RangeError(`${name} must not be empty`);
  if (value.includes('\0')) throw new RangeError(`${name} must not contain NUL characters`);
  return value;
}

export function checkObject(name: string, value: unknown): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`);
  }
  return value;
}

/** A placement `{start, size}`; returns a fresh plain copy so later mutation by the caller is harmless. */
export function checkPlacement(name: string, value: unknown): Placement {
  const p = checkObject(name, value) as Record<string, unknown>;
  return { start: checkUint32(`${name}.start`, p.start), size: checkUint32(`${name}.size`, p.size) };
}

export function checkOptionalPlacement(name: string, value: unknown): Placement | undefined {
  return value === undefined ? undefined : checkPlacement(name, value);
}

export function checkOptionalUint32(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkUint32(name, value);
}

export function checkInitOptions(value: unknown): InitOptions {
  if (value === undefined) return {};
  const o = checkObject('options', value) as Record<string, unknown>;
  const out: InitOptions = {};
  if (o.libraryPath !== undefined) out.libraryPath = checkString('options.libraryPath', o.libraryPath);
  if (o.readOnly !== undefined) out.readOnly = checkBoolean('options.readOnly', o.readOnly);
  if (o.flags !== undefined) out.flags = checkUint32('options.flags', o.flags);
  return out;
}

/** The library handle that init() resolved with (layout, monitor and exporter functions take one). */
export function checkNvml(name: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || !('_session' in value) || typeof (value as { deviceCount?: unknown }).deviceCount !== 'function') {
    throw new TypeError(`${name} must be the Nvml that init() resolved with, got ${describe(value)}`);
  }
}
