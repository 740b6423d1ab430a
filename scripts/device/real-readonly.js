#!/usr/bin/env node
// Read-only checks of the package against a real NVML, compared with what a real H100 80GB HBM3
// answered (shared/reference/h100-real.md, driver 580.159.04, MIG disabled).
//
//   node scripts/device/real-readonly.js            (library: NVML_LIBRARY_PATH or libnvidia-ml.so.1)
//
// Plain CommonJS on purpose: the GPU machine has node and what we carry (dist/, the addon,
// node_modules/node-gyp-build), no test runner. NVML is opened with readOnly: true and the script
// asserts the interlock before anything else; it never calls a mutating function.
// Prints a report, writes $OUT/real-readonly.json (or ./real-readonly.json), exits 0 only if every
// check matched. test/real/ runs the same checks under vitest (NVML_REAL=1).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** h100-real.md, as data. */
const H100 = {
  name: 'NVIDIA H100 80GB HBM3',
  driverMajor: '580',
  driverVersion: '580.159.04',
  nvmlVersion: '13.580.159.04',
  // index → [id, name, isP2p, slices, instances, SMs, CE, DEC, ENC, JPEG, OFA, memory MiB]
  profiles: {
    0: [19, 'MIG 1g.10gb', 0, 1, 7, 16, 1, 1, 0, 1, 0, 9984],
    1: [14, 'MIG 2g.20gb', 0, 2, 3, 32, 2, 2, 0, 2, 0, 20096],
    2: [9, 'MIG 3g.40gb', 0, 3, 2, 60, 3, 3, 0, 3, 0, 40448],
    3: [5, 'MIG 4g.40gb', 0, 4, 1, 64, 4, 4, 0, 4, 0, 40448],
    4: [0, 'MIG 7g.80gb', 0, 7, 1, 132, 8, 7, 0, 7, 1, 81152],
    7: [20, 'MIG 1g.10gb+me', 0, 1, 1, 16, 1, 1, 0, 1, 1, 9984],
    9: [15, 'MIG 1g.20gb', 0, 1, 4, 26, 1, 1, 0, 1, 0, 20096],
  },
  unsupportedIndices: [5, 6, 8, 10, 11, 12, 13, 14, 15],
  // Not in h100-real.md; seen by this script on the same H100 (driver 580.159.04, 2026-11-25):
  // index 16 NOT_SUPPORTED, 17 INVALID_ARGUMENT (where the enumeration ends).
  observedUnsupportedIndices: [16],
  firstInvalidIndex: 17,
  // profile id → [starts], size
  placements: { 19: [[0, 1, 2, 3, 4, 5, 6], 1], 20: [[0, 1, 2, 3, 4, 5, 6], 1], 15: [[0, 2, 4, 6], 2], 14: [[0, 2, 4], 2], 9: [[0, 4], 4], 5: [[0], 4], 0: [[0], 8] },
  remaining: { 19: 7, 14: 3, 9: 2, 5: 1, 0: 1, 20: 1, 15: 4 },
};
const PROFILE_FIELDS = ['id', 'name', 'isP2pSupported', 'sliceCount', 'instanceCount', 'multiprocessorCount', 'copyEngineCount', 'decoderCount', 'encoderCount', 'jpegCount', 'ofaCount', 'memorySizeMB'];

function profileRow(p) {
  return PROFILE_FIELDS.map((f) => (f === 'isP2pSupported' ? (p[f] ? 1 : 0) : p[f]));
}

function errInfo(e) {
  return { code: e && e.code, nvmlReturn: e && e.nvmlReturn, fn: e && e.fn, message: e && e.message };
}

async function settle(p) {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: errInfo(e) };
  }
}

/** Mean and median microseconds per awaited call, `n` calls in sequence. */
async function time(n, call) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  return { calls: n, meanUs: +mean.toFixed(2), medianUs: +samples[Math.floor(n / 2)].toFixed(2), minUs: +samples[0].toFixed(2) };
}

/**
 * Runs every check; resolves with the report { ok, checks: [{name, ok, expected?, actual?}], ... }.
 * `pkg` is the package entry (dist/index.js).
 */
