// The package entry. Requiring it loads nothing native: NVML is opened by init().

export * from './types';
export { init, Nvml } from './nvml';
export { Device } from './device';
export { GpuInstance } from './gpu-instance';
export { ComputeInstance } from './compute-instance';
export { MigDevice } from './mig-device';
export { ACTIVITY_METRICS } from './activity';
export type { Activity, ActivityOptions, ActivityValue, ActivityMetricName } from './activity';
export { NvmlError, isNvmlError, nvmlReturnName, NVML_RETURN_CODES, LIBRARY_ERROR_CODES } from './errors';
export {
  GPU_INSTANCE_PROFILE_INDEX,
  COMPUTE_INSTANCE_PROFILE_INDEX,
  COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
  GPU_INSTANCE_PROFILE_CAPS,
  computeInstanceProfileShortName,
  deriveGpuInstanceProfileName,
  deriveComputeInstanceProfileName,
} from './profiles';
export {
  MigProfileName,
  shortProfileName,
  fullProfileName,
  parseProfileName,
  sameProfileName,
  type ParsedProfileName,
} from './profile-name';
