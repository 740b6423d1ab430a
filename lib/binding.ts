// Loads the native addon (native/ → nvml_mig.node): a local build (build/Release, then build/Debug;
// only a checkout or an explicit build from source has one), else the prebuilt one of this
// platform's package (@nvml-mig/<platform>-<arch>-<libc>, an optional dependency; lib/platform.ts).
// Loading the addon does not load NVML: that happens in open().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BINARIES, localBuildDir, PACKAGE_ROOT, platformPackageDir, platformPackageName, missingBinaryAdvice } from './platform';
import { decodeSnapshot as decodeWire, type NativeOps } from './native.gen';
import type { NativeBinding, RawSnapshot } from './native';


let cached: NativeBinding | undefined;

/**
 * What the addon exports: the NativeBinding, except that the snapshot comes as one JSON string of
 * nested arrays (positions instead of keys, in the field order of native/functions.cjs), which
 * decodeSnapshot of lib/native.gen.ts turns into the RawSnapshot: JSON.parse and object literals
 * build it several times faster than the addon could set each property through Node-API.
 */
type Addon = Omit<NativeBinding, 'snapshot' | 'snapshotSync'> & Pick<NativeOps, 'snapshotJson' | 'snapshotJsonSync'>;

function isAddon(m: unknown): m is Addon {
  const b = m as Partial<Addon> | null;
  return !!b && typeof b.open === 'function' && typeof b.setErrorClass === 'function' && typeof b.snapshotJson === 'function';
}

const decodeSnapshot = (json: string): RawSnapshot => decodeWire(JSON.parse(json));

/** The addon with snapshot()/snapshotSync() decoding its JSON answer. */
function bind(m: Addon): NativeBinding {
  const b = m as Addon & Pick<NativeBinding, 'snapshot' | 'snapshotSync'>;
  b.snapshot = (parallelGpus) => m.snapshotJson(parallelGpus).then(decodeSnapshot);
  b.snapshotSync = (parallelGpus) => decodeSnapshot(m.snapshotJsonSync(parallelGpus));
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
