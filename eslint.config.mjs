// ESLint for the TypeScript and JavaScript of the package: lib/, test/, bench/, scripts/, esm/, examples/.
// The linters live in tools/lint (their own install: typescript-eslint needs the TypeScript 5 compiler API,
// the package builds with TypeScript 7), so this file resolves them from there. `npm run lint` installs
// them and runs this; `npm run format` fixes what can be fixed.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const lintRequire = createRequire(new URL('./tools/lint/package.json', import.meta.url));
const load = async (name) => (await import(pathToFileURL(lintRequire.resolve(name)).href)).default;

const js = await load('@eslint/js');
const tseslint = await load('typescript-eslint');
const globals = await load('globals');

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'build/**',
      'dist/**',
      'prebuilds/**',
      'coverage/**',
      'docs/api/**',
      'bench/out/**',
      'tools/**',
      '.device/**',
    ],
  },
  {
    files: ['{lib,test,bench,scripts,esm,examples}/**/*.{ts,mts,cts,js,mjs,cjs}', '*.{ts,mjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (a parameter kept for the signature, a skipped element).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.{ts,mts,cts}'],
    rules: {
      // Tests read JSON documents (CLI output, mock state) field by field and call the API with values its
      // types forbid, to prove the run-time checks; `any` is the honest type there. lib/ keeps the rule.
      '@typescript-eslint/no-explicit-any': 'off',
      // Expected text output (nvidia-smi tables, YAML) is matched with its literal column spacing.
      'no-regex-spaces': 'off',
    },
  },
  {
    // CommonJS: scripts, benchmarks, workers and fixtures that node runs as they are.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
