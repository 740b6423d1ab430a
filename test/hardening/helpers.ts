// Shared by the hardening suites: hostile argument generators, the rule for what may come back
// from a call (value, TypeError, RangeError, NvmlError), and a settle-or-hang guard.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import fc from 'fast-check';
import { NVML } from '../nvml-return-codes';

export const ROOT = path.resolve(__dirname, '..', '..');
export const MOCK = path.join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');
export const LEGACY_MOCK = path.join(ROOT, 'build', 'Release', 'mock-legacy', 'libnvidia-ml.so.1');

/** How native/functions.cjs describes one bound NVML function (the parts the tests read). */
export interface FunctionDescription {
  name: string;
  op?: string;
  /** How the raw fault matrix reaches it; a string when it cannot or is tested apart. */
  fault: 'unreached' | 'lifecycle' | { on?: string; args?: unknown[]; legacy?: boolean; free?: string; custom?: boolean; consumes?: boolean };
  /** Codes the call answers without an NvmlError, with what it answers. */
  soft?: Array<{ code: number; answer: string; why: string }>;
}
export interface OpDescription {
  fn?: string;
  getter?: string;
  mutates?: boolean;
  sync?: boolean;
}
/** The one description of the bound functions and the raw calls (native/functions.cjs). */
export const DESCRIPTION = createRequire(__filename)(path.join(ROOT, 'native', 'functions.cjs')) as {
  functions: FunctionDescription[];
  ops: Record<string, OpDescription>;
};
/** The op that reaches an NVML function: its own entry's, else the getter that calls it. */
export function opOf(f: FunctionDescription): string | undefined {
  return f.op ?? Object.entries(DESCRIPTION.ops).find(([, o]) => o.fn === f.name)?.[0];
}

/** Under the sanitizers or valgrind every call is several times slower: fewer cases there. */
export const SLOW = process.env.HARDENING_SANITIZED === '1';

/** Property runs: HARDENING_RUNS (the full fuzz script sets thousands), else a CI-sized default. */
export function runs(ciDefault: number): number {
  const n = Number(process.env.HARDENING_RUNS);
  if (Number.isInteger(n) && n > 0) return n;
  return SLOW ? Math.max(20, Math.floor(ciDefault / 4)) : ciDefault;
}

/** A test's time limit: generous when a full run (more cases, rounds or kills) is asked for. */
export function limit(ms = 30_000): number {
  const full = process.env.HARDENING_RUNS || process.env.HARDENING_FAULT_ROUNDS || process.env.HARDENING_KILLS;
  return full ? 3_600_000 : SLOW ? ms * 4 : ms;
}

/** Seed for reproducing a failing run: HARDENING_SEED, else fast-check's own (printed on failure). */
export function seed(): number | undefined {
  const s = Number(process.env.HARDENING_SEED);
  return Number.isInteger(s) ? s : undefined;
}

/** What a caller's own throwing getter or Proxy trap throws: it may propagate unchanged. */
export class HostileGetterError extends Error {}

function throwingGetters(): object {
  return Object.defineProperties({}, {
    start: { get() { throw new HostileGetterError('start getter'); }, enumerable: true },
    size: { get() { throw new HostileGetterError('size getter'); }, enumerable: true },
    readOnly: { get() { throw new HostileGetterError('readOnly getter'); }, enumerable: true },
    libraryPath: { get() { throw new HostileGetterError('libraryPath getter'); }, enumerable: true },
    cmd: { get() { throw new HostileGetterError('cmd getter'); }, enumerable: true },
    toJSON: { get() { throw new HostileGetterError('toJSON getter'); } },
  });
}

function throwingProxy(): object {
  const trap = () => {
    throw new HostileGetterError('proxy trap');
  };
  return new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
}

function lyingValueOf(): object {
  // Numbers by coercion only: a check that coerces instead of testing the type would accept it.
  return { valueOf: () => 1, toString: () => '0', [Symbol.toPrimitive]: () => 2 };
}

const HOSTILE_CONSTANTS: unknown[] = [
  undefined, null, NaN, -0, 0, 1, -1, 0.5, 1e-300, Infinity, -Infinity,
  2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE,
  '', '0', '1', ' ', '\0', 'GPU-\0abc', 'MIG-\0', 'a\0b', '00000000:07:00.0\0', 'GPU-', 'MIG-',
  'x'.repeat(5000), 'GPU-' + 'f'.repeat(100_000), '\u{1F600}'.repeat(64), '\ud800', '%s%n%x',
  true, false, [], [1, 2], [NaN], {}, { start: 0, size: 1 }, { start: -1, size: 1 }, { start: 0.5, size: NaN },
  { start: 2 ** 32, size: 2 ** 32 }, { start: '0', size: '1' }, Object.create(null),
  0n, 1n, -1n, 2n ** 64n, 2n ** 64n - 1n, Symbol('hostile'), () => 1, new Date(NaN), /re/g,
  new Uint8Array(8), new ArrayBuffer(4), Promise.resolve(1), new Error('not an argument'),
];

/**
 * A hostile object built only at call time: fast-check inspects generated values (to clone and
 * print them), which would trip the traps before the code under test sees them.
 */
export class Made {
  constructor(readonly label: string, readonly make: () => unknown) {}
  toString(): string {
    return `<${this.label}>`;
  }
}

/** One hostile argument (throwing objects as Made, see materialize()). */
export const hostileArg: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS) },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constant(new Made('throwing getters', throwingGetters)) },
  { weight: 1, arbitrary: fc.constant(new Made('throwing proxy', throwingProxy)) },
  { weight: 1, arbitrary: fc.constant(new Made('lying valueOf', lyingValueOf)) },
);

/** The arguments of one call with every Made replaced by a fresh object. */
export function materialize(args: unknown[]): unknown[] {
  return args.map((a) => (a instanceof Made ? a.make() : a));
}

export type Outcome = 'ok' | 'TypeError' | 'RangeError' | 'NvmlError' | 'HostileGetterError';

/** Classifies a thrown or rejected value; anything else fails the property with a description. */
export function classify(e: unknown, isNvmlError: (e: unknown) => boolean): Outcome {
  if (e instanceof HostileGetterError) return 'HostileGetterError';
  if (isNvmlError(e)) return 'NvmlError';
  if (e instanceof RangeError) return 'RangeError';
  if (e instanceof TypeError) return 'TypeError';
  throw new Error(`unexpected ${describe(e)}`);
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.constructor?.name ?? 'Error'} ${(e as any).code ?? ''}: ${e.message}\n${e.stack}`;
  return `non-error ${typeof e}: ${String(e)}`;
}

/**
 * Calls fn, awaits what it returns (thenables included) and classifies the outcome. A call that
 * neither settles nor throws within `limitMs` fails: a hang is a defect like a crash.
 */
export async function outcome(call: () => unknown, isNvmlError: (e: unknown) => boolean, limitMs = 10_000): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = call();
    if (value && typeof (value as any).then === 'function') {
      await Promise.race([
        value,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`HANG: the call did not settle within ${limitMs} ms`)), limitMs);
        }),
      ]);
    }
    return 'ok';
  } catch (e) {
    return classify(e, isNvmlError);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Rejects with a HANG error if `p` has not settled within `ms` (so fast-check names the case). */
export async function settlesWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Counts of outcomes, for the summary line each suite prints. */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }
  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  line(label: string): string {
    return `${label}: ${this.total} calls ${JSON.stringify(this.counts)}`;
  }
}

/** The NVML return codes the hardening suites inject: every one NVML defines (0-30 and 999). */
export const ALL_RETURN_CODES: number[] = Object.values(NVML);
