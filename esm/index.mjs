// ESM entry of nvml-mig. It re-exports the CommonJS build instead of
// being a second build, so `import` and `require` share one copy of the JS layer: one NvmlError
// class for instanceof, one init() reference count, one loaded addon.
// test/package/module-systems.test.ts checks that these names equal the CommonJS exports.
import cjs from '../dist/index.js';

export const {
  ACTIVITY_METRICS, COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, COMPUTE_INSTANCE_PROFILE_INDEX, ComputeInstance, Device,
  GPU_INSTANCE_PROFILE_CAPS, GPU_INSTANCE_PROFILE_INDEX, GpuInstance, LIBRARY_ERROR_CODES,
  MigDevice, MigProfileName, NVML_RETURN_CODES, Nvml, NvmlError, computeInstanceProfileShortName,
  deriveComputeInstanceProfileName, deriveGpuInstanceProfileName, fullProfileName, init,
  isNvmlError, nvmlReturnName, parseProfileName, sameProfileName, shortProfileName,
} = cjs;
