#!/usr/bin/env node
// Read-only checks of the package against a real NVML, compared value by value with what a real
// GPU of the same model answered: the references in test/real/references/ (one JSON file per GPU
// model and driver, captured read-only with MIG disabled). A GPU with no reference FAILS the run:
// generic checks alone would pass on anything.
//
//   NVML_LIBRARY_PATH=/path/libnvidia-ml.so.1 node scripts/device/real-readonly.js
//                                      (library: NVML_LIBRARY_PATH, else libnvidia-ml.so.1)
//
// Plain CommonJS on purpose: the GPU machine has node and what we carry (dist/, package.json, the
// addon, this script and test/real/references/), no test runner. NVML is
// opened with readOnly: true and the script asserts the interlock before anything else; it never
// calls a mutating function. Prints a report, writes $OUT/real-readonly.json (or
// ./real-readonly.json), exits 0 only if every check matched. test/real/ runs the same checks under
// vitest (NVML_REAL=1), and against the mock in CI.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const REFERENCE_DIR = path.join(__dirname, '..', '..', 'test', 'real', 'references');

/** Every reference file: { file, gpu, driverVersion, ... } (see test/real/references/). */
function loadReferences(dir = REFERENCE_DIR) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

/** The reference for a GPU name: the one captured on this driver if there is one, else any of that name. */
function referenceFor(references, name, driverVersion) {
  const same = references.filter((r) => r.gpu === name);
  return same.find((r) => r.driverVersion === driverVersion) ?? same[0] ?? null;
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
 * Every recorded real answer of `ref` against what this GPU answered (`d`, read by runChecks), as
 * checks named "GPU i [file]: ...". `same` compares JSON.
 */
async function compareWithReference(check, same, report, d, ref, nvml, i) {
  const tag = `GPU ${i} [${ref.file}]`;
  same(`${tag}: driver version`, ref.driverVersion, report.driverVersion);
  same(`${tag}: NVML version`, ref.nvmlVersion, report.nvmlVersion);
  same(`${tag}: CUDA driver version`, ref.cudaDriverVersion, report.cudaDriverVersion);
  if (ref.pciDeviceId !== undefined) same(`${tag}: PCI device id`, ref.pciDeviceId, `0x${(d.pci.pciDeviceId >>> 0).toString(16).padStart(8, '0')}`);
  if (ref.pciSubsystemId !== undefined) same(`${tag}: PCI subsystem id`, ref.pciSubsystemId, `0x${(d.pci.pciSubSystemId >>> 0).toString(16).padStart(8, '0')}`);
  same(`${tag}: memory total and reserved (bytes, nvmlDeviceGetMemoryInfo_v2)`, ref.memory, { total: d.memory.total, reserved: d.memory.reserved });
  same(`${tag}: MIG mode (reference: disabled)`, { ...ref.migMode, changePending: ref.migMode.current !== ref.migMode.pending }, d.migMode.value ?? d.migMode.error);
  same(`${tag}: max MIG device count with MIG disabled`, ref.maxMigDeviceCount, d.maxMigDeviceCount.value ?? d.maxMigDeviceCount.error);
  same(`${tag}: field 184 (resetless MIG)`, ref.fields['184'] === 1, d.resetlessMigSupported.value ?? d.resetlessMigSupported.error);
  same(`${tag}: field 199 (MIG queries with MIG disabled)`, ref.fields['199'] === 1, d.migQueryCapableWhenDisabled.value ?? d.migQueryCapableWhenDisabled.error);
  const row = (p) => ref.profileFields.map((f) => (f === 'isP2pSupported' ? (p[f] ? 1 : 0) : p[f]));
  for (const [index, want] of Object.entries(ref.profiles)) {
    const got = d.profileIndices.find((x) => x.index === Number(index));
    same(`${tag}: profile index ${index}`, want, got && got.profile ? row(got.profile) : got && got.error);
  }
  for (const index of ref.unsupportedIndices) {
    const got = d.profileIndices.find((x) => x.index === index);
    same(`${tag}: profile index ${index} NOT_SUPPORTED`, 'NVML_ERROR_NOT_SUPPORTED', got && (got.error || 'answered'));
  }
  const last = d.profileIndices[d.profileIndices.length - 1];
  same(`${tag}: enumeration ends with INVALID_ARGUMENT at index ${ref.firstInvalidIndex}`, [ref.firstInvalidIndex, 'NVML_ERROR_INVALID_ARGUMENT'], [last.index, last.error]);
  const listed = Array.isArray(d.profiles) ? d.profiles.map((p) => p.index) : d.profiles;
  same(`${tag}: gpuInstanceProfiles() index order`, Object.keys(ref.profiles).map(Number), listed);
  // The v3 struct as the driver wrote it (the raw call with version 3; the facade completes names from v2).
  const b = nvml._session.binding;
  const h = await b.deviceGetHandleByIndex(i);
  for (const index of Object.keys(ref.profiles)) {
    const v3 = await settle(b.deviceGetGpuInstanceProfileInfo(h, Number(index), 3));
    const got = v3.ok ? { nvmlReturn: 0, name: v3.value.name ?? '' } : { nvmlReturn: v3.error.nvmlReturn };
    const want = ref.giProfileV3.nvmlReturn === 0 ? { nvmlReturn: 0, name: ref.giProfileV3.name } : { nvmlReturn: ref.giProfileV3.nvmlReturn };
    same(`${tag}: profile index ${index}, v3 struct (${ref.giProfileV3.note})`, want, got);
  }
  for (const [id, [starts, size]] of Object.entries(ref.placements)) {
    same(`${tag}: placements of profile ${id}`, starts.map((start) => ({ start, size })), d.placements[id]);
  }
  // Capacity is only comparable on an empty GPU (the reference had MIG disabled).
  const migOn = d.migMode.ok && d.migMode.value.current;
  if (!migOn) {
    for (const [id, n] of Object.entries(ref.remaining)) same(`${tag}: remaining capacity of profile ${id}`, n, d.remainingCapacity[id]);
  }
}

/**
 * Runs every check; resolves with the report { ok, checks: [{name, ok, expected?, actual?}], ... }.
 * `pkg` is the package entry (dist/index.js).
 */
async function runChecks(pkg, options = {}) {
  const references = options.references ?? loadReferences();
  const checks = [];
  const check = (name, ok, expected, actual) => {
    checks.push({ name, ok: !!ok, ...(ok ? {} : { expected, actual }) });
    return ok;
  };
  const same = (name, expected, actual) => check(name, JSON.stringify(expected) === JSON.stringify(actual), expected, actual);
  const report = { startedAt: new Date().toISOString(), checks, devices: [], references: references.map((r) => r.file) };

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
      const ref = referenceFor(references, d.name, report.driverVersion);
      d.reference = ref ? ref.file : null;

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
      // Without a reference nothing below can be compared: that is a failure, not a pass.
      if (!check(`${tag}: a reference for "${d.name}" (no reference, nothing compared)`, ref !== null, references.map((r) => r.gpu), d.name)) continue;
      await compareWithReference(check, same, report, d, ref, nvml, i);
      d.referenceChecks = checks.filter((c) => c.name.startsWith(`${tag} [${ref.file}]`)).length;
    }
    // Every GPU found was compared with a reference of its own model.
    const compared = report.devices.filter((d) => d.reference !== null && d.referenceChecks > 0).length;
    check('compared against a known reference: every GPU', count > 0 && compared === count, count, compared);
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
    out.push(`  reference: ${d.reference ?? `none for "${d.name}" (nothing compared; known: ${report.references.join(', ')})`}`);
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

module.exports = { runChecks, print, loadReferences, referenceFor, REFERENCE_DIR };
if (require.main === module) main();
