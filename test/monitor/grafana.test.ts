// The Grafana dashboard in examples/ asks only for series the exporter serves, with labels they carry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Monitor, startExporter } from '../../dist/monitor/index.js';
import { ROOT, get, parseExposition, useMock } from './helpers';

const mock = useMock('h100-80gb');

describe('examples/grafana-mig-activity.json', () => {
  it('every query names an exported metric, and every label it filters or shows exists on it', async () => {
    const dash = JSON.parse(readFileSync(join(ROOT, 'examples', 'grafana-mig-activity.json'), 'utf8'));
    const gpu = await mock.nvml.device(0);
    await gpu.setMigMode(true);
    const gi = await gpu.createGpuInstance(14);
    await gi.createComputeInstance(1);
    await mock.nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: gi.id, load: 0.5 });
    const monitor = new Monitor(mock.nvml, { activityIntervalMs: 100 });
    const exporter = await startExporter(mock.nvml, { port: 0, intervalMs: 100, monitor });
    try {
      let series = parseExposition((await get(exporter.url)).text);
      for (let i = 0; i < 50 && !series.some((s) => s.name === 'DCGM_FI_PROF_SM_ACTIVE' && s.labels.GPU_I_ID); i++) {
        await exporter.nextRefresh();
        series = parseExposition((await get(exporter.url)).text);
      }
      const targets = dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ expr: t.expr as string, legend: (t.legendFormat ?? '') as string })));
      expect(targets.length).toBeGreaterThanOrEqual(11);
      for (const { expr, legend } of targets) {
        const m = /^([A-Za-z_:][A-Za-z0-9_:]*)\{(.*)\}$/.exec(expr);
        expect(m, expr).not.toBeNull();
        const [, name, selector] = m!;
        const matching = series.filter((s) => s.name === name);
        expect(matching.length, `${name} is exported`).toBeGreaterThan(0);
        // Labels the query filters on (instance comes from Prometheus) and the legend shows.
        const used = new Set([...selector.matchAll(/([A-Za-z_]+)(?:=~|!=|=)/g)].map((x) => x[1]), );
        for (const l of legend.matchAll(/\{\{(\w+)\}\}/g)) used.add(l[1]);
        used.delete('instance');
        for (const label of used) expect(matching.some((s) => label in s.labels), `${name} carries ${label}`).toBe(true);
        // Per-instance panels select series with a GPU_I_ID, per-GPU panels those without.
        if (selector.includes('GPU_I_ID!=""')) expect(matching.some((s) => s.labels.GPU_I_ID)).toBe(true);
      }
    } finally {
      await exporter.close();
      await monitor.close();
    }
  });
});
