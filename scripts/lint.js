#!/usr/bin/env node
// `npm run lint`: ESLint on the TypeScript and JavaScript (eslint.config.mjs), clang-format's check
// on every C and C++ file (.clang-format: one style for native/, mocks/ and the C in bench/ and test/)
// and the staleness check of the files generated from native/return_codes.json.
// `npm run format` (this script with --fix) rewrites what each of them can fix.
// The tools live in tools/lint with their own lock file; they are installed there (npm ci) when missing
// or older than that lock file. Exits non-zero when either check fails.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, 'tools', 'lint');
const fix = process.argv.includes('--fix');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// Install the linters when tools/lint/node_modules is missing or older than its lock file.
const installed = path.join(TOOLS, 'node_modules', '.package-lock.json');
const lock = path.join(TOOLS, 'package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const status = run(npm, ['ci', '--prefix', TOOLS, '--no-audit', '--no-fund', '--prefer-offline']);
  if (status !== 0) process.exit(status);
}

// The C and C++ sources: native/ and mocks/ (the addon and the mock library) and the C files of bench/ and test/.
function cSources(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'build') walk(p);
      } else if (/\.(c|cc|cpp|h|hpp)$/.test(e.name)) out.push(path.relative(ROOT, p));
    }
  };
  if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return out;
}

// Generated files first, so that ESLint and clang-format see the current ones.
const genStatus = run(process.execPath, [path.join(ROOT, 'scripts', 'gen-return-codes.js'), ...(fix ? [] : ['--check'])]);

const eslint = path.join(TOOLS, 'node_modules', 'eslint', 'bin', 'eslint.js');
const eslintStatus = run(process.execPath, [eslint, ...(fix ? ['--fix'] : []), '.']);

const clangFormat = require(path.join(TOOLS, 'node_modules', 'clang-format-node')).clangFormatPath;
const files = ['native', 'mocks', 'bench', 'test'].flatMap(cSources).sort();
const clangArgs = fix ? ['-i', '--style=file', ...files] : ['--dry-run', '--Werror', '--style=file', ...files];
const clangStatus = run(clangFormat, clangArgs);
if (!fix && clangStatus !== 0) console.error('clang-format: run `npm run format` to apply the style of .clang-format');

process.exit(genStatus || eslintStatus || clangStatus);
