// The API reference: every @example in the TypeScript sources compiles against the package's
// public entry points, and `npm run docs` (TypeDoc) builds and finds a summary and an example on
// every public export.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, ok, tsc } from './helpers';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The ```ts blocks after each @example tag, without the comment's leading " * ". */
function examples(file: string): string[] {
  const found: string[] = [];
  const re = /\* @example\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g;
  for (const m of fs.readFileSync(file, 'utf8').matchAll(re)) {
    found.push(m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n'));
  }
  return found;
}

// Inside the package (ignored by git), so 'nvml-mig' resolves to this checkout by self-reference.
const dir = path.join(ROOT, 'tmp', `doc-examples-${process.pid}`);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('API documentation', () => {
  it('every @example compiles against the published entry points', () => {
    fs.mkdirSync(dir, { recursive: true });
    let n = 0;
    for (const file of sourceFiles(path.join(ROOT, 'lib'))) {
      for (const code of examples(file)) {
        fs.writeFileSync(path.join(dir, `${path.relative(ROOT, file).replace(/[/.]/g, '_')}_${n++}.mts`), `${code}\nexport {};\n`);
      }
    }
    expect(n).toBeGreaterThan(100);
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable'], strict: true, noEmit: true, types: ['node'] },
        include: ['*.mts'],
      }),
    );
    ok(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT, timeout: 120_000 });
  }, 120_000);

  it('no two @example blocks are the same: each teaches the export it documents', () => {
    const first = new Map<string, string>();
    const repeats: string[] = [];
    for (const file of sourceFiles(path.join(ROOT, 'lib'))) {
      for (const code of examples(file)) {
        const where = path.relative(ROOT, file);
        const seen = first.get(code.trim());
        if (seen) repeats.push(`${where} repeats an example of ${seen}`);
        else first.set(code.trim(), where);
      }
    }
    expect(first.size).toBeGreaterThan(100);
    expect(repeats).toEqual([]);
  });

  it('npm run docs builds the reference and every public export has a summary and an example', () => {
    const out = ok('npm', ['run', 'docs'], { cwd: ROOT, timeout: 300_000 });
    expect(out).toMatch(/\d+ public exports, each with a summary and an example/);
    expect(fs.existsSync(path.join(ROOT, 'docs', 'api', 'index.html'))).toBe(true);
  }, 300_000);
});
