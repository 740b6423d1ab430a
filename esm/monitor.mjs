// ESM entry of nvml-mig/monitor: snapshots, change events, the Prometheus exporter. It re-exports the CommonJS build instead of
// being a second build, so `import` and `require` share one copy of the JS layer: one NvmlError
// class for instanceof, one init() reference count, one loaded addon.
// test/package/module-systems.test.ts checks that these names equal the CommonJS exports.
import cjs from '../dist/monitor/index.js';

export const {
  GPU_LABELS, MIG_LABELS, MigExporter, MigMetrics, MigWatcher, Monitor,
  NVML_EVENT_MIG_CONFIG_CHANGE, runExporterCommand, startExporter, watch,
} = cjs;
