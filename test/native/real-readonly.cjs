#!/usr/bin/env node
// The raw native surface against a real NVML, read-only (never a mutating call: the interlock is
// on and checked first). Plain CommonJS so it runs where only node, dist/ and the addon are
// present:  node test/native/real-readonly.cjs [libraryPath]
// Prints one JSON report (and writes $OUT/native-real.json when OUT is set).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { loadBinding } = require('../../dist/binding.js');

class NvmlError extends Error {
  constructor(code, nvmlReturn, fn, message) {
    super(message || code);
    Object.assign(this, { code, nvmlReturn, fn });
  }
}

async function settle(p) {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, code: e.code, nvmlReturn: e.nvmlReturn, fn: e.fn, message: e.message };
  }
}

function usPerCall(n, f) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t) / 1e3 / n;
}

async function usPerAwait(n, f) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f();
  return Number(process.hrtime.bigint() - t) / 1e3 / n;
}

async function main() {
  const lib = process.argv[2] || process.env.NVML_LIBRARY_PATH || 'libnvidia-ml.so.1';
  const b = loadBinding();
  b.setErrorClass(NvmlError);
  const report = { library: lib };
  const opened = await b.open(lib, 0, true);
  report.path = opened.path;
  report.missingFunctions = Object.entries(opened.functions).filter(([, v]) => v === null).map(([k]) => k);
  report.fallbacks = Object.entries(opened.functions).filter(([k, v]) => v && v !== k).map(([k, v]) => `${k} -> ${v}`);
  const dev = await b.deviceGetHandleByIndex(0);
  // Interlock first: must reject before anything reaches NVML.
  report.interlock = await settle(b.deviceSetMigMode(dev, 1));
  if (report.interlock.ok || report.interlock.code !== 'ERR_NVML_READ_ONLY') throw new Error('read-only interlock failed');
  report.driverVersion = await b.systemGetDriverVersion();
  report.nvmlVersion = await b.systemGetNvmlVersion();
  report.cudaDriverVersion = await b.systemGetCudaDriverVersion();
  report.count = await b.deviceGetCount();
  report.name = await b.deviceGetName(dev);
  report.uuid = await b.deviceGetUuid(dev);
  report.byUuidSame = (await b.deviceGetHandleByUuid(report.uuid)) === dev;
  report.pci = await b.deviceGetPciInfo(dev);
  report.byPciSame = (await b.deviceGetHandleByPciBusId(report.pci.busId)) === dev;
  report.memory = await b.deviceGetMemoryInfo(dev);
  report.migMode = await b.deviceGetMigMode(dev);
  report.maxMigDeviceCount = await settle(b.deviceGetMaxMigDeviceCount(dev));
  report.isMig = await b.deviceIsMigDeviceHandle(dev);
  report.fields = await settle(b.deviceGetFieldValues(dev, [184, 199]));
  report.processes = await settle(b.deviceGetComputeRunningProcesses(dev));
  report.utilization = await settle(b.deviceGetUtilizationRates(dev));
  report.attributes = await settle(b.deviceGetAttributes(dev));
  report.supportedEvents = await settle(b.deviceGetSupportedEventTypes(dev).then(String));
  report.profiles = {};
  for (let index = 0; index < 64; index++) {
    const r = await settle(b.deviceGetGpuInstanceProfileInfo(dev, index, 0));
    report.profiles[index] = r.ok
      ? { id: r.value.id, name: r.value.name, v: r.value.structVersion, slices: r.value.sliceCount, inst: r.value.instanceCount, sm: r.value.multiprocessorCount, mem: r.value.memorySizeMB, caps: r.value.capabilities }
      : r.code;
    if (!r.ok && r.code === 'NVML_ERROR_INVALID_ARGUMENT') break;
  }
  // Each explicit struct version of index 0 (v2 and v3: same size, different layouts).
  report.versions = {};
  for (const v of [1, 2, 3]) {
    const r = await settle(b.deviceGetGpuInstanceProfileInfo(dev, 0, v));
    report.versions[v] = r.ok ? { id: r.value.id, name: r.value.name, mem: r.value.memorySizeMB, sm: r.value.multiprocessorCount, v: r.value.structVersion } : r.code;
  }
  report.byId19 = await settle(b.deviceGetGpuInstanceProfileInfoById(dev, 19, 0).then((p) => [p.id, p.name, p.structVersion]));
  report.placements = {};
  report.remaining = {};
  for (const p of Object.values(report.profiles)) {
    if (typeof p !== 'object') continue;
    const pl = await settle(b.deviceGetGpuInstancePossiblePlacements(dev, p.id));
    report.placements[p.id] = pl.ok ? pl.value.map((x) => `${x.start}:${x.size}`).join(',') : pl.code;
    const rc = await settle(b.deviceGetGpuInstanceRemainingCapacity(dev, p.id));
    report.remaining[p.id] = rc.ok ? rc.value : rc.code;
  }
  report.gpuInstances19 = await settle(b.deviceGetGpuInstances(dev, 19));
  report.migDevice0 = await settle(b.deviceGetMigDeviceHandleByIndex(dev, 0));
  const snap = await b.snapshot();
  report.snapshot = {
    ms: Number(snap.finishedNs - snap.startedNs) / 1e6,
    devices: snap.devices.map((d) => ({ name: d.name, migMode: d.migMode, gis: d.gpuInstances.length, migs: d.migDevices.length, procs: d.processes.length, util: d.utilization, errors: d.errors })),
  };
  report.errorString = { 19: b.errorString(19), 999: b.errorString(999), 12345: b.errorString(12345) };
  report.timingUs = {
    nameSync: usPerCall(2000, () => b.deviceGetNameSync(dev)),
    nameAwait: await usPerAwait(2000, () => b.deviceGetName(dev)),
    migModeSync: usPerCall(200, () => b.deviceGetMigModeSync(dev)),
    migModeAwait: await usPerAwait(200, () => b.deviceGetMigMode(dev)),
    profileInfoAwait: await usPerAwait(100, () => b.deviceGetGpuInstanceProfileInfo(dev, 0, 0)),
    snapshotSync: usPerCall(20, () => b.snapshotSync()),
  };
  const many = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 64 }, () => b.deviceGetMigMode(dev)));
  report.timingUs.migMode64Concurrent = Number(process.hrtime.bigint() - many) / 1e3;
  await b.close();
  report.staleAfterClose = await settle(b.deviceGetName(dev));
  const out = JSON.stringify(report, null, 1);
  console.log(out);
  if (process.env.OUT) fs.writeFileSync(path.join(process.env.OUT, 'native-real.json'), out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
