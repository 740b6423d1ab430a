// Opening the bundled mock library for a machine, and small readers the layout tests share.
import { resolve } from 'node:path';
import { init, type Nvml } from '../../dist/index.js';

export const MOCK_LIBRARY = resolve(__dirname, '../../build/Release/mock/libnvidia-ml.so.1');

/** A fresh mock node: NVML_MOCK_MACHINE is read at nvmlInit, and `reset` clears any earlier state. */
export async function openMock(machine: string): Promise<Nvml> {
  process.env.NVML_MOCK_MACHINE = machine;
  delete process.env.NVML_MOCK_STATE;
  const nvml = await init({ libraryPath: MOCK_LIBRARY });
  const r = await nvml.mockControl({ cmd: 'reset', machine });
  if (!r.ok) throw new Error(`mock reset failed: ${r.error}`);
  return nvml;
}

/** A reset hook for Ampere GPUs of the mock: a simulated GPU reset. */
export const mockReset = (nvml: Nvml) => async ({ gpu }: { gpu: number }) => {
  const r = await nvml.mockControl({ cmd: 'gpuReset', gpu });
  if (!r.ok) throw new Error(`gpuReset failed: ${r.error}`);
};

/** "gi/ci" → MIG UUID of every MIG device of a GPU. */
export async function migUuids(nvml: Nvml, gpu: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const md of await (await nvml.device(gpu)).migDevices()) {
    out.set(`${await md.gpuInstanceId()}/${await md.computeInstanceId()}`, await md.uuid());
  }
  return out;
}

/** GI id/profile/placement and CI id/profile/placement of a GPU, sorted, as text lines. */
export async function layoutLines(nvml: Nvml, gpu: number): Promise<string[]> {
  const dev = await nvml.device(gpu);
  if (!(await dev.migMode()).current) return [];
  const out: string[] = [];
  for (const gi of await dev.gpuInstances()) {
    for (const ci of await gi.computeInstances()) {
      out.push(`GI ${gi.id} p${gi.profileId}@${gi.placement.start}:${gi.placement.size} CI ${ci.id} p${ci.profileId}@${ci.placement.start}:${ci.placement.size}`);
    }
  }
  return out.sort();
}
