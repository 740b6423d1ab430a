// Types of esm/index.mjs: the same declarations as the CommonJS build.
export * from '../dist/index.js';
