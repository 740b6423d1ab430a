// NVML's return codes (the nvmlReturn_t enum of nvml.h, NVML 13 / driver 580), written out by hand
// from NVML's documentation as the tests' own oracle. Tests compare the package's code names and
// numbers with this list; it must never be imported from, or generated out of, the code under test.

/** nvmlReturn_t: the enum constant without its NVML_ / NVML_ERROR_ prefix, and its number. */
export const NVML = {
  SUCCESS: 0,
  UNINITIALIZED: 1,
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  ALREADY_INITIALIZED: 5,
  NOT_FOUND: 6,
  INSUFFICIENT_SIZE: 7,
  INSUFFICIENT_POWER: 8,
  DRIVER_NOT_LOADED: 9,
  TIMEOUT: 10,
  IRQ_ISSUE: 11,
  LIBRARY_NOT_FOUND: 12,
  FUNCTION_NOT_FOUND: 13,
  CORRUPTED_INFOROM: 14,
  GPU_IS_LOST: 15,
  RESET_REQUIRED: 16,
  OPERATING_SYSTEM: 17,
  LIB_RM_VERSION_MISMATCH: 18,
  IN_USE: 19,
  MEMORY: 20,
  NO_DATA: 21,
  VGPU_ECC_NOT_SUPPORTED: 22,
  INSUFFICIENT_RESOURCES: 23,
  FREQ_NOT_SUPPORTED: 24,
  ARGUMENT_VERSION_MISMATCH: 25,
  DEPRECATED: 26,
  NOT_READY: 27,
  GPU_NOT_FOUND: 28,
  INVALID_STATE: 29,
  RESET_TYPE_NOT_SUPPORTED: 30,
  UNKNOWN: 999,
} as const;

/** The enum constant's full name: NVML_SUCCESS, NVML_ERROR_<key>. */
const fullName = (key: string) => (key === 'SUCCESS' ? 'NVML_SUCCESS' : `NVML_ERROR_${key}`);

/** Number → full enum name, for every code NVML defines (32 of them). */
export const NVML_CODE_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(NVML).map(([key, n]) => [n, fullName(key)])),
);

/** Full enum name → number; throws for a name NVML does not define (a typo in a test). */
export function nvmlCodeNumber(name: string): number {
  const hit = Object.entries(NVML_CODE_NAMES).find(([, v]) => v === name);
  if (!hit) throw new Error(`${name} is not an NVML return code`);
  return Number(hit[0]);
}
