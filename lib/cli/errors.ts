// Exit codes and error wording of the CLI. Scripts rely on the codes; docs/cli.md lists them.

import { isNvmlError, nvmlReturnText } from '../errors.js';

/**
 * The exit codes, each named and explained once: `EXIT.BUSY` in code, the help text's list and
 * docs/cli.md come from this table.
 */
export const EXIT_CODES = [
  { name: 'OK', code: 0, meaning: 'ok' },
  /** Accepted but not (all) in effect: a pending MIG mode, a layout that does not match. */
  { name: 'PARTIAL', code: 1, meaning: 'partial (pending mode, layout mismatch)' },
  { name: 'USAGE', code: 2, meaning: 'usage (bad command line or input file)' },
  /** NVML refused the request (no room, not found, not supported, MIG disabled, ...). */
  { name: 'REFUSED', code: 3, meaning: 'refused by NVML (or no such GPU/instance)' },
  /** NVML_ERROR_NO_PERMISSION: the change needs root. */
  { name: 'PERMISSION', code: 4, meaning: 'needs root' },
  /** NVML_ERROR_IN_USE: processes or compute instances hold the GPU or instance. */
  { name: 'BUSY', code: 5, meaning: 'busy (in use)' },
  /**
   * A listing found nothing to list where nvidia-smi 580 exits 6 (NVML_ERROR_NOT_FOUND's number):
   * `mig -lgi`, `-lci` and `-lcip` on MIG-enabled GPUs without GPU instances.
   */
  { name: 'NOT_FOUND', code: 6, meaning: 'nothing found (no GPU instances to list)' },
  /** The read-only interlock (--read-only, NVML_MIG_READONLY=1) refused a change. */
  { name: 'READ_ONLY', code: 7, meaning: 'refused by --read-only' },
  /** A state file of the simulator that cannot be used (corrupt, another machine's). */
  { name: 'BAD_STATE', code: 8, meaning: 'simulator state file unusable' },
  /** Anything else: a defect of nvml-mig (the message says to run with --debug and report it). */
  { name: 'INTERNAL', code: 9, meaning: 'internal error' },
  /** libnvidia-ml.so.1 (or the native addon) cannot be loaded; 12 is NVML_ERROR_LIBRARY_NOT_FOUND's number. */
  { name: 'NO_LIBRARY', code: 12, meaning: 'NVML library not loadable' },
] as const;

type ExitName = (typeof EXIT_CODES)[number]['name'];

export const EXIT: Readonly<Record<ExitName, number>> = Object.freeze(
  Object.fromEntries(EXIT_CODES.map((e) => [e.name, e.code])) as Record<ExitName, number>,
);

/** Bad command line: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}
Object.defineProperty(UsageError.prototype, 'name', { value: 'UsageError' });

/** An error the CLI detected itself (no such GPU, MIG disabled, ...), with its exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  constructor(code: string, message: string, exitCode: number) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}
Object.defineProperty(CliError.prototype, 'name', { value: 'CliError' });

/** The CLI's wording of its own library codes; NVML codes read as nvmlErrorString does (lib/return-codes.ts). */
const LIBRARY_TEXT: Record<string, string> = {
  ERR_NVML_READ_ONLY: 'Refused by the read-only interlock (--read-only or NVML_MIG_READONLY=1)',
  ERR_NVML_STALE_HANDLE: 'Not Found (it was destroyed or reconfigured meanwhile)',
};

/** nvidia-smi's text for an NVML code name: 'NVML_ERROR_IN_USE' → "In use by another client". */
export function codeText(code: string): string {
  return nvmlReturnText(code) ?? LIBRARY_TEXT[code] ?? code;
}

/** The short text nvidia-smi prints for an error: "In use by another client". */
export function errorText(e: unknown): string {
  if (isNvmlError(e)) {
    return nvmlReturnText(e.code) ?? LIBRARY_TEXT[e.code] ?? (e.nvmlReturn === null ? e.message : e.code);
  }
  return e instanceof Error ? e.message : String(e);
}

/** The stable code of any error the CLI reports: NVML's enum name, a library code, or the CLI's own. */
export function errorCode(e: unknown): string {
  if (isNvmlError(e)) return e.code;
  if (e instanceof CliError) return e.code;
  if (e instanceof UsageError) return 'USAGE';
  return 'INTERNAL';
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.USAGE;
  if (e instanceof CliError) return e.exitCode;
  // The library's argument checks: what the user passed through was not acceptable.
  if (e instanceof TypeError || e instanceof RangeError) return EXIT.USAGE;
  if (isNvmlError(e)) {
    switch (e.code) {
      case 'NVML_ERROR_IN_USE': return EXIT.BUSY;
      case 'NVML_ERROR_NO_PERMISSION': return EXIT.PERMISSION;
      case 'ERR_NVML_READ_ONLY': return EXIT.READ_ONLY;
      case 'ERR_NVML_LOAD_FAILED':
      case 'NVML_ERROR_LIBRARY_NOT_FOUND':
      case 'NVML_ERROR_DRIVER_NOT_LOADED':
        return EXIT.NO_LIBRARY;
      default: return EXIT.REFUSED;
    }
  }
  return EXIT.INTERNAL;
}

/** What to do about an error, appended to its line; '' when there is nothing useful to add. */
export function adviceFor(e: unknown): string {
  if (!isNvmlError(e)) return '';
  switch (e.code) {
    case 'NVML_ERROR_NO_PERMISSION':
      return 'changing the MIG configuration needs root: run it with sudo';
    case 'NVML_ERROR_INSUFFICIENT_RESOURCES':
      return "no room left for this profile: see free slots with 'nvml-mig mig -lgip' and 'mig -lgi'";
    default:
      return '';
  }
}
