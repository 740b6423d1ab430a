// Loads the native addon (native/ → nvml_mig.node). node-gyp-build looks in prebuilds/ for this
// platform first, then in build/Release and build/Debug, all relative to the package root.
// Loading the addon does not load NVML: that happens in open().
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeBinding } from './native';

const PACKAGE_ROOT = path.join(__dirname, '..');

let cached: NativeBinding | undefined;

/** The addon, loaded once. Throws one Error naming every place that was tried and what to do. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    cached = nodeGypBuild(PACKAGE_ROOT) as NativeBinding;
    return cached;
  } catch (e) {
    const tried = [
      path.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`),
      path.join(PACKAGE_ROOT, 'build', 'Release', 'nvml_mig.node'),
      path.join(PACKAGE_ROOT, 'build', 'Debug', 'nvml_mig.node'),
    ].map((p) => `  ${p}${fs.existsSync(p) ? '' : ' (missing)'}`);
    const reason = (e as Error)?.message ?? String(e);
    const err = new Error(
      `nvml-mig: cannot load the native addon nvml_mig.node for Node ${process.version} ` +
        `(${process.platform}-${process.arch}, Node-API ${process.versions.napi}).\n` +
        `Tried:\n${tried.join('\n')}\nReason: ${reason}\n` +
        'Build it with `npm run build:native` (needs a C++17 compiler and python3), or install a package ' +
        'that ships prebuilds for this platform.',
    );
    (err as Error & { cause?: unknown }).cause = e;
    throw err;
  }
}
