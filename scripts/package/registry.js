#!/usr/bin/env node
// A read-only npm registry on 127.0.0.1 that serves the package tarballs of one folder, so that npm
// and pnpm install the packed packages as they would from a registry (optionalDependencies resolved
// by name and filtered by os/cpu/libc) without reaching the network.
//   node scripts/package/registry.js <folder of .tgz> [request log file]
// Prints `http://127.0.0.1:<port>/` on its first line of output, then serves until killed. Each
// request is appended to the log file as `<status> <path>`.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');

/** package/package.json of a .tgz (gzip of a ustar archive). */
function manifestOf(file) {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header[0] === 0) break;
    const field = (from, len) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? field(345, 155) + '/' : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (name === 'package/package.json') return JSON.parse(tar.subarray(at + 512, at + 512 + size).toString('utf8'));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${file}: no package/package.json`);
}

const [folder, logFile] = process.argv.slice(2);
if (!folder) throw new Error('usage: registry.js <folder of .tgz> [request log file]');

const packuments = new Map(); // name → packument (dist.tarball filled in once the port is known)
const files = new Map(); // tarball file name → path
for (const f of fs.readdirSync(folder).filter((f) => f.endsWith('.tgz'))) {
  const file = path.join(folder, f);
  const m = manifestOf(file);
  const data = fs.readFileSync(file);
  const p = packuments.get(m.name) ?? { name: m.name, 'dist-tags': {}, versions: {} };
  p.versions[m.version] = {
    ...m,
    _id: `${m.name}@${m.version}`,
    dist: {
      file: f,
      integrity: 'sha512-' + crypto.createHash('sha512').update(data).digest('base64'),
      shasum: crypto.createHash('sha1').update(data).digest('hex'),
    },
  };
  p['dist-tags'].latest = m.version;
  packuments.set(m.name, p);
  files.set(f, file);
}

let base = '';
const server = http.createServer((req, res) => {
  const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  let status = 404;
  let body = JSON.stringify({ error: 'not found' });
  let type = 'application/json';
  const tarball = url.match(/\/-\/([^/]+\.tgz)$/);
  if (req.method === 'GET' && tarball && files.has(tarball[1])) {
    status = 200;
    body = fs.readFileSync(files.get(tarball[1]));
    type = 'application/octet-stream';
  } else if (req.method === 'GET' && packuments.has(url.slice(1))) {
    const p = structuredClone(packuments.get(url.slice(1)));
    for (const v of Object.values(p.versions)) {
      v.dist.tarball = `${base}${p.name}/-/${v.dist.file}`;
      delete v.dist.file;
    }
    status = 200;
    body = JSON.stringify(p);
  }
  if (logFile) fs.appendFileSync(logFile, `${status} ${req.method} ${url}\n`);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}/`;
  process.stdout.write(base + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
