// Declarative MIG layouts: mig-parted configs, a placement-aware planner, apply, assert and export.
export * from './types.js';
export { parseProfileKey, type ParsedProfileKey } from '../profile-name.js';
export { parseMigPartedConfig, validateMigPartedConfig, loadMigPartedConfig, selectConfig, LayoutConfigError, formatProblem, type MigConfigEntry, type MigPartedConfig, type SourceLocation, type ConfigProblem } from './config.js';
export { buildModel, deriveCiProfiles, readDeviceModel, olderProfileNames, currentProfileName, type GiProfileInput, type GpuInstanceLike, type DeviceModelSource } from './model.js';
export { planGpu, planInstances, resolveTarget, currentCounts, profileKeyOf, type PlanOptions } from './planner.js';
export { futureScore, placeGis, packCis, maskOf, type CiBin, type GiPlacementChoice } from './packing.js';
export { readGpu, readNode, processesOf, type LiveGpu } from './state.js';
export { chooseTargets, entrySelects, normaliseTarget, planNode, type LayoutInput, type TargetChoice } from './target.js';
export { formatPlan, describeStep } from './format.js';
export { applyLayout, applyPlan, planLayout, restoreSteps, LayoutStepError, type ApplyOptions, type ApplyResult, type ProgressEvent, type ResetHookContext, type StepRecord, type StepError } from './apply.js';
export { assertLayout, compareLayout, type AssertResult } from './assert.js';
export { exportLayout, exportNode, formatExport, toMigPartedObject, pciIdText } from './export.js';
export { runLayoutCommand, type LayoutIo } from './cli.js';
