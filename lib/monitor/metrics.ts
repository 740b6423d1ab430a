// Prometheus metrics of a Snapshot, named and labelled as dcgm-exporter does for GPUs and MIG
// instances, so existing dashboards work: per GPU {gpu, UUID, pci_bus_id, device, modelName};
// per GPU instance the same plus {GPU_I_PROFILE, GPU_I_ID}. UUID is always the parent GPU's.
// Metrics dcgm-exporter has no name for use the nvml_mig_ prefix.

import type { Counter, Gauge, Registry } from 'prom-client';
import type { GpuInstanceSnapshot, GpuSnapshot, Snapshot } from './types';
import { ACTIVITY_METRICS, type Activity } from '../activity';

/** The activity metrics dcgm-exporter names (DCGM_FI_PROF_*), exported as 0-1 ratios. */
const PROFILING = ACTIVITY_METRICS.filter((m) => m.dcgmField !== null);

// Loaded on first use, so that requiring the package does not load prom-client for programs that
// never export metrics.
let prom: typeof import('prom-client') | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; `import` would load it at start
const promClient = (): typeof import('prom-client') => (prom ??= require('prom-client') as typeof import('prom-client'));

/**
 * The label names dcgm-exporter uses (its MIG labels included).
 *
 * @example
 * ```ts
 * import { GPU_LABELS } from 'nvml-mig/monitor';
 *
 * console.log(GPU_LABELS.join(',')); // gpu,UUID,pci_bus_id,device,modelName: dcgm-exporter's labels on every series
 * ```
 */
export const GPU_LABELS = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName'] as const;
/**
 * The labels MIG series add, as dcgm-exporter names them.
 *
 * @example
 * ```ts
 * import { GPU_LABELS, MIG_LABELS } from 'nvml-mig/monitor';
 *
 * console.log([...GPU_LABELS, ...MIG_LABELS].length, MIG_LABELS); // 7 [ 'GPU_I_PROFILE', 'GPU_I_ID' ]: on MIG instance series
 * ```
 */
export const MIG_LABELS = ['GPU_I_PROFILE', 'GPU_I_ID'] as const;

type Labels = Record<string, string>;
const MIB = 1024 * 1024;

function gpuLabels(g: GpuSnapshot): Labels {
  return {
    gpu: String(g.index),
    UUID: g.uuid ?? '',
    pci_bus_id: g.pciBusId ?? '',
    device: `nvidia${g.index}`,
    modelName: g.name ?? '',
  };
}

function giLabels(base: Labels, gi: GpuInstanceSnapshot): Labels {
  return { ...base, GPU_I_PROFILE: gi.profileName ?? `profile-${gi.profileId}`, GPU_I_ID: String(gi.id) };
}

const distinctPids = (lists: Iterable<{ pid: number }[]>): number => {
  const pids = new Set<number>();
  for (const l of lists) for (const p of l) pids.add(p.pid);
  return pids.size;
};

/**
 * The Prometheus metrics (prom-client) of GPUs and MIG instances, filled from snapshots.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { init } from 'nvml-mig';
 * import { Monitor, MigMetrics } from 'nvml-mig/monitor';
 *
 * const registry = new Registry();
 * const metrics = new MigMetrics(registry); // into your own registry, beside your metrics
 * const nvml = await init({ readOnly: true });
 * metrics.update(await new Monitor(nvml).snapshot(), 0.001);
 * console.log(await registry.metrics());
 * ```
 */
export class MigMetrics {
  readonly registry: Registry;
  private readonly gauges: Gauge[] = [];
  private readonly fbTotal: Gauge;
  private readonly fbUsed: Gauge;
  private readonly fbFree: Gauge;
  private readonly gpuUtil: Gauge;
  private readonly memCopyUtil: Gauge;
  private readonly migMode: Gauge;
  private readonly migPending: Gauge;
  private readonly giCount: Gauge;
  private readonly ciCount: Gauge;
  private readonly processes: Gauge;
  private readonly giInfo: Gauge;
  private readonly migDeviceInfo: Gauge;
  private readonly readErrors: Gauge;
  private readonly up: Gauge;
  private readonly lastRefresh: Gauge;
  private readonly refreshSeconds: Gauge;
  private readonly refreshFailures: Counter;
  private readonly profiling: Array<{ name: (typeof PROFILING)[number]['name']; gauge: Gauge }>;

