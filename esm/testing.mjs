// ESM entry of nvml-mig/testing: the bundled mock for tests. It re-exports the CommonJS build instead of
// being a second build, so `import` and `require` share one copy of the JS layer: one NvmlError
// class for instanceof, one init() reference count, one loaded addon.
// test/package/module-systems.test.ts checks that these names equal the CommonJS exports.
import cjs from '../dist/testing/index.js';

export const {
  MockControl, legacyMockLibraryPath, mockControl, mockLibraryPath, startMock,
} = cjs;
