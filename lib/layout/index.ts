// Declarative MIG layouts: mig-parted configs, a placement-aware planner, apply, assert and export.
export * from './types.js';
export { parseProfileKey, type ParsedProfileKey } from './profile-name.js';
export { parseMigPartedConfig, validateMigPartedConfig, loadMigPartedConfig, selectConfig, LayoutConfigError, formatProblem, type MigConfigEntry, type MigPartedConfig, type SourceLocation, type ConfigProblem } from './config.js';
export { buildModel, deriveCiProfiles, readDeviceModel, type GiProfileInput } from './model.js';
export { planGpu, planInstances, resolveTarget, currentCounts, profileKeyOf } from './planner.js';
export { futureScore, placeGis, packCis, maskOf } from './packing.js';
