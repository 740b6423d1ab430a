// Activity of a GPU or of one GPU instance through GPM (GPU Performance Monitoring, Hopper and
// newer): two samples `intervalMs` apart and the metrics between them. The sample buffers are the
// driver's; they are freed on every path (a failed sample, a destroyed instance, a shutdown in
// the middle: close() frees whatever is still allocated).

import type { GpmSampleHandle, NativeBinding } from './native';
import { nvmlReturnName } from './errors';

/**
 * The GPM metrics this package names: NVML's metric id, the unit NVML reports it in, and the
 * dcgm-exporter field that carries the same figure (as a 0-1 ratio) where there is one.
 *
 * @example
 * ```ts
 * import { ACTIVITY_METRICS } from 'nvml-mig';
 *
 * for (const m of ACTIVITY_METRICS) console.log(m.name, m.id, m.unit, m.dcgmField ?? '-');
 * ```
 */
export const ACTIVITY_METRICS = Object.freeze([
  { name: 'graphicsActivity', id: 1, unit: '%', dcgmField: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', description: 'Share of time the graphics/compute engine was active' },
  { name: 'smActivity', id: 2, unit: '%', dcgmField: 'DCGM_FI_PROF_SM_ACTIVE', description: 'Share of time an SM had at least one warp, averaged over the SMs' },
  { name: 'smOccupancy', id: 3, unit: '%', dcgmField: 'DCGM_FI_PROF_SM_OCCUPANCY', description: 'Resident warps relative to the SMs\' maximum, averaged over time' },
  { name: 'tensorActivity', id: 5, unit: '%', dcgmField: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', description: 'Share of time any tensor pipe was active' },
  { name: 'dramActivity', id: 10, unit: '%', dcgmField: 'DCGM_FI_PROF_DRAM_ACTIVE', description: 'Share of peak DRAM bandwidth used' },
  { name: 'fp64Activity', id: 11, unit: '%', dcgmField: null, description: 'Share of time the FP64 pipe was active' },
  { name: 'fp32Activity', id: 12, unit: '%', dcgmField: null, description: 'Share of time the FP32 pipe was active' },
  { name: 'fp16Activity', id: 13, unit: '%', dcgmField: null, description: 'Share of time the FP16 pipe was active' },
  { name: 'pcieTxMiBps', id: 20, unit: 'MiB/s', dcgmField: null, description: 'PCIe transmit bandwidth' },
  { name: 'pcieRxMiBps', id: 21, unit: 'MiB/s', dcgmField: null, description: 'PCIe receive bandwidth' },
] as const);

/**
 * The name of one metric of {@link ACTIVITY_METRICS}.
 *
 * @example
 * ```ts
 * import type { ActivityMetricName } from 'nvml-mig';
 *
 * const wanted: ActivityMetricName[] = ['smActivity', 'tensorActivity'];
 * console.log(wanted);
 * ```
 */
export type ActivityMetricName = (typeof ACTIVITY_METRICS)[number]['name'];

/**
 * One measured metric: `value` in `unit` (percent 0-100, or MiB/s), or null with the driver's code.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init({ readOnly: true });
 * const a = await (await nvml.device(0)).activity({ intervalMs: 500 });
 * const sm = a.metrics.smActivity;
 * if (sm) console.log(sm.value === null ? sm.code : `${sm.value} ${sm.unit}`);
 * await nvml.shutdown();
 * ```
 */
export interface ActivityValue {
  value: number | null;
  unit: '%' | 'MiB/s';
  /** null when measured; else the NVML code the driver gave for this metric. */
  code: string | null;
}

/**
 * Options of {@link Device.activity} and {@link GpuInstance.activity}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init({ readOnly: true });
 * const a = await (await nvml.device(0)).activity({ intervalMs: 250, metrics: ['smActivity'] });
 * console.log(a.metrics.smActivity);
 * await nvml.shutdown();
 * ```
 */
export interface ActivityOptions {
  /** Time between the two samples, in ms: 100 (GPM's minimum) to 60000; default 1000. */
  intervalMs?: number;
  /** Metrics to compute (default: every one of ACTIVITY_METRICS). */
  metrics?: readonly ActivityMetricName[];
}

/**
 * The activity of a GPU or a GPU instance over one interval.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 *
 * const nvml = await init({ readOnly: true });
 * const gpu = await nvml.device(0);
 * if (await gpu.gpmSupported()) {
 *   const a = await gpu.activity({ intervalMs: 1000 });
 *   console.log(a.intervalMs, a.metrics.graphicsActivity?.value, '%');
 * }
 * await nvml.shutdown();
 * ```
 */
export interface Activity {
  /** The interval asked for between the two samples (the driver measures the actual one). */
  intervalMs: number;
  /** Date.now() when the second sample was taken. */
  timestamp: number;
  metrics: Partial<Record<ActivityMetricName, ActivityValue>>;
}

export const MIN_ACTIVITY_INTERVAL_MS = 100;
const MAX_ACTIVITY_INTERVAL_MS = 60_000;
const byName = new Map<string, (typeof ACTIVITY_METRICS)[number]>(ACTIVITY_METRICS.map((m) => [m.name, m]));

/** @internal checks options before anything reaches native code */
export function checkActivityOptions(options: ActivityOptions | undefined): { intervalMs: number; metrics: (typeof ACTIVITY_METRICS)[number][] } {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('options must be an object');
  const intervalMs = options?.intervalMs ?? 1000;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs)) throw new TypeError('intervalMs must be a finite number');
  if (intervalMs < MIN_ACTIVITY_INTERVAL_MS || intervalMs > MAX_ACTIVITY_INTERVAL_MS) {
    throw new RangeError(`intervalMs must be between ${MIN_ACTIVITY_INTERVAL_MS} (GPM's minimum between samples) and ${MAX_ACTIVITY_INTERVAL_MS}, got ${intervalMs}`);
  }
  const names = options?.metrics ?? ACTIVITY_METRICS.map((m) => m.name);
  if (!Array.isArray(names)) throw new TypeError('metrics must be an array of metric names');
  if (names.length === 0) throw new RangeError('metrics must name at least one metric');
  const metrics = names.map((n) => {
    const m = typeof n === 'string' ? byName.get(n) : undefined;
    if (!m) throw new RangeError(`unknown activity metric ${JSON.stringify(n)}; known: ${[...byName.keys()].join(', ')}`);
    return m;
  });
  return { intervalMs, metrics };
}

