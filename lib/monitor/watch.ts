// Change notification: MIG layout changes (NVML's MIG config change event where the driver offers
// it, snapshot comparison always) and process arrivals/departures (NVML has no event for those,
// so snapshots are compared).
//
// Nothing here keeps the process alive. A blocking nvmlEventSetWait on a worker thread would: a
// queued libuv work request holds the loop open for as long as it waits. So the event set is
// drained with a zero timeout from an unref'd timer instead; events that arrive between ticks
// wait in the set, and each tick's native trips last microseconds.

import { EventEmitter } from 'node:events';
import type { DeviceHandle, EventSetHandle, NativeBinding } from '../native';
import type { Nvml } from '../nvml';
import type { ProcessInfo } from '../types';
import { LIBRARY_ERROR_CODES, isNvmlError } from '../errors';
import { Monitor, rawBinding } from './monitor';
import type { GpuSnapshot, Snapshot } from './types';

/**
 * nvmlEventMigConfigChange
 *
 * @example
 * ```ts
 * import { NVML_EVENT_MIG_CONFIG_CHANGE } from 'nvml-mig/monitor';
 *
 * console.log(NVML_EVENT_MIG_CONFIG_CHANGE); // 256n (nvmlEventMigConfigChange)
 * ```
 */
export const NVML_EVENT_MIG_CONFIG_CHANGE = 0x100n;

/**
 * Options of {@link watch}.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch, type WatchOptions } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const options: WatchOptions = { intervalMs: 250, nvmlEvents: true, keepAlive: true };
 * const watcher = watch(nvml, options); // keepAlive: the process stays up while watching
 * ```
 */
export interface WatchOptions {
  /** How often to take a snapshot and drain NVML events, in ms (default 1000, at least 10). */
  intervalMs?: number;
  /** Register for NVML's MIG config change events where the driver supports them (default true). */
  nvmlEvents?: boolean;
  /** Keep the process alive while watching (default false: the watcher never holds the event loop open). */
  keepAlive?: boolean;
  /** Use this Monitor (and its profile-name cache) instead of a new one. */
  monitor?: Monitor;
}

/**
 * The MIG mode or the instances of one GPU changed.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch, type LayoutChangeEvent } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * watch(nvml).on('layout', (e: LayoutChangeEvent) => {
 *   console.log(e.gpu, e.source, e.before.gpuInstances.length, '->', e.after.gpuInstances.length); // source: 'nvml-event' | 'poll'
 * });
 * ```
 */
export interface LayoutChangeEvent {
  type: 'layout';
  gpu: number;
  uuid: string | null;
  /** 'nvml-event': the driver signalled a MIG config change for this GPU; 'poll': seen by comparing snapshots. */
  source: 'nvml-event' | 'poll';
  before: GpuSnapshot;
  after: GpuSnapshot;
}

/**
 * A process started or ended on a GPU or MIG device.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch, type ProcessEvent } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const log = (e: ProcessEvent) => console.log(e.type, e.pid, 'GPU', e.gpu, 'GI', e.gpuInstanceId, 'CI', e.computeInstanceId);
 * watch(nvml).on('processStart', log).on('processEnd', log);
 * ```
 */
export interface ProcessEvent {
  type: 'processStart' | 'processEnd';
  gpu: number;
  uuid: string | null;
  pid: number;
  /** null when the process runs on a GPU without MIG */
  gpuInstanceId: number | null;
  computeInstanceId: number | null;
  usedGpuMemory: number | null;
}

/**
 * A watcher tick failed (only for iterators; emitters emit `error`).
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch, type WatchErrorEvent } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const watcher = watch(nvml);
 * watcher.on('error', (e: WatchErrorEvent) => console.error('snapshot failed:', e.error.message)); // watching goes on
 * ```
 */
export interface WatchErrorEvent {
  type: 'error';
  error: Error;
}

/**
 * What iterating a {@link MigWatcher} yields.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch, type MonitorEvent } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * for await (const event of watch(nvml, { intervalMs: 500 })) {
 *   const e: MonitorEvent = event;
 *   if (e.type === 'layout') break; // the first layout change ends the loop
 * }
 * ```
 */
export type MonitorEvent = LayoutChangeEvent | ProcessEvent | WatchErrorEvent;

// A read that failed can empty a list; comparing it would report changes that did not happen.
const LAYOUT_FNS = /MigMode|GpuInstance|ComputeInstance|MigDevice/;
const PROCESS_FNS = /Processes|MigDevice/;
const failed = (g: GpuSnapshot, re: RegExp) => g.errors.some((e) => re.test(e.fn));

/**
 * Every process on a GPU, once: from the GPU instances (whose lists carry the instance ids) and
 * then from the parent's list for processes no MIG device reported (MIG off, or an aggregate the
 * MIG devices did not show).
 */
