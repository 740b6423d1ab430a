#!/usr/bin/env node
// Packs what a registry would serve for one release into a folder: the main package (`npm pack`,
// whose prepack compiles the TypeScript and builds npm/<target>/ for every platform it can:
// scripts/prebuild.sh), each platform package built, and every production dependency from
// node_modules (so that installs from scripts/package/registry.js need nothing else).
//   node scripts/package/pack.js <destination folder>     (prints the tarballs' file names)
// Set NVML_MIG_TARGETS as for scripts/prebuild.sh to choose the platforms.
// `npm pack` needs a checkout whose node_modules holds the dev dependencies (npm ci).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

function npmPack(what, dest) {
  const out = execFileSync('npm', ['pack', what, '--ignore-scripts=false', '--pack-destination', dest], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.trim().split('\n').pop();
}

/** Every production dependency of the lock file (the optional platform packages aside). */
function productionDependencies() {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const dirs = Object.entries(lock.packages)
    .filter(([key, entry]) => key !== '' && !entry.dev && !entry.optional)
    .map(([key]) => key);
  // A nested copy (a second version of a package) could not be served beside the other.
  const nested = dirs.filter((d) => d.lastIndexOf('node_modules/') > 0);
  if (nested.length) throw new Error(`nested production dependencies, not handled here: ${nested.join(', ')}`);
  return dirs;
}

function main() {
  const dest = path.resolve(process.argv[2] ?? '');
  if (!process.argv[2]) throw new Error('usage: pack.js <destination folder>');
  fs.mkdirSync(dest, { recursive: true });
  const packed = [npmPack('.', dest)];
  const npmDir = path.join(ROOT, 'npm');
  for (const target of fs.existsSync(npmDir) ? fs.readdirSync(npmDir).sort() : []) {
    packed.push(npmPack(`./npm/${target}`, dest));
  }
  for (const dir of productionDependencies()) {
    execFileSync('npm', ['pack', `./${dir}`, '--ignore-scripts', '--pack-destination', dest], { cwd: ROOT, stdio: 'ignore' });
  }
  console.log(packed.join('\n'));
}

main();
