// Types of esm/layout.mjs: the same declarations as the CommonJS build.
export * from '../dist/layout/index.js';