function processesOf(g: GpuSnapshot): Map<string, ProcessInfo> {
  const out = new Map<string, ProcessInfo>();
  const onMig = new Set<number>();
  const add = (p: ProcessInfo) => out.set(`${p.pid}:${p.gpuInstanceId}:${p.computeInstanceId}`, p);
  for (const gi of g.gpuInstances) {
    for (const p of gi.processes) {
      add(p);
      onMig.add(p.pid);
    }
  }
  for (const p of g.processes) if (!onMig.has(p.pid)) add(p);
  return out;
}

/**
 * Emits 'layout' (LayoutChangeEvent), 'processStart' / 'processEnd' (ProcessEvent), 'snapshot'
 * (every Snapshot taken), 'error' (only when someone listens; errors also reach iterators) and
 * 'close'. Changes are relative to the snapshot taken at start (`ready`). Also an async iterable of
 * MonitorEvent: leaving a `for await` loop closes the watcher.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { MigWatcher } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const watcher = new MigWatcher(nvml, { intervalMs: 500 }); // what watch() returns
 * await watcher.ready;
 * console.log(watcher.nvmlEventsActive); // true where the driver offers MIG config change events; snapshots are compared either way
 * await watcher.close();
 * ```
 */
export class MigWatcher extends EventEmitter {
  /** Resolves when the first snapshot is taken and events are registered. */
  readonly ready: Promise<void>;
  /** True when NVML MIG config change events are registered for at least one GPU. */
  nvmlEventsActive = false;
  private readonly monitor: Monitor;
  private readonly intervalMs: number;
  private readonly keepAlive: boolean;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private last: Snapshot | null = null;
  private eventSet: EventSetHandle | null = null;
  private readonly handleIndex = new Map<DeviceHandle, number>();
  private readonly signalled = new Set<number>();
  /** The watcher made its monitor (no `monitor` option): it closes it. */
  private readonly ownsMonitor: boolean;

