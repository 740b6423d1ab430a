import { defineConfig } from 'vitest/config';

// Tests import the compiled package from dist/ and Node loads it natively (not Vite's
// transform), so the suite exercises exactly what ships, with one copy of the JS layer.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    server: { deps: { external: [/\/dist\//] } },
  },
});