  constructor(registry?: Registry) {
    const { Counter, Gauge, Registry } = promClient();
    this.registry = registry ?? new Registry();
    const all = [...GPU_LABELS, ...MIG_LABELS];
    const gauge = (name: string, help: string, labelNames: readonly string[] = all): Gauge => {
      const g = new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
      this.gauges.push(g);
      return g;
    };
    this.fbTotal = gauge('DCGM_FI_DEV_FB_TOTAL', 'Total framebuffer memory (MiB), per GPU and per GPU instance.');
    this.fbUsed = gauge('DCGM_FI_DEV_FB_USED', 'Used framebuffer memory (MiB), per GPU and per GPU instance.');
    this.fbFree = gauge('DCGM_FI_DEV_FB_FREE', 'Free framebuffer memory (MiB), per GPU and per GPU instance.');
    this.gpuUtil = gauge('DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (%); absent while MIG is enabled (NVML does not report it).', GPU_LABELS);
    this.memCopyUtil = gauge('DCGM_FI_DEV_MEM_COPY_UTIL', 'Memory utilization (%); absent while MIG is enabled.', GPU_LABELS);
    this.migMode = gauge('DCGM_FI_DEV_MIG_MODE', 'MIG mode in effect (1 enabled, 0 disabled); absent on GPUs without MIG.', GPU_LABELS);
    this.migPending = gauge('nvml_mig_mode_pending', 'MIG mode after the next activation (1 enabled, 0 disabled).', GPU_LABELS);
    this.giCount = gauge('nvml_mig_gpu_instances', 'Number of GPU instances on the GPU.', GPU_LABELS);
    this.ciCount = gauge('nvml_mig_compute_instances', 'Number of compute instances in the GPU instance.');
    this.processes = gauge('nvml_mig_processes', 'Compute processes on the GPU (all its MIG devices included) and per GPU instance.');
    this.giInfo = gauge('nvml_mig_gpu_instance_info', 'A GPU instance: its profile id and memory-slot placement (value 1).', [
      ...all,
      'profile_id',
      'placement_start',
      'placement_size',
    ]);
    this.migDeviceInfo = gauge('nvml_mig_device_info', 'A MIG device (compute instance): its UUID and index (value 1).', [
      ...all,
      'compute_instance_id',
      'mig_uuid',
      'mig_index',
    ]);
    this.readErrors = gauge('nvml_mig_read_errors', 'NVML reads that failed in the last refresh, by function and code.', [
      ...GPU_LABELS,
      'fn',
      'code',
    ]);
    // Per GPU and per GPU instance, as DCGM reports profiling fields for MIG: an instance's figure
    // is a fraction of that instance's own resources (see docs/monitoring.md).
    this.profiling = PROFILING.map((m) => ({
      name: m.name,
      gauge: gauge(m.dcgmField!, `${m.description} (ratio 0-1, GPM; per GPU and per GPU instance).`),
    }));
    this.up = gauge('nvml_mig_up', '1 if the last refresh read the driver, 0 if it failed as a whole.', []);
    this.lastRefresh = gauge('nvml_mig_last_refresh_timestamp_seconds', 'When the cached metrics were read (Unix time).', []);
    this.refreshSeconds = gauge('nvml_mig_refresh_duration_seconds', 'How long the last refresh took.', []);
    this.refreshFailures = new Counter({
      name: 'nvml_mig_refresh_failures_total',
      help: 'Refreshes that could not read the driver at all.',
      registers: [this.registry],
    });
  }

  /** Replaces every GPU series with those of `snap`; null (the read failed) drops them all. */
  update(snap: Snapshot | null, durationSeconds: number): void {
    for (const g of this.gauges) g.reset();
    this.refreshSeconds.set(durationSeconds);
    this.lastRefresh.set(Date.now() / 1000);
    if (snap === null) {
      this.up.set(0);
      this.refreshFailures.inc();
      return;
    }
    this.up.set(1);
    for (const g of snap.gpus) this.gpu(g);
  }

  private activity(labels: Labels, a: Activity | null): void {
    if (!a) return;
    for (const p of this.profiling) {
      const v = a.metrics[p.name]?.value;
      if (typeof v === 'number') p.gauge.set(labels, Math.min(1, Math.max(0, v / 100)));
    }
  }

  private gpu(g: GpuSnapshot): void {
    const labels = gpuLabels(g);
    this.activity(labels, g.activity);
    if (g.memory) {
      this.fbTotal.set(labels, g.memory.total / MIB);
      this.fbUsed.set(labels, g.memory.used / MIB);
      this.fbFree.set(labels, g.memory.free / MIB);
    }
    if (g.utilization) {
      this.gpuUtil.set(labels, g.utilization.gpu);
      this.memCopyUtil.set(labels, g.utilization.memory);
    }
    if (g.migMode) {
      this.migMode.set(labels, g.migMode.current ? 1 : 0);
      this.migPending.set(labels, g.migMode.pending ? 1 : 0);
      this.giCount.set(labels, g.gpuInstances.length);
    }
    this.processes.set(labels, distinctPids([g.processes, ...g.migDevices.map((m) => m.processes)]));
    for (const e of g.errors) this.readErrors.inc({ ...labels, fn: e.fn, code: e.code });
    for (const gi of g.gpuInstances) {
      const l = giLabels(labels, gi);
      if (gi.memory) {
        this.fbTotal.set(l, gi.memory.total / MIB);
        this.fbUsed.set(l, gi.memory.used / MIB);
        this.fbFree.set(l, gi.memory.free / MIB);
      }
      this.ciCount.set(l, gi.computeInstances.length);
      this.activity(l, gi.activity);
      this.processes.set(l, distinctPids([gi.processes]));
      this.giInfo.set(
        { ...l, profile_id: String(gi.profileId), placement_start: String(gi.placement.start), placement_size: String(gi.placement.size) },
        1,
      );
      for (const ci of gi.computeInstances) {
        const m = ci.migDevice;
        this.migDeviceInfo.set(
          { ...l, compute_instance_id: String(ci.id), mig_uuid: m?.uuid ?? '', mig_index: m ? String(m.index) : '' },
          1,
        );
      }
    }
  }
}
