'use strict';
// Latency profiles for the mock: per NVML function, the microseconds a call takes on a real driver
// (bench/latency/<name>.json, each figure with its evidence). bench/run.js and the tests read them here.
const fs = require('node:fs');
const path = require('node:path');

/** The profile `name` (e.g. "hopper-580"): { name, description, driver, speed, functions: { fn: { us, source, evidence } } }. */
function loadProfile(name) {
  if (!/^[a-z0-9-]+$/.test(name)) throw new RangeError(`latency profile name ${JSON.stringify(name)} is not a file name`);
  const profile = JSON.parse(fs.readFileSync(path.join(__dirname, `${name}.json`), 'utf8'));
  for (const [fn, e] of Object.entries(profile.functions)) {
    if (!Number.isInteger(e.us) || e.us < 0) throw new RangeError(`${name}: ${fn}: us must be a whole number of microseconds`);
    if (e.source !== 'measured' && e.source !== 'inferred') throw new RangeError(`${name}: ${fn}: source must be measured or inferred`);
    if (typeof e.evidence !== 'string' || !e.evidence) throw new RangeError(`${name}: ${fn}: evidence is missing`);
  }
  return profile;
}

/** The profile as the mock's NVML_MOCK_LATENCY_US value ("fn=us,fn=us"). */
function latencyEnv(profile) {
  return Object.entries(profile.functions)
    .map(([fn, e]) => `${fn}=${e.us}`)
    .join(',');
}

module.exports = { loadProfile, latencyEnv };