/** @internal a timer that, with unref, never keeps the process alive (background samplers) */
export const sleep = (ms: number, unref = false) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    if (unref) t.unref();
  });

/**
 * @internal Two samples taken by `take`, `intervalMs` apart, and the metrics between them. Both
 * sample buffers are freed whatever happens (a free that fails because NVML was shut down meanwhile
 * has nothing left to free: close() freed them).
 */
export async function measureActivity(
  b: NativeBinding,
  take: (sample: GpmSampleHandle) => Promise<void>,
  options: ReturnType<typeof checkActivityOptions>,
  unref = false,
): Promise<Activity> {
  const samples: GpmSampleHandle[] = [];
  try {
    samples.push(await b.gpmSampleAlloc());
    samples.push(await b.gpmSampleAlloc());
    await take(samples[0]);
    await sleep(options.intervalMs, unref);
    await take(samples[1]);
    const timestamp = Date.now();
    const raw = await b.gpmMetricsGet(samples[0], samples[1], options.metrics.map((m) => m.id));
    const metrics: Activity['metrics'] = {};
    options.metrics.forEach((m, i) => {
      const r = raw[i];
      metrics[m.name] = { value: r.value, unit: m.unit, code: r.nvmlReturn === 0 ? null : nvmlReturnName(r.nvmlReturn) };
    });
    return { intervalMs: options.intervalMs, timestamp, metrics };
  } finally {
    await Promise.all(samples.map((s) => b.gpmSampleFree(s).catch(() => undefined)));
  }
}
