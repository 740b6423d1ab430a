#!/usr/bin/env node
// Writes the package.json and README.md of a platform package (npm/<target>/), everything taken from
// the main package.json (name, version, license, repository) and the target's name
// (<os>-<arch>-<libc>): usage: node scripts/package/manifest.js <target> <folder>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { BINARIES, platformPackageName } = require('../../dist/platform.js');

const [target, out] = process.argv.slice(2);
if (!target || !out) throw new Error('usage: manifest.js <target> <folder>');
const main = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const name = platformPackageName(target);
if (main.optionalDependencies?.[name] !== main.version) {
  throw new Error(`package.json: optionalDependencies must name ${name} at ${main.version} (the main package's version)`);
}
const [os, cpu, libc] = target.split('-');
const LIBC = { gnu: 'glibc', musl: 'musl' };
if (!LIBC[libc]) throw new Error(`${target}: the libc part must be gnu or musl`);

const manifest = {
  name,
  version: main.version,
  description: `The prebuilt ${target} binaries of ${main.name}: its Node-API addon and the mock libnvidia-ml.so.1 (current and legacy driver)`,
  license: main.license,
  ...(main.repository ? { repository: main.repository } : {}),
  os: [os],
  cpu: [cpu],
  libc: [LIBC[libc]],
  files: [...Object.values(BINARIES), 'README.md', 'LICENSE'],
  publishConfig: { access: 'public' },
};
fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
fs.writeFileSync(
  path.join(out, 'README.md'),
  `# ${name}\n\nThe prebuilt ${os} ${cpu} (${LIBC[libc]}) binaries of [${main.name}](https://www.npmjs.com/package/${main.name}), ` +
    'installed by it as an optional dependency: do not depend on this package directly.\n\n' +
    Object.values(BINARIES)
      .map((f) => `- \`${f}\``)
      .join('\n') +
    '\n\nBuilt from the same version of the sources, which ship in the main package.\n',
);