async function runChecks(pkg, options = {}) {
  const checks = [];
  const check = (name, ok, expected, actual) => {
    checks.push({ name, ok: !!ok, ...(ok ? {} : { expected, actual }) });
    return ok;
  };
  const same = (name, expected, actual) => check(name, JSON.stringify(expected) === JSON.stringify(actual), expected, actual);
  const report = { startedAt: new Date().toISOString(), checks, devices: [] };

  const nvml = await pkg.init({ readOnly: true, ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}) });
  try {
    report.libraryPath = nvml.libraryPath;
    // The interlock first. 0xFFFFFFFF is NVML's invalid profile id: even a broken interlock could
    // not create anything with it.
    if (!check('interlock: nvml.readOnly', nvml.readOnly === true, true, nvml.readOnly)) {
      throw new Error('the read-only interlock is off: refusing to go on');
    }
    report.functions = nvml.functions();
    report.driverVersion = await nvml.driverVersion();
    report.nvmlVersion = await nvml.nvmlVersion();
    report.cudaDriverVersion = await nvml.cudaDriverVersion();
    const count = await nvml.deviceCount();
    report.deviceCount = count;
    check('at least one GPU', count > 0, '> 0', count);
    if (count > 0) {
      const d0 = await nvml.device(0);
      const refused = await settle(d0.createGpuInstance(0xffffffff));
      check('interlock: createGpuInstance rejects ERR_NVML_READ_ONLY', !refused.ok && refused.error.code === 'ERR_NVML_READ_ONLY', 'ERR_NVML_READ_ONLY', refused.ok ? 'resolved' : refused.error.code);
    }

    for (let i = 0; i < count; i++) {
      const dev = await nvml.device(i);
      const d = { index: i };
      report.devices.push(d);
      d.name = await dev.name();
      d.uuid = await dev.uuid();
      d.pci = await dev.pciInfo();
      d.memory = await dev.memoryInfo();
      d.migMode = await settle(dev.migMode());
      d.maxMigDeviceCount = await settle(dev.maxMigDeviceCount());
      d.resetlessMigSupported = await settle(dev.isResetlessMigSupported());
      d.migQueryCapableWhenDisabled = await settle(dev.isMigQueryCapableWhenDisabled());
      const isH100 = d.name === H100.name;
      d.comparedWithH100Reference = isH100;

      // Timings before anything is cached (gpuInstanceProfile(i) asks the driver until the list is cached).
      d.timings = {
        name: await time(200, () => dev.name()),
        memoryInfo: await time(200, () => dev.memoryInfo()),
        migMode: await time(50, () => dev.migMode().catch(() => null)),
        gpuInstanceProfileIndex0: await time(50, () => dev.gpuInstanceProfile(0).catch(() => null)),
        gpuInstanceRemainingCapacity19: await time(50, () => dev.gpuInstanceRemainingCapacity(19).catch(() => null)),
      };

      // Every index, one by one, up to the one the driver calls invalid.
      d.profileIndices = [];
      for (let index = 0; index < 256; index++) {
        const r = await settle(dev.gpuInstanceProfile(index));
        d.profileIndices.push(r.ok ? { index, profile: r.value } : { index, error: r.error.code });
        if (!r.ok && r.error.code === 'NVML_ERROR_INVALID_ARGUMENT') break;
      }
      const listed = await settle(dev.gpuInstanceProfiles());
      d.profiles = listed.ok ? listed.value : listed.error;
      d.placements = {};
      d.remainingCapacity = {};
      for (const p of listed.ok ? listed.value : []) {
        const pl = await settle(dev.gpuInstancePlacements(p.id));
        d.placements[p.id] = pl.ok ? pl.value : pl.error;
        const rc = await settle(dev.gpuInstanceRemainingCapacity(p.id));
        d.remainingCapacity[p.id] = rc.ok ? rc.value : rc.error;
      }
      const migOn = d.migMode.ok && d.migMode.value.current;
      if (migOn) {
        d.gpuInstances = (await settle(dev.gpuInstances())).value?.map((g) => ({ id: g.id, profileId: g.profileId, placement: g.placement })) ?? null;
        const migs = await settle(dev.migDevices());
        d.migDevices = migs.ok
          ? await Promise.all(migs.value.map(async (m) => ({ index: m.index, uuid: await m.uuid(), name: await m.name(), gpuInstanceId: await m.gpuInstanceId(), computeInstanceId: await m.computeInstanceId(), attributes: (await settle(m.attributes())).value ?? null })))
          : migs.error;
      }

      const tag = `GPU ${i}`;
      check(`${tag}: profile enumeration succeeded`, listed.ok, 'a list', listed.error);
      if (!isH100) continue;
      check(`${tag}: driver major version`, report.driverVersion.split('.')[0] === H100.driverMajor, H100.driverMajor, report.driverVersion);
      same(`${tag}: MIG mode (reference: disabled)`, { current: false, pending: false, changePending: false }, d.migMode.value ?? d.migMode.error);
      same(`${tag}: max MIG device count with MIG disabled`, 0, d.maxMigDeviceCount.value ?? d.maxMigDeviceCount.error);
      for (const [index, row] of Object.entries(H100.profiles)) {
        const got = d.profileIndices.find((x) => x.index === Number(index));
        same(`${tag}: profile index ${index}`, row, got && got.profile ? profileRow(got.profile) : got && got.error);
      }
      for (const index of H100.unsupportedIndices) {
        const got = d.profileIndices.find((x) => x.index === index);
        same(`${tag}: profile index ${index} NOT_SUPPORTED`, 'NVML_ERROR_NOT_SUPPORTED', got && (got.error || 'answered'));
      }
      for (const index of H100.observedUnsupportedIndices) {
        const got = d.profileIndices.find((x) => x.index === index);
        same(`${tag}: profile index ${index} NOT_SUPPORTED (observed)`, 'NVML_ERROR_NOT_SUPPORTED', got && (got.error || 'answered'));
      }
      same(`${tag}: enumeration ends at index ${H100.firstInvalidIndex} (observed)`, H100.firstInvalidIndex, d.profileIndices[d.profileIndices.length - 1].index);
      same(`${tag}: gpuInstanceProfiles() index order`, Object.keys(H100.profiles).map(Number), listed.ok ? listed.value.map((p) => p.index) : listed.error);
      for (const [id, [starts, size]] of Object.entries(H100.placements)) {
        same(`${tag}: placements of profile ${id}`, starts.map((start) => ({ start, size })), d.placements[id]);
      }
      // Capacity is only comparable on an empty GPU (the reference had MIG disabled).
      if (!migOn) {
        for (const [id, n] of Object.entries(H100.remaining)) same(`${tag}: remaining capacity of profile ${id}`, n, d.remainingCapacity[id]);
      }
    }
  } finally {
    await nvml.shutdown();
  }
  report.ok = checks.every((c) => c.ok);
  report.passed = checks.filter((c) => c.ok).length;
  report.failed = checks.length - report.passed;
  return report;
}

