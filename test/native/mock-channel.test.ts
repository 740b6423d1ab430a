// The mock's control channel (nvmlMockControl) is not an NVML function: functions() does not list
// it, on the mock either, while mockControl() reaches it. A library without it (a real driver, the
// old-NVML fixture in fallbacks.test.ts) rejects mockControl() with NVML_ERROR_FUNCTION_NOT_FOUND.
import { afterAll, describe, expect, it } from 'vitest';
import { b, control, openMock } from './helpers';

afterAll(() => b.close());

describe('the mock control channel, outside the production function table', () => {
  it('functions() lists NVML functions only; mockControl still works on the mock', async () => {
    await openMock();
    const names = Object.keys(b.functions());
    expect(names.length).toBeGreaterThan(40);
    expect(names).not.toContain('nvmlMockControl');
    expect(names.every((n) => /^nvml(Init|Shutdown|System|Device|GpuInstance|ComputeInstance|Event|Gpm)/.test(n))).toBe(true);
    expect((await control({ cmd: 'state' })).state.gpus.length).toBeGreaterThan(0);
  });
});
