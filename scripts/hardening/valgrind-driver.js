// The workload scripts/hardening/valgrind.sh runs under memcheck: vitest (a runner process plus
// forked workers, JIT-heavy) is too slow under valgrind, so this drives the same native paths
// directly: open/close cycles, every function of the raw surface with valid arguments (Promise and
// Sync forms), GI/CI churn with and without placements, events, snapshots, stale and wrong-kind
// handles, hostile arguments and control requests, and a fault (three codes) injected into every
// bound function while a full read sweep runs. Usage: node valgrind-driver.js <package root> [rounds]
'use strict';
const path = require('node:path');
const root = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
const rounds = Number(process.argv[3] || 2);
const { loadBinding } = require(path.join(root, 'dist', 'binding.js'));
const MOCK = path.join(root, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');
const LEGACY = path.join(root, 'build', 'Release', 'mock-legacy', 'libnvidia-ml.so.1');

class DriverError extends Error {
  constructor(code, nvmlReturn, fn, message) {
    super(message || code);
    this.code = code;
    this.nvmlReturn = nvmlReturn;
    this.fn = fn;
  }
}
const b = loadBinding();
b.setErrorClass(DriverError);
const stats = { calls: 0, ok: 0, nvmlError: 0, typeError: 0, rangeError: 0 };

async function attempt(f) {
  stats.calls++;
  try {
    await f();
    stats.ok++;
  } catch (e) {
    if (e instanceof DriverError) stats.nvmlError++;
    else if (e instanceof RangeError) stats.rangeError++;
    else if (e instanceof TypeError) stats.typeError++;
    else throw e;
  }
}

const control = async (req) => JSON.parse(await b.mockControl(JSON.stringify(req)));

/** A MIG layout on GPU 0 of a 2-GPU H100 node; returns handles of every kind. The legacy mock
 *  has no *WithPlacement calls: placed=false there. */
async function layout(placed) {
  await control({ cmd: 'reset', machine: 'h100-80gb:2' });
  const dev = await b.deviceGetHandleByIndex(0);
  const plain = await b.deviceGetHandleByIndex(1);
  await b.deviceSetMigMode(dev, 1);
  const gi = placed ? await b.deviceCreateGpuInstance(dev, 9, { start: 4, size: 4 }) : await b.deviceCreateGpuInstance(dev, 9);
  const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
  if (placed) await b.gpuInstanceCreateComputeInstance(gi, 0, { start: 1, size: 1 });
  const small = placed ? await b.deviceCreateGpuInstance(dev, 19, { start: 0, size: 1 }) : await b.deviceCreateGpuInstance(dev, 19);
  await b.gpuInstanceCreateComputeInstance(small, 0);
  const mig = await b.deviceGetMigDeviceHandleByIndex(dev, 0);
  await control({ cmd: 'addProcess', gpu: 1, pid: 4242, name: 'python', usedMemoryMiB: 1024 });
  await control({ cmd: 'addProcess', gpu: 0, pid: 4243, name: 'train', usedMemoryMiB: 512, gi: 2, ci: 0 });
  return { dev, plain, gi, ci, small, mig };
}

/** Every read of the raw surface, Promise and Sync forms. */
async function sweep(h) {
  const reads = [
    () => b.systemGetDriverVersion(), () => b.systemGetNvmlVersion(), () => b.systemGetCudaDriverVersion(),
    () => b.deviceGetCount(), () => b.deviceGetHandleByIndex(1),
    async () => b.deviceGetHandleByUuid(await b.deviceGetUuid(h.dev)),
    async () => b.deviceGetHandleByUuid(await b.deviceGetUuid(h.mig)),
    async () => b.deviceGetHandleByPciBusId((await b.deviceGetPciInfo(h.dev)).busId),
    () => b.deviceGetName(h.mig), () => b.deviceGetIndex(h.dev), () => b.deviceGetMinorNumber(h.dev),
    () => b.deviceGetMemoryInfo(h.mig), () => b.deviceGetUtilizationRates(h.plain),
    () => b.deviceGetComputeRunningProcesses(h.plain), () => b.deviceGetComputeRunningProcesses(h.mig),
    () => b.deviceGetFieldValues(h.dev, [184, 199, 1, 4294967295]), () => b.deviceGetMigMode(h.dev),
    () => b.deviceGetGpuInstanceProfileInfo(h.dev, 0, 0), () => b.deviceGetGpuInstanceProfileInfo(h.dev, 9, 1),
    () => b.deviceGetGpuInstanceProfileInfo(h.dev, 2, 2), () => b.deviceGetGpuInstanceProfileInfoById(h.dev, 19, 0),
    () => b.deviceGetGpuInstancePossiblePlacements(h.dev, 19), () => b.deviceGetGpuInstanceRemainingCapacity(h.dev, 14),
    () => b.deviceGetGpuInstances(h.dev, 9), () => b.deviceGetGpuInstanceById(h.dev, 2), () => b.gpuInstanceGetInfo(h.gi),
    () => b.gpuInstanceGetComputeInstanceProfileInfo(h.gi, 0, 0, 0), () => b.gpuInstanceGetComputeInstanceProfileInfo(h.gi, 2, 0, 1),
    () => b.gpuInstanceGetComputeInstanceRemainingCapacity(h.gi, 0), () => b.gpuInstanceGetComputeInstancePossiblePlacements(h.gi, 0),
    () => b.gpuInstanceGetComputeInstances(h.gi, 0), () => b.gpuInstanceGetComputeInstanceById(h.gi, 0),
    () => b.computeInstanceGetInfo(h.ci), () => b.deviceIsMigDeviceHandle(h.mig), () => b.deviceGetGpuInstanceId(h.mig),
    () => b.deviceGetComputeInstanceId(h.mig), () => b.deviceGetMaxMigDeviceCount(h.dev),
    () => b.deviceGetMigDeviceHandleByIndex(h.dev, 5), () => b.deviceGetDeviceHandleFromMigDeviceHandle(h.mig),
    () => b.deviceGetAttributes(h.mig), () => b.deviceGetSupportedEventTypes(h.dev),
    async () => {
      const set = await b.eventSetCreate();
      await b.deviceRegisterEvents(h.dev, await b.deviceGetSupportedEventTypes(h.dev), set);
      await b.eventSetWait(set, 0);
      await b.eventSetFree(set);
    },
    () => b.snapshot(), () => b.snapshotSync(), () => b.deviceGetCountSync(), () => b.deviceGetHandleByIndexSync(0),
    () => b.deviceGetNameSync(h.dev), () => b.deviceGetUuidSync(h.mig), () => b.deviceGetMemoryInfoSync(h.dev),
    () => b.deviceGetMigModeSync(h.dev), () => b.deviceGetComputeRunningProcessesSync(h.plain),
    () => b.mockControlSync(JSON.stringify({ cmd: 'state' })), () => b.errorString(15), () => b.errorString(123456),
    () => b.functions(), () => b.pendingCalls(),
  ];
  await Promise.all(reads.map(attempt));
  return reads.length;
}

/** Mutations, stale and wrong-kind handles, hostile arguments. */
async function churn(h) {
  for (let i = 0; i < 3; i++) {
    const gi = await b.deviceCreateGpuInstance(h.dev, 19);
    const ci = await b.gpuInstanceCreateComputeInstance(gi, 0);
    await b.computeInstanceDestroy(ci);
    await b.gpuInstanceDestroy(gi);
    await attempt(() => b.gpuInstanceGetInfo(gi)); // stale
    await attempt(() => b.computeInstanceGetInfo(ci));
  }
  const hostile = [undefined, null, NaN, -1, 2 ** 53, 'x\0y', 'GPU-' + 'f'.repeat(10000), {}, [], 1n, Symbol('s'),
    { get start() { throw new TypeError('getter'); } }, h.gi, h.ci, h.mig, h.dev];
  const names = Object.keys(b).filter((k) => typeof b[k] === 'function' && !/^(setErrorClass|open|close|eventSetWait)/.test(k));
  for (const name of names) {
    for (const x of hostile) await attempt(() => b[name](x, x, x));
  }
  for (const junk of ['', '[', '{"cmd":', '{"cmd":"nope"}', '[' .repeat(50000), JSON.stringify({ cmd: 'setFault', fn: 'x', code: -1 })]) {
    await attempt(() => b.mockControl(junk));
  }
  await attempt(() => b.deviceSetMigMode(h.dev, 0)); // IN_USE: GIs exist
}

async function faults(h) {
  const fns = Object.keys(b.functions()).filter((f) => !/^nvml(Init|Shutdown|MockControl)/.test(f));
  let n = 0;
  for (const fn of fns) {
    for (const code of [0, 15, 999]) {
      await control({ cmd: 'setFault', fn, code, always: true });
      n += await sweep(h);
      await control({ cmd: 'clearFaults' });
    }
  }
  return { fns: fns.length, calls: n };
}

(async () => {
  const t0 = Date.now();
  let faultCalls = 0;
  let faultFns = 0;
  for (let r = 0; r < rounds; r++) {
    for (const lib of [MOCK, LEGACY]) {
      await b.open(lib, 0, false);
      const h = await layout(lib === MOCK);
      await sweep(h);
      await churn(h);
      if (lib === MOCK && r === 0) {
        const f = await faults(h);
        faultCalls += f.calls;
        faultFns = f.fns;
      }
      // close() with calls in flight, then calls after it.
      const inFlight = Array.from({ length: 200 }, () => attempt(() => b.deviceGetName(h.dev)));
      await b.close();
      await Promise.all(inFlight);
      await attempt(() => b.deviceGetName(h.dev));
    }
  }
  await attempt(() => b.open('/nonexistent/libnvidia-ml.so.1', 0, false));
  await attempt(() => b.open('/etc/passwd', 0, false));
  console.log(JSON.stringify({ rounds, ...stats, faultFunctions: faultFns, faultSweepCalls: faultCalls, seconds: (Date.now() - t0) / 1000 }));
})().catch((e) => {
  console.error('driver failed:', e);
  process.exit(2);
});