function print(report) {
  const out = [];
  out.push(`nvml-mig read-only check: ${report.libraryPath}`);
  out.push(`driver ${report.driverVersion}, NVML ${report.nvmlVersion}, CUDA ${report.cudaDriverVersion}, ${report.deviceCount} GPU(s)`);
  for (const d of report.devices) {
    const mode = d.migMode.ok ? `MIG current ${d.migMode.value.current ? 'on' : 'off'}, pending ${d.migMode.value.pending ? 'on' : 'off'}` : `MIG mode: ${d.migMode.error.code}`;
    out.push(`\nGPU ${d.index}: ${d.name} ${d.uuid} ${d.pci.busId} - ${mode}`);
    out.push(`  resetless MIG: ${JSON.stringify(d.resetlessMigSupported.value ?? d.resetlessMigSupported.error)}, query with MIG off: ${JSON.stringify(d.migQueryCapableWhenDisabled.value ?? d.migQueryCapableWhenDisabled.error)}`);
    out.push('  index  id  name               struct slices inst  SM  CE DEC ENC JPG OFA  MiB    placements            free');
    for (const x of d.profileIndices) {
      if (!x.profile) {
        out.push(`  ${String(x.index).padStart(5)}  ${x.error}`);
        continue;
      }
      const p = x.profile;
      const pl = Array.isArray(d.placements[p.id]) ? `{${d.placements[p.id].map((q) => q.start).join(',')}}:${d.placements[p.id][0]?.size}` : JSON.stringify(d.placements[p.id]);
      out.push(
        `  ${String(x.index).padStart(5)} ${String(p.id).padStart(3)}  ${p.name.padEnd(18)} v${p.structVersion}     ${String(p.sliceCount).padStart(3)} ${String(p.instanceCount).padStart(4)} ${String(p.multiprocessorCount).padStart(4)} ${[p.copyEngineCount, p.decoderCount, p.encoderCount, p.jpegCount, p.ofaCount].map((v) => String(v).padStart(3)).join(' ')} ${String(p.memorySizeMB).padStart(6)}  ${pl.padEnd(21)} ${JSON.stringify(d.remainingCapacity[p.id])}`,
      );
    }
    out.push('  timings (awaited, sequential): ' + Object.entries(d.timings).map(([k, t]) => `${k} ${t.medianUs} us`).join(', '));
    if (d.migDevices) out.push(`  MIG devices: ${JSON.stringify(d.migDevices)}`);
  }
  const missing = Object.entries(report.functions).filter(([, v]) => v === null).map(([k]) => k);
  out.push(`\nfunctions resolved: ${Object.keys(report.functions).length - missing.length}/${Object.keys(report.functions).length}; missing: ${missing.join(', ') || 'none'}`);
  for (const c of report.checks) out.push(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.ok ? '' : `: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(c.actual)}`}`);
  out.push(`\n${report.passed} passed, ${report.failed} failed`);
  return out.join('\n');
}

async function main() {
  const pkg = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));
  let report;
  try {
    report = await runChecks(pkg);
  } catch (e) {
    report = { ok: false, fatal: errInfo(e), stack: e && e.stack };
    console.error(`fatal: ${e && e.stack}`);
  }
  if (report.checks) console.log(print(report));
  const file = path.join(process.env.OUT || process.cwd(), 'real-readonly.json');
  fs.writeFileSync(file, JSON.stringify(report, (k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  console.log(`report written to ${file}`);
  process.exitCode = report.ok ? 0 : 1;
}

module.exports = { runChecks, print, H100 };
if (require.main === module) main();
