// The monitoring API: snapshots, change notification and the Prometheus exporter.

export { Monitor } from './monitor';
export type { MonitorOptions } from './monitor';
export type {
  Snapshot,
  GpuSnapshot,
  GpuInstanceSnapshot,
  ComputeInstanceSnapshot,
  MigDeviceSnapshot,
  SnapshotReadError,
} from './types';
export { MigWatcher, watch, NVML_EVENT_MIG_CONFIG_CHANGE } from './watch';
export type { WatchOptions, MonitorEvent, LayoutChangeEvent, ProcessEvent, WatchErrorEvent } from './watch';
export { MigExporter, startExporter } from './exporter';
export type { ExporterOptions } from './exporter';
export { MigMetrics, GPU_LABELS, MIG_LABELS } from './metrics';
export { runExporterCommand } from './exporter-cli';
export type { ExporterIo } from './exporter-cli';
