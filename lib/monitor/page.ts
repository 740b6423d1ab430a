// The exporter's page at `/`: one self-contained HTML document (no external assets) that fetches
// /layout.json (the exporter's cache) every refresh interval and draws each GPU's memory-slot grid
// with its GPU instances at their placements, their compute instances, processes and activity, and
// the free capacity per GPU instance profile.

/** @internal the HTML of `/`; `refreshMs` is how often it re-reads /layout.json */
export function pageHtml(refreshMs: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nvml-mig: MIG layout</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:16px;background:#f6f7f9;color:#1b1f24}
h1{font-size:18px;margin:0 0 12px}
.gpu{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px;margin-bottom:16px}
.gpu h2{font-size:15px;margin:0 0 8px}
.meta{color:#57606a;font-size:12px}
.grid{display:grid;gap:4px;margin:8px 0;position:relative}
.slot{grid-row:1;border:1px dashed #afb8c1;border-radius:4px;min-height:150px;color:#8c959f;font-size:11px;padding:2px 4px}
.gi{grid-row:1;z-index:1;background:#ddf4ff;border:2px solid #0969da;border-radius:6px;padding:6px;overflow:hidden;min-height:136px}
.gi h3{font-size:13px;margin:0 0 4px}
.ci{background:#fff;border:1px solid #54aeff;border-radius:4px;padding:2px 4px;margin:2px 0;font-size:11px}
.proc{font-size:11px;color:#0a3069}
.bar{height:8px;background:#eaeef2;border-radius:4px;margin:2px 0 4px;overflow:hidden}
.bar>i{display:block;height:100%;background:#1f883d}
.act{font-size:11px}
.free{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.free span{background:#eaeef2;border-radius:10px;padding:2px 8px;font-size:12px}
.off{color:#57606a}
</style></head>
<body><h1>MIG layout <span class="meta" id="updated"></span> <span class="meta">· Prometheus metrics at <a href="metrics">/metrics</a></span></h1><div id="gpus">loading…</div>
<script>
'use strict';
const NAMES = { smActivity: 'SM', graphicsActivity: 'GR', tensorActivity: 'tensor', dramActivity: 'DRAM' };
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function activity(parent, a) {
  if (!a) { parent.appendChild(el('div', 'act off', 'activity: n/a')); return; }
  for (const k of Object.keys(NAMES)) {
    const v = a[k]; if (v === null || v === undefined) continue;
    const row = el('div', 'act', NAMES[k] + ' ' + v.toFixed(1) + '%'); row.dataset.metric = k; row.dataset.value = String(v);
    const bar = el('div', 'bar'); const fill = el('i'); fill.style.width = Math.min(100, Math.max(0, v)) + '%'; bar.appendChild(fill);
    parent.appendChild(row); parent.appendChild(bar);
  }
}
function draw(view) {
  const root = document.getElementById('gpus'); root.textContent = '';
  document.getElementById('updated').textContent = 'read ' + new Date(view.timestamp).toLocaleTimeString();
  for (const g of view.gpus) {
    const box = el('section', 'gpu'); box.dataset.gpu = String(g.index);
    box.appendChild(el('h2', '', 'GPU ' + g.index + ': ' + (g.name || '?')));
    box.appendChild(el('div', 'meta', (g.uuid || '') + ' · MIG ' + (g.migEnabled === null ? 'not supported' : g.migEnabled ? 'enabled' : 'disabled')));
    if (!g.migEnabled) {
      box.appendChild(el('div', 'meta', 'processes: ' + (g.processes.map((p) => p.pid).join(', ') || 'none')));
      activity(box, g.activity); root.appendChild(box); continue;
    }
    activity(box, g.activity);
    const slots = g.memorySlots || 8;
    const grid = el('div', 'grid'); grid.style.gridTemplateColumns = 'repeat(' + slots + ', minmax(0, 1fr))';
    for (let s = 0; s < slots; s++) { const c = el('div', 'slot', 'slot ' + s); c.style.gridColumn = String(s + 1); c.dataset.slot = String(s); grid.appendChild(c); }
    for (const gi of g.gpuInstances) {
      const b = el('div', 'gi'); b.dataset.giId = String(gi.id); b.dataset.start = String(gi.placement.start); b.dataset.size = String(gi.placement.size);
      b.style.gridColumn = (gi.placement.start + 1) + ' / span ' + gi.placement.size;
      b.appendChild(el('h3', '', 'GI ' + gi.id + ' · ' + gi.profile));
      for (const ci of gi.computeInstances) { const c = el('div', 'ci', 'CI ' + ci.id + ' (slices ' + ci.placement.start + '+' + ci.placement.size + ')'); c.dataset.ciId = String(ci.id); c.title = ci.uuid || ''; b.appendChild(c); }
      for (const p of gi.processes) { const q = el('div', 'proc', 'pid ' + p.pid + (p.usedMiB === null ? '' : ' · ' + Math.round(p.usedMiB) + ' MiB')); q.dataset.pid = String(p.pid); b.appendChild(q); }
      activity(b, gi.activity);
      grid.appendChild(b);
    }
    box.appendChild(grid);
    const free = el('div', 'free');
    for (const p of g.profiles) { const f = el('span', '', p.name + ': ' + (p.free === null ? '?' : p.free) + ' free'); f.dataset.profile = p.name; f.dataset.free = String(p.free); free.appendChild(f); }
    box.appendChild(free); root.appendChild(box);
  }
  document.body.dataset.timestamp = String(view.timestamp);
}
async function tick() {
  try { const r = await fetch('layout.json', { cache: 'no-store' }); if (r.ok) draw(await r.json()); } catch (e) { /* the next tick retries */ }
  setTimeout(tick, ${Math.max(250, Math.round(refreshMs))});
}
tick();
</script></body></html>
`;
}
