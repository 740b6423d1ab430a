#!/usr/bin/env node
// The `nvml-mig` command (package.json bin). Everything else is in run.ts, so it can be tested
// and embedded; this file only binds it to the process.

import { runCli } from './run.js';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
