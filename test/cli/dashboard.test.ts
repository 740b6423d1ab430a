// The bare dashboard's power cell, against what nvidia-smi 580.159.04 printed: on the mock (the
// models' idle milliwatts) and on a real H200 (usage and cap).
import { afterAll, describe, expect, it } from 'vitest';
import { formatDashboard, wattsCell, type Dashboard, type DashboardGpu } from '../../lib/cli/dashboard';
import { Sim } from './helpers';

const gpu = (powerW: number | null): DashboardGpu => ({
  index: 0, name: 'NVIDIA H200', busId: '00000000:07:00.0', powerW, memoryUsedMiB: 0, memoryTotalMiB: 143771, utilization: 0,
  migMode: { current: false, pending: false },
});
const dashboard = (powerW: number | null): Dashboard => ({
  time: new Date(2026, 11, 3, 19, 21, 18), driverVersion: '580.159.04', cudaVersion: 13000, gpus: [gpu(powerW)], migDevices: [], processes: [],
});
const powerLine = (text: string): string => text.split('\n')[9];
const powerRow = (r: { stdout: string }, i = 0): string => r.stdout.split('\n').filter((l) => l.startsWith('| N/A   N/A  N/A '))[i];

describe('power usage in the dashboard', () => {
  it('prints whole watts, truncated, where nvidia-smi 580 prints them', () => {
    // The mock's H200 answers 80968 mW; nvidia-smi 580 printed 80W (h200-off, h200-mixed).
    expect(powerLine(formatDashboard(dashboard(80.968)))).toBe('| N/A   N/A  N/A              80W /  N/A  |       0MiB / 143771MiB |      0%          N/A |');
    expect(powerLine(formatDashboard(dashboard(null)))).toBe('| N/A   N/A  N/A             N/A  /  N/A  |       0MiB / 143771MiB |      0%          N/A |');
    expect(wattsCell(52, 16)).toBe('             52W');
    expect(wattsCell(80.999, 16)).toBe('             80W');
    // A real H200: `| N/A   39C    P0             84W /  700W |`.
    expect(`${wattsCell(84, 16)} / ${wattsCell(700, 5)} `).toBe('             84W /  700W ');
    expect(`${wattsCell(null, 16)} / ${wattsCell(null, 5)} `).toBe('            N/A  /  N/A  ');
  });

  const sims: Sim[] = [];
  afterAll(() => sims.forEach((s) => s.cleanup()));

  it('reads each GPU\'s power usage from NVML, with MIG on or off', () => {
    const sim = new Sim('a100-40gb:1,a30:1,h100-80gb:1');
    sims.push(sim);
    expect(sim.run('-i', '2', '-mig', '1').code).toBe(0);
    const r = sim.run();
    expect(r.code).toBe(0);
    expect([0, 1, 2].map((i) => powerRow(r, i).slice(0, 43))).toEqual([
      '| N/A   N/A  N/A              52W /  N/A  |',
      '| N/A   N/A  N/A              33W /  N/A  |',
      '| N/A   N/A  N/A              72W /  N/A  |', // MIG enabled: still the board's draw
    ]);
    expect(sim.json().doc.dashboard.gpus.map((g: DashboardGpu) => g.powerW)).toEqual([52, 33, 72]);
  });

  it('prints N/A where NVML answers NOT_SUPPORTED or another error', () => {
    const sim = new Sim('h200');
    sims.push(sim);
    for (const code of [3, 999]) {
      const r = sim.runEnv({ NVML_MOCK_FAULTS: `nvmlDeviceGetPowerUsage=${code}` });
      expect(r.code, `NVML code ${code}`).toBe(0);
      expect(powerRow(r).slice(0, 43), `NVML code ${code}`).toBe('| N/A   N/A  N/A             N/A  /  N/A  |');
    }
    expect(powerRow(sim.run()).slice(0, 43)).toBe('| N/A   N/A  N/A              80W /  N/A  |');
  });
});