  constructor(
    readonly nvml: Nvml,
    options: WatchOptions = {},
  ) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const interval = options.intervalMs ?? 1000;
    if (typeof interval !== 'number' || !Number.isFinite(interval)) throw new TypeError('intervalMs must be a finite number');
    if (interval < 10 || interval > 2 ** 31 - 1) throw new RangeError(`intervalMs must be between 10 and ${2 ** 31 - 1}, got ${interval}`);
    this.intervalMs = interval;
    this.keepAlive = options.keepAlive === true;
    this.ownsMonitor = !options.monitor;
    this.monitor = options.monitor ?? new Monitor(nvml);
    rawBinding(nvml); // throws ERR_NVML_NOT_INITIALIZED now rather than at the first tick
    this.ready = this.start(options.nvmlEvents !== false);
    this.ready.catch(() => undefined);
  }

  private async start(useEvents: boolean): Promise<void> {
    try {
      if (useEvents) await this.registerEvents();
      this.last = await this.monitor.snapshot();
    } catch (e) {
      this.fail(e);
    }
    this.schedule();
  }

  private async registerEvents(): Promise<void> {
    const b = rawBinding(this.nvml);
    let set: EventSetHandle | null = null;
    try {
      const count = await b.deviceGetCount();
      for (let i = 0; i < count; i++) {
        const h = await b.deviceGetHandleByIndex(i);
        let supported: bigint;
        try {
          supported = await b.deviceGetSupportedEventTypes(h);
        } catch {
          continue;
        }
        if ((supported & NVML_EVENT_MIG_CONFIG_CHANGE) === 0n) continue;
        set ??= await b.eventSetCreate();
        try {
          await b.deviceRegisterEvents(h, NVML_EVENT_MIG_CONFIG_CHANGE, set);
          this.handleIndex.set(h, i);
        } catch {
          // This GPU is watched by polling only.
        }
      }
    } catch {
      // No events at all (old driver, function missing): polling covers every change.
    }
    if (set !== null && this.handleIndex.size === 0) {
      await b.eventSetFree(set).catch(() => undefined);
      set = null;
    }
    this.eventSet = set;
    this.nvmlEventsActive = set !== null;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.poll().finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    }, this.intervalMs);
    if (!this.keepAlive) this.timer.unref();
  }

  /** Drains queued NVML events without waiting (timeout 0), noting which GPUs signalled. */
  private async drainEvents(b: NativeBinding): Promise<void> {
    if (this.eventSet === null) return;
    for (let n = 0; n < 256; n++) {
      const ev = await b.eventSetWait(this.eventSet, 0);
      if (ev === null) return;
      if ((ev.eventType & NVML_EVENT_MIG_CONFIG_CHANGE) === 0n) continue;
      const index = this.handleIndex.get(ev.device);
      if (index !== undefined) this.signalled.add(index);
    }
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const b = rawBinding(this.nvml);
      await this.drainEvents(b);
      const snap = await this.monitor.snapshot();
      if (this.closed) return;
      if (this.last) this.compare(this.last, snap);
      this.last = snap;
      this.emit('snapshot', snap);
    } catch (e) {
      this.fail(e);
    }
  }

  private compare(before: Snapshot, after: Snapshot): void {
    const old = new Map(before.gpus.map((g) => [g.index, g]));
    for (const g of after.gpus) {
      const prev = old.get(g.index);
      if (!prev) continue;
      if (!failed(g, LAYOUT_FNS) && !failed(prev, LAYOUT_FNS) && prev.layoutKey !== g.layoutKey) {
        const source = this.signalled.has(g.index) ? 'nvml-event' : 'poll';
        this.publish({ type: 'layout', gpu: g.index, uuid: g.uuid, source, before: prev, after: g });
      }
      this.signalled.delete(g.index);
      if (failed(g, PROCESS_FNS) || failed(prev, PROCESS_FNS)) continue;
      const was = processesOf(prev);
      const now = processesOf(g);
      for (const [k, p] of now) if (!was.has(k)) this.publish(processEvent('processStart', g, p));
      for (const [k, p] of was) if (!now.has(k)) this.publish(processEvent('processEnd', g, p));
    }
  }

  private publish(ev: MonitorEvent): void {
    if (ev.type === 'error') {
      if (this.listenerCount('error') > 0) this.emit('error', ev.error);
    } else {
      this.emit(ev.type, ev);
    }
    this.emit('event', ev);
  }

  private fail(e: unknown): void {
    // After the last shutdown() every call is refused: the watcher ends instead of erring each tick.
    if (isNvmlError(e, LIBRARY_ERROR_CODES.NOT_INITIALIZED) || isNvmlError(e, LIBRARY_ERROR_CODES.STALE_HANDLE)) {
      void this.close();
      return;
    }
    this.publish({ type: 'error', error: e instanceof Error ? e : new Error(String(e)) });
  }

  /** Stops polling, waits for a tick in flight, frees the NVML event set. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.ready.catch(() => undefined);
      if (this.inFlight) await this.inFlight;
      if (this.ownsMonitor) await this.monitor.close();
      if (this.eventSet !== null) {
        const set = this.eventSet;
        this.eventSet = null;
        try {
          await rawBinding(this.nvml).eventSetFree(set);
        } catch {
          // Closed library: the set went with it.
        }
      }
      this.emit('close');
    })();
    return this.closing;
  }

  [Symbol.asyncIterator](): AsyncIterator<MonitorEvent> {
    const queue: MonitorEvent[] = [];
    // Callers of next() waiting for an event (more than one if next() is called without awaiting).
    const waiting: Array<() => void> = [];
    const wake = () => {
      for (const w of waiting.splice(0)) w();
    };
    let ended = this.closed;
    const onEvent = (ev: MonitorEvent) => {
      queue.push(ev);
      wake();
    };
    const onClose = () => {
      ended = true;
      wake();
    };
    this.on('event', onEvent);
    this.once('close', onClose);
    const detach = () => {
      this.off('event', onEvent);
      this.off('close', onClose);
    };
    return {
      next: async (): Promise<IteratorResult<MonitorEvent>> => {
        while (queue.length === 0 && !ended) await new Promise<void>((r) => waiting.push(r));
        if (queue.length) return { value: queue.shift() as MonitorEvent, done: false };
        detach();
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<MonitorEvent>> => {
        detach();
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

function processEvent(type: ProcessEvent['type'], g: GpuSnapshot, p: ProcessInfo): ProcessEvent {
  return {
    type,
    gpu: g.index,
    uuid: g.uuid,
    pid: p.pid,
    gpuInstanceId: p.gpuInstanceId,
    computeInstanceId: p.computeInstanceId,
    usedGpuMemory: p.usedGpuMemory,
  };
}

/**
 * Starts watching every GPU for MIG layout changes and process arrivals/departures.
 *
 * @example
 * ```ts
 * import { init } from 'nvml-mig';
 * import { watch } from 'nvml-mig/monitor';
 *
 * const nvml = await init({ readOnly: true });
 * const watcher = watch(nvml, { intervalMs: 500 }); // does not keep the process alive
 * watcher.on('layout', (e) => console.log('layout of GPU', e.gpu, 'changed, seen by', e.source));
 * setTimeout(() => watcher.close().then(() => nvml.shutdown()), 10_000);
 * ```
 */
export function watch(nvml: Nvml, options?: WatchOptions): MigWatcher {
  return new MigWatcher(nvml, options);
}
