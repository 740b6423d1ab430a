// Per-GPU and per-GPU-instance activity for snapshots, sampled on a schedule of its own: a loop
// measures every GPM-capable GPU and its GPU instances over `intervalMs` windows, and a snapshot
// takes the latest figures from memory (a snapshot never waits for a 100 ms GPM window). Nothing
// here keeps the process alive; the loop stops with close() or when NVML is shut down.

import type { Nvml } from '../nvml';
import { checkActivityOptions, measureActivity, sleep, type Activity } from '../activity';
import type { Snapshot } from './types';

interface GpuActivity {
  supported: boolean | null;
  gpu: Activity | null;
  instances: Map<number, Activity>;
}

interface Target {
  index: number;
  uuid: string;
  giIds: number[];
}

/** @internal the sampler behind Monitor (one per Monitor) */
export class ActivitySampler {
  private readonly state = new Map<string, GpuActivity>();
  private targets: Target[] = [];
  private loop: Promise<void> | null = null;
  private stopped = false;
  private readonly options: ReturnType<typeof checkActivityOptions>;

  constructor(
    private readonly nvml: Nvml,
    readonly intervalMs: number,
  ) {
    this.options = checkActivityOptions({ intervalMs });
  }

  /** Puts the latest figures into `snap` and follows its GPUs and GPU instances from now on. */
  attach(snap: Snapshot): void {
    const targets: Target[] = [];
    for (const g of snap.gpus) {
      const st = g.uuid === null ? undefined : this.state.get(g.uuid);
      g.activity = st?.gpu ?? null;
      for (const gi of g.gpuInstances) gi.activity = st?.instances.get(gi.id) ?? null;
      if (g.uuid !== null) targets.push({ index: g.index, uuid: g.uuid, giIds: g.migMode?.current ? g.gpuInstances.map((gi) => gi.id) : [] });
    }
    this.targets = targets;
    if (!this.loop && !this.stopped) this.loop = this.run();
  }

  /**
   * Stops the loop. A window in progress still ends (on an unref'd timer) and frees its samples;
   * close() does not wait for it, and a shutdown meanwhile frees them instead.
   */
  close(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.nvml._session.open) {
      const t0 = Date.now();
      await Promise.all(this.targets.map((t) => this.measure(t)));
      // Nothing to measure (no GPM anywhere), or a window that failed fast: wait out the interval.
      const left = this.intervalMs - (Date.now() - t0);
      if (left > 0 && !this.stopped) await sleep(left, true);
    }
  }

  private async measure(t: Target): Promise<void> {
    let st = this.state.get(t.uuid);
    if (!st) this.state.set(t.uuid, (st = { supported: null, gpu: null, instances: new Map() }));
    try {
      const device = await this.nvml.device(t.index);
      st.supported ??= await device.gpmSupported().catch(() => false);
      if (!st.supported) return;
      const b = device._session.binding;
      const h = device._handle;
      const gpu = measureActivity(b, (s) => b.gpmSampleGet(h, s), this.options, true).then(
        (a) => void (st.gpu = a),
        () => void (st.gpu = null),
      );
      const gis = t.giIds.map((id) =>
        measureActivity(b, (s) => b.gpmMigSampleGet(h, id, s), this.options, true).then(
          (a) => void st.instances.set(id, a),
          () => void st.instances.delete(id),
        ),
      );
      await Promise.all([gpu, ...gis]);
      for (const id of st.instances.keys()) if (!t.giIds.includes(id)) st.instances.delete(id);
    } catch {
      // The GPU went away or NVML is shutting down: no figures for it (the loop ends on shutdown).
      st.gpu = null;
      st.instances.clear();
    }
  }
}
