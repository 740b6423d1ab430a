// No import cycles in lib/: modules load in one order (in a cycle, one side sees the other's
// bindings undefined while it initialises). Type-only imports are erased by the compiler and do not
// count. The graph is read from the sources' static `import ... from './x'` and `export ... from`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The lib/ modules a file loads at run time (value imports and re-exports of relative paths). */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+'(\.[^']+)';/gms;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const names = m[3].replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    if (m[3].startsWith('{') && names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    const target = path.resolve(path.dirname(file), m[4].replace(/\.js$/, ''));
    out.push(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'));
  }
  return out;
}

function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      const c = visit(g);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('lib/ module graph', () => {
  const graph = new Map(sources(LIB).map((f) => [f, valueImports(f)]));

  it('is read: the entry loads the facade modules', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get(path.join(LIB, 'index.ts'))).toContain(path.join(LIB, 'nvml.ts'));
  });

  it('has no import cycle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(LIB, f)).join(' → ') ?? null).toBeNull();
  });

  it('would see one (the detector works)', () => {
    const a = path.join(LIB, 'a.ts');
    const b = path.join(LIB, 'b.ts');
    expect(findCycle(new Map([[a, [b]], [b, [a]]]))).toEqual([a, b, a]);
  });
});
