// Loads the native addon (native/ → nvml_mig.node): a local build (build/Release, then build/Debug;
// only a checkout or an explicit build from source has one), else the prebuilt one of this
// platform's package (@nvml-mig/<platform>-<arch>-<libc>, an optional dependency; lib/platform.ts).
// Loading the addon does not load NVML: that happens in open().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BINARIES, localBuildDir, PACKAGE_ROOT, platformPackageDir, platformPackageName, missingBinaryAdvice } from './platform';
import type { NativeBinding, RawMemory, RawPlacement, RawProcess, RawSnapshot, RawSnapshotDevice, RawSnapshotMigDevice } from './native';


let cached: NativeBinding | undefined;

/**
 * What the addon exports: the NativeBinding, except that the snapshot comes as one JSON string of
 * nested arrays (positions instead of keys; native/snapshot.cc writes them). JSON.parse and the
 * object literals below build the RawSnapshot several times faster than the addon could set each
 * property through Node-API.
 */
type Addon = Omit<NativeBinding, 'snapshot' | 'snapshotSync'> & {
  snapshotJson(): Promise<string>;
  snapshotJsonSync(): string;
};

function isAddon(m: unknown): m is Addon {
  const b = m as Partial<Addon> | null;
  return !!b && typeof b.open === 'function' && typeof b.setErrorClass === 'function' && typeof b.snapshotJson === 'function';
}

// The snapshot's positional JSON: each array's layout is the C++ writer's (native/snapshot.cc), and the
// decoders below name its positions; test/native/snapshot.test.ts compares the result with the getters'.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON arrays, read by position
type Wire = any[];

function memory(w: Wire | null): RawMemory | null {
  if (w === null) return null;
  return w.length > 3 ? { total: w[0], free: w[1], used: w[2], reserved: w[3] } : { total: w[0], free: w[1], used: w[2] };
}

function processes(w: Wire[]): RawProcess[] {
  const out = new Array<RawProcess>(w.length);
  for (let i = 0; i < w.length; i++) {
    const p = w[i];
    out[i] = { pid: p[0], usedGpuMemory: p[1], gpuInstanceId: p[2], computeInstanceId: p[3] };
  }
  return out;
}

function placement(w: Wire, at: number): RawPlacement {
  return { start: w[at], size: w[at + 1] };
}

function migDevice(w: Wire): RawSnapshotMigDevice {
  const a = w[7];
  return {
    index: w[0],
    handle: w[1],
    uuid: w[2],
    name: w[3],
    gpuInstanceId: w[4],
    computeInstanceId: w[5],
    memory: memory(w[6]),
    attributes:
      a === null
        ? null
        : {
            multiprocessorCount: a[0],
            sharedCopyEngineCount: a[1],
            sharedDecoderCount: a[2],
            sharedEncoderCount: a[3],
            sharedJpegCount: a[4],
            sharedOfaCount: a[5],
            gpuInstanceSliceCount: a[6],
            computeInstanceSliceCount: a[7],
            memorySizeMB: a[8],
          },
    processes: processes(w[8]),
  };
}

function device(w: Wire): RawSnapshotDevice {
  const mig = w[5];
  const util = w[7];
  return {
    index: w[0],
    handle: w[1],
    name: w[2],
    uuid: w[3],
    pciBusId: w[4],
    migMode: mig === null ? null : { current: mig[0], pending: mig[1] },
    memory: memory(w[6]),
    utilization: util === null ? null : { gpu: util[0], memory: util[1] },
    processes: processes(w[8]),
    gpuInstances: (w[9] as Wire[]).map((g) => ({
      id: g[0],
      profileId: g[1],
      placement: placement(g, 2),
      computeInstances: (g[4] as Wire[]).map((c) => ({ id: c[0], profileId: c[1], placement: placement(c, 2) })),
    })),
    migDevices: (w[10] as Wire[]).map(migDevice),
    errors: (w[11] as Wire[]).map((e) => ({ fn: e[0], nvmlReturn: e[1], code: e[2] })),
  };
}

/** [startedNs, finishedNs, [device, ...]] → RawSnapshot. */
function decodeSnapshot(json: string): RawSnapshot {
  const w = JSON.parse(json) as [string, string, Wire[]];
  return { startedNs: BigInt(w[0]), finishedNs: BigInt(w[1]), devices: w[2].map(device) };
}

/** The addon with snapshot()/snapshotSync() decoding its JSON answer. */
function bind(m: Addon): NativeBinding {
  const b = m as Addon & Pick<NativeBinding, 'snapshot' | 'snapshotSync'>;
  b.snapshot = () => m.snapshotJson().then(decodeSnapshot);
  b.snapshotSync = () => decodeSnapshot(m.snapshotJsonSync());
  return b;
}

/** The addon, loaded once. Throws one Error naming every place that was tried and what to do. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const tried: string[] = [];
  const packageDir = platformPackageDir();
  const candidates = [
    path.join(localBuildDir(), BINARIES.addon),
    path.join(PACKAGE_ROOT, 'build', 'Debug', BINARIES.addon),
    packageDir ? path.join(packageDir, BINARIES.addon) : null,
  ];
  for (const file of candidates) {
    if (file === null) {
      tried.push(`  ${platformPackageName()} (not installed)`);
      continue;
    }
    if (!fs.existsSync(file)) {
      tried.push(`  ${file} (missing)`);
      continue;
    }
    let reason: string;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node file at a path found at run time
      const m: unknown = require(file);
      if (isAddon(m)) return (cached = bind(m));
      reason = 'not the nvml-mig addon';
    } catch (e) {
      reason = (e as Error)?.message ?? String(e);
    }
    tried.push(`  ${file} (${reason})`);
  }
  throw new Error(
    `nvml-mig: cannot load the native addon ${BINARIES.addon} for Node ${process.version} ` +
      `(${process.platform}-${process.arch}, Node-API ${process.versions.napi}).\nTried:\n${tried.join('\n')}\n` +
      missingBinaryAdvice(),
  );
}
