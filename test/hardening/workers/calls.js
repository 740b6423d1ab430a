// A worker thread that loads the package (and so the addon) on its own, opens the mock and runs
// a batch of mixed calls; it posts a summary, or keeps calls in flight when asked to be killed.
const { parentPort, workerData } = require('node:worker_threads');
const { init, isNvmlError } = require(workerData.dist);

(async () => {
  const nvml = await init({ libraryPath: workerData.mock });
  const dev = await nvml.device(0);
  const counts = { ok: 0, nvmlError: 0, other: 0 };
  const work = [];
  for (let i = 0; i < workerData.calls; i++) {
    const k = i % 6;
    const p =
      k === 0 ? dev.name() :
      k === 1 ? dev.migMode() :
      k === 2 ? dev.gpuInstances() :
      k === 3 ? dev.memoryInfo() :
      k === 4 ? dev.createGpuInstance(19).then((gi) => gi.destroy()) :
      nvml.deviceCount();
    work.push(p.then(() => counts.ok++, (e) => (isNvmlError(e) ? counts.nvmlError++ : counts.other++)));
  }
  if (workerData.hold) {
    // Calls are in flight: the parent terminates this thread now.
    parentPort.postMessage({ inFlight: work.length });
    return;
  }
  await Promise.all(work);
  await nvml.shutdown();
  parentPort.postMessage(counts);
})().catch((e) => parentPort.postMessage({ fatal: String(e && e.stack || e) }));
