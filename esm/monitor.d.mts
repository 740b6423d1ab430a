// Types of esm/monitor.mjs: the same declarations as the CommonJS build.
export * from '../dist/monitor/index.js';
