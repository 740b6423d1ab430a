// The exporter's page in a real browser (Debian's chromium through playwright-core) on the mock:
// the drawn GPU instances sit at their placements on the memory-slot grid, with their compute
// instances, processes, activity and the free capacity per profile; a change made with the CLI
// (another process sharing the mock's state file) shows up without reloading; viewers cause no
// driver calls. SCREENSHOT=path also writes a PNG of the page (docs/monitoring.md shows one).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const MOCK = join(ROOT, 'build', 'Release', 'mock', 'libnvidia-ml.so.1');
const dir = mkdtempSync(join(tmpdir(), 'nvml-mig-page-'));
const STATE = join(dir, 'state.json');
// The exporter in this process and the CLI in children share this simulated machine.
process.env.NVML_MOCK_STATE = STATE;
process.env.NVML_MOCK_MACHINE = 'h100-80gb';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), '--mock', 'h100-80gb', '--mock-state', STATE, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`nvml-mig ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

describe.skipIf(!existsSync(CHROMIUM))('the exporter page in chromium', () => {
  let browser: BrowserContext;
  let page: Page;
  let close: () => Promise<void>;
  let url = '';
  let nvml: import('../../dist/index.js').Nvml;

  beforeAll(async () => {
    cli('-i', '0', '-mig', '1');
    cli('mig', '-cgi', '9,14', '-C'); // a 3g and a 2g GI, placed by the (simulated) driver
    const { init } = await import('../../dist/index.js');
    const { Monitor, startExporter } = await import('../../dist/monitor/index.js');
    nvml = await init({ libraryPath: MOCK });
    const gis = await (await nvml.device(0)).gpuInstances();
    const g2 = gis.find((g) => g.profileId === 14)!;
    await nvml.mockControl({ cmd: 'addProcess', gpu: 0, pid: 4242, name: 'train', usedMemoryMiB: 2048, gi: g2.id, ci: 0 });
    await nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: g2.id, load: 0.6, tensor: 0.35 });
    await nvml.mockControl({ cmd: 'setLoad', gpu: 0, gi: gis.find((g) => g.profileId === 9)!.id, load: 0.2 });
    await new Promise((r) => setTimeout(r, 110)); // the mock's GPM counters tick every 100 ms
    const monitor = new Monitor(nvml, { activityIntervalMs: 200 });
    const exporter = await startExporter(nvml, { port: 0, intervalMs: 250, monitor });
    url = exporter.url.replace(/metrics$/, '');
    close = async () => {
      await exporter.close();
      await monitor.close();
      await nvml.shutdown();
    };
    const { chromium } = await import('playwright-core');
    // A fresh profile (playwright passes it as --user-data-dir) for every run.
    browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 720 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The drawn GI boxes: id, placement from the data, and where the browser put them on the grid. */
  const measure = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('section[data-gpu="0"] .gi')].map((e) => {
        const grid = e.parentElement!.getBoundingClientRect();
        const r = e.getBoundingClientRect();
        return { id: Number(e.dataset.giId), start: Number(e.dataset.start), size: Number(e.dataset.size), left: (r.left - grid.left) / grid.width, width: r.width / grid.width, text: e.textContent ?? '' };
      }),
    );
  /** The drawn GI boxes once laid out: id, placement from the data, where the browser put them on the grid. */
  const drawn = async () => {
    for (let i = 0; ; i++) {
      const boxes = await measure();
      if (boxes.every((b) => b.width > 0) || i > 50) return boxes;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('draws every GPU instance at its placement, with CIs, processes, activity and free capacity', async () => {
    await page.goto(url);
    await page.waitForSelector('section[data-gpu="0"] .gi [data-metric="smActivity"]', { timeout: 15_000 });
    const layout = (await (await nvml.device(0)).gpuInstances()).map((g) => ({ id: g.id, ...g.placement })).sort((a, b) => a.start - b.start);
    const boxes = (await drawn()).sort((a, b) => a.start - b.start);
    expect(boxes.map(({ id, start, size }) => ({ id, start, size }))).toEqual(layout);
    for (const b of boxes) {
      // 8 memory slots across the grid (4 px gaps): the box starts at start/8 and spans size/8.
      expect(b.left).toBeCloseTo(b.start / 8, 1);
      expect(b.width).toBeCloseTo(b.size / 8, 1);
    }
    const g2 = boxes.find((b) => b.size === 2)!;
    expect(g2.text).toContain('2g.20gb');
    expect(g2.text).toContain('CI 0');
    expect(g2.text).toContain('pid 4242');
    // Activity arrives on the monitor's schedule; wait for a full window.
    await page.waitForFunction(() => {
      const v = document.querySelector('.gi[data-size="2"] [data-metric="smActivity"]') as HTMLElement | null;
      return v !== null && Math.abs(Number(v.dataset.value) - 60) < 0.01;
    }, undefined, { timeout: 15_000 });
    expect(await page.$eval('.gi[data-size="2"] [data-metric="tensorActivity"]', (e) => Number((e as HTMLElement).dataset.value))).toBeCloseTo(35, 2);
    const free = await page.$$eval('section[data-gpu="0"] .free span', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.profile, (e as HTMLElement).dataset.free])));
    const gpu = await nvml.device(0);
    for (const p of await gpu.gpuInstanceProfiles()) expect(free[p.shortName]).toBe(String(await gpu.gpuInstanceRemainingCapacity(p.id)));
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  }, 60_000);

  it('a GPU instance created with the CLI shows up at its placement; viewers make no driver calls', async () => {
    const before = (await drawn()).length;
    cli('mig', '-cgi', '19', '-C');
    await page.waitForFunction((n) => document.querySelectorAll('section[data-gpu="0"] .gi').length === n + 1, before, { timeout: 15_000 });
    const layout = (await (await nvml.device(0)).gpuInstances()).map((g) => ({ id: g.id, ...g.placement })).sort((a, b) => a.start - b.start);
    expect((await drawn()).map(({ id, start, size }) => ({ id, start, size })).sort((a, b) => a.start - b.start)).toEqual(layout);
    const oneG = (await drawn()).find((b) => b.size === 1)!;
    expect(oneG.left).toBeCloseTo(oneG.start / 8, 1);
    // Many viewers, no NVML call: the page and its data come from the exporter's cache.
    await nvml.mockControl({ cmd: 'clearCallLog' });
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      await fetch(url);
      await fetch(`${url}layout.json`);
    }
    const calls = ((await nvml.mockControl({ cmd: 'callLog' })).calls as Array<{ fn: string }>).filter((c) => c.fn !== 'nvmlMockControl');
    // The refresh loop (every 250 ms) and the activity sampler may have run meanwhile: allow only their reads.
    const refreshes = Math.ceil((Date.now() - t0) / 250) + 1;
    expect(calls.filter((c) => c.fn === 'nvmlDeviceGetCount_v2').length).toBeLessThanOrEqual(refreshes);
  }, 60_000);
});
