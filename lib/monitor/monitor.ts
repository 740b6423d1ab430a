// The snapshot API: every GPU and MIG device in one trip into native code, with the static
// answers the raw read does not carry (GPU instance profile names) cached per GPU and refreshed
// when that GPU's MIG layout changes.

import type { NativeBinding } from '../native';
import type { Nvml } from '../nvml';
import { LIBRARY_ERROR_CODES, libraryError } from '../errors';
import { fromRaw } from './snapshot';
import { checkNvml } from '../validate';
import type { GpuSnapshot, Snapshot } from './types';
import { ActivitySampler } from './activity';

/** The raw addon behind an open Nvml (the facade keeps it on its session). */
export function rawBinding(nvml: Nvml): NativeBinding {
  const session = nvml._session;
  if (!session.open) {
    throw libraryError(LIBRARY_ERROR_CODES.NOT_INITIALIZED, 'NVML is not initialized: this Nvml was shut down; call init() again');
  }
  return session.binding;
}

/**
 * Options of {@link Monitor}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const monitor = new Monitor(nvml, { activityIntervalMs: 500 });
 * await monitor.snapshot();                       // starts the activity sampler
 * await new Promise((r) => setTimeout(r, 1200));
 * const gpu = (await monitor.snapshot()).gpus[0];
 * console.log(gpu.activity?.metrics.smActivity, gpu.gpuInstances.map((gi) => gi.activity?.metrics.smActivity));
 * await monitor.close();
 * await nvml.shutdown();
 * ```
 */
export interface MonitorOptions {
  /** Sample GPM activity in the background and carry it in snapshots (default true). */
  activity?: boolean;
  /** The activity window in ms (default 1000; 100 to 60000). */
  activityIntervalMs?: number;
  /**
   * GPUs a snapshot reads at once, one thread each (default 1: one after another; at most 64).
   * Calls on one GPU serialize in the driver; whether calls on different GPUs overlap depends on
   * the driver (docs/benchmarks.md has what was measured).
   */
  parallelGpus?: number;
}

const gpuKey = (g: GpuSnapshot): string => g.uuid ?? `#${g.index}`;
const RETRY_MS = 30_000;

/**
 * Snapshots of every GPU and MIG device in one trip into native code, with the static answers (profile names) cached.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { Monitor } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const monitor = new Monitor(nvml);
 * const snap = await monitor.snapshot(); // or monitor.snapshotSync() in a hot polling loop (blocks)
 * for (const gpu of snap.gpus) console.log(gpu.index, gpu.name, gpu.migMode, gpu.gpuInstances.length);
 * await nvml.shutdown();
 * ```
 */
export class Monitor {
  /** GPU key → (GPU instance profile id → short name). */
  private readonly names = new Map<string, Map<number, string>>();
  /** GPU key → the layout the names were last refreshed for. */
  private readonly namedLayout = new Map<string, string>();
  /** GPU key → Date.now() before which a failed refresh is not retried. */
  private readonly retryAt = new Map<string, number>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly lookup = (uuid: string | null, profileId: number): string | undefined =>
    uuid === null ? undefined : this.names.get(uuid)?.get(profileId);

  private readonly sampler: ActivitySampler | null;
  private readonly parallelGpus: number;

  /**
   * activity (default true): sample per-GPU and per-GPU-instance activity (GPM, Hopper and newer)
   * in the background, one `activityIntervalMs` window after another (default 1000, at least 100),
   * and put the latest figures into every snapshot. The sampler starts with the first snapshot,
   * never keeps the process alive and stops with close() or shutdown().
   */
  constructor(
    readonly nvml: Nvml,
    options: MonitorOptions = {},
  ) {
    checkNvml('nvml', nvml);
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const on = options.activity ?? true;
    if (typeof on !== 'boolean') throw new TypeError('activity must be a boolean');
    const parallel = options.parallelGpus ?? 1;
    if (typeof parallel !== 'number') throw new TypeError('parallelGpus must be a number');
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new RangeError('parallelGpus must be an integer from 1 to 64');
    this.parallelGpus = parallel;
    this.sampler = on ? new ActivitySampler(nvml, options.activityIntervalMs ?? 1000) : null;
  }

  /** Stops the activity sampler (a window in progress ends in the background and frees its samples). */
  close(): Promise<void> {
    return this.sampler?.close() ?? Promise.resolve();
  }

  /**
   * Reads every GPU and MIG device on a worker thread (one native call). The first snapshot of a
   * GPU, and the first after its layout changed, also waits for its profile names.
   */
  async snapshot(): Promise<Snapshot> {
    const raw = await rawBinding(this.nvml).snapshot(this.parallelGpus);
    const snap = fromRaw(raw, this.lookup, Date.now());
    this.sampler?.attach(snap);
    const refresh = this.refreshStale(snap);
    if (refresh) {
      await refresh;
      this.fillNames(snap);
    }
    return snap;
  }

  /**
   * The same read, BLOCKING the JS thread for as long as the driver takes (on a real H100 one MIG
   * call takes 0.15-0.46 ms and a MIG GPU's read makes dozens). For hot polling loops in a process that does
   * nothing else: it saves the worker hand-off. Profile names come from the cache; a GPU whose
   * layout changed gets them refreshed in the background (null until then).
   */
  snapshotSync(): Snapshot {
    const raw = rawBinding(this.nvml).snapshotSync(this.parallelGpus);
    const snap = fromRaw(raw, this.lookup, Date.now());
    this.sampler?.attach(snap);
    this.refreshStale(snap)?.catch(() => undefined);
    return snap;
  }

  /**
   * Starts a refresh of the profile names of every GPU that has GPU instances and whose layout
   * changed since its names were read. A failed refresh is retried after RETRY_MS, not on every
   * snapshot: on a real GPU it costs one slow driver call per profile.
   */
  private refreshStale(snap: Snapshot): Promise<void> | undefined {
    const work: Promise<void>[] = [];
    const now = Date.now();
    for (const g of snap.gpus) {
      if (g.uuid === null || g.gpuInstances.length === 0) continue;
      const key = gpuKey(g);
      if (this.namedLayout.get(key) === g.layoutKey || (this.retryAt.get(key) ?? 0) > now) continue;
      let p = this.refreshing.get(key);
      if (!p) {
        p = this.refreshNames(g).finally(() => this.refreshing.delete(key));
        this.refreshing.set(key, p);
      }
      work.push(p);
    }
    return work.length ? Promise.all(work).then(() => undefined) : undefined;
  }

  private async refreshNames(g: GpuSnapshot): Promise<void> {
    const key = gpuKey(g);
    try {
      const device = await this.nvml.device(g.index);
      const profiles = await device.gpuInstanceProfiles();
      this.names.set(key, new Map(profiles.map((p) => [p.id, p.shortName])));
      this.namedLayout.set(key, g.layoutKey);
      this.retryAt.delete(key);
    } catch {
      // Names stay unknown (null) for this GPU until a retry; the layout itself is complete.
      this.retryAt.set(key, Date.now() + RETRY_MS);
    }
  }

  private fillNames(snap: Snapshot): void {
    for (const g of snap.gpus) {
      for (const gi of g.gpuInstances) if (gi.profileName === null) gi.profileName = this.lookup(g.uuid, gi.profileId) ?? null;
    }
  }
}
