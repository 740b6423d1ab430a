#!/usr/bin/env node
// The `nvml-mig` command (package.json bin). Everything else is in run.ts, so it can be tested
// and embedded; this file only binds it to the process.

import { runCli } from './run.js';

// A reader that goes away (`nvml-mig mig -cgi ... | head -1`) must not kill the command halfway
// through a change: output is dropped from then on and the command finishes what it started.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
