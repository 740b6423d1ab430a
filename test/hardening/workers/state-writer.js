// One of many processes mutating one NVML_MOCK_STATE file: unique pids onto GPU 1, GPU instance
// churn on GPU 0, then one GI it keeps. Prints {pids, kept}. With "loop" it writes until killed.
const { init } = require(process.argv[2]);
const [, , , mock, mode, idText] = process.argv;
const id = Number(idText);

(async () => {
  const nvml = await init({ libraryPath: mock });
  const pids = [];
  if (mode === 'loop') {
    // Until SIGKILL: every iteration rewrites the state file (add, then remove, a process).
    for (let i = 0; ; i++) {
      const pid = 100000 + id * 1000 + (i % 1000);
      await nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid, name: 'writer', usedMemoryMiB: 1 });
      await nvml.mockControl({ cmd: 'removeProcess', pid });
      if (i === 0) process.stdout.write('writing\n');
    }
  }
  const dev = await nvml.device(0);
  for (let i = 0; i < 20; i++) {
    const pid = 10000 + id * 100 + i;
    await nvml.mockControl({ cmd: 'addProcess', gpu: 1, pid, name: `p${id}`, usedMemoryMiB: 1 });
    pids.push(pid);
    // Churn: a GI created and destroyed by this process, racing the others for slots.
    const gi = await dev.createGpuInstance(19).catch(() => null);
    if (gi) await gi.destroy();
  }
  let kept = null;
  for (let attempt = 0; attempt < 50 && kept === null; attempt++) {
    kept = await dev.createGpuInstance(19).then((g) => g.id, () => null);
  }
  await nvml.shutdown();
  process.stdout.write(JSON.stringify({ pids, kept }) + '\n');
})().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: String((e && e.stack) || e) }) + '\n');
  process.exitCode = 1;
});
