// Types of esm/testing.mjs: the same declarations as the CommonJS build.
export * from '../dist/testing/index.js';
