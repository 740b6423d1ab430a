// Loads the native addon (native/ → nvml_mig.node) from the package root: a local build
// (build/Release, then build/Debug) by its own file name, else node-gyp-build's prebuilds/ for this
// platform. The build folder is looked up by name because node-gyp-build takes the first *.node it
// finds there, and this package builds other native targets next to the addon.
// Loading the addon does not load NVML: that happens in open().
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeBinding } from './native';

const PACKAGE_ROOT = path.join(__dirname, '..');

let cached: NativeBinding | undefined;

function isBinding(m: unknown): m is NativeBinding {
  const b = m as Partial<NativeBinding> | null;
  return !!b && typeof b.open === 'function' && typeof b.setErrorClass === 'function';
}

/** The addon, loaded once. Throws one Error naming every place that was tried and what to do. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const tried: string[] = [];
  const builds = ['Release', 'Debug'].map((t) => path.join(PACKAGE_ROOT, 'build', t, 'nvml_mig.node'));
  let reason = '';
  for (const file of builds) {
    if (!fs.existsSync(file)) {
      tried.push(`  ${file} (missing)`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m: unknown = require(file);
      if (isBinding(m)) return (cached = m);
      reason = `${file} is not the nvml-mig addon`;
    } catch (e) {
      reason = (e as Error)?.message ?? String(e);
    }
    tried.push(`  ${file} (${reason})`);
  }
  const prebuilds = path.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
  if (fs.existsSync(prebuilds)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
      const m = nodeGypBuild(PACKAGE_ROOT);
      if (isBinding(m)) return (cached = m);
      reason = 'the prebuild found is not the nvml-mig addon';
    } catch (e) {
      reason = (e as Error)?.message ?? String(e);
    }
    tried.push(`  ${prebuilds} (${reason})`);
  } else {
    tried.push(`  ${prebuilds} (missing)`);
  }
  throw new Error(
    `nvml-mig: cannot load the native addon nvml_mig.node for Node ${process.version} ` +
      `(${process.platform}-${process.arch}, Node-API ${process.versions.napi}).\nTried:\n${tried.join('\n')}\n` +
      'Build it with `npm run build:native` (needs a C++17 compiler and python3), or install a package ' +
      'that ships prebuilds for this platform.',
  );
}
