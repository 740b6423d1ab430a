// ESM entry of nvml-mig/layout: declarative MIG layouts. It re-exports the CommonJS build instead of
// being a second build, so `import` and `require` share one copy of the JS layer: one NvmlError
// class for instanceof, one init() reference count, one loaded addon.
// test/package/module-systems.test.ts checks that these names equal the CommonJS exports.
import cjs from '../dist/layout/index.js';

export const {
  LayoutConfigError, LayoutStepError, applyLayout, applyPlan, assertLayout, buildModel,
  chooseTargets, compareLayout, currentCounts, currentProfileName, deriveCiProfiles, describeStep, entrySelects,
  exportLayout, exportNode, formatExport, formatPlan, formatProblem, futureScore,
  loadMigPartedConfig, maskOf, normaliseTarget, olderProfileNames, packCis, parseMigPartedConfig, parseProfileKey,
  pciIdText, placeGis, planGpu, planInstances, planLayout, planNode, processesOf, profileKeyOf,
  readDeviceModel, readGpu, readNode, resolveTarget, restoreSteps, runLayoutCommand, selectConfig,
  toMigPartedObject, validateMigPartedConfig,
} = cjs;
