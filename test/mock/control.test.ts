// The control channel and the test features: faults (nth / always / seeded probability, from the
// control call and from NVML_MOCK_FAULTS), latency, unprivileged mode, the call log, events,
// reference-counted init, error strings, and the environment read by a fresh process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { MOCK_PATH, NVML, ok, openLibrary } from './abi';

const m = openLibrary();
expect(m.init()).toBe(0);
const OPS = fileURLToPath(new URL('./clients/nvml_ops.py', import.meta.url));

/** Runs the ctypes client in a fresh process with the given environment. */
function ops(env: Record<string, string>, ...args: string[]): any[] {
  const out = execFileSync('python3', [OPS, MOCK_PATH, ...args], {
    env: { ...process.env, NVML_MOCK_STATE: '', NVML_MOCK_FAULTS: '', NVML_MOCK_LATENCY_US: '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

function fresh(machine = 'h100-80gb') {
  expect(m.control({ cmd: 'reset', machine }).ok).toBe(true);
  m.control({ cmd: 'clearCallLog' });
  return ok(m.device(0));
}

describe('faults', () => {
  beforeEach(() => {
    fresh();
  });

  it('nth call only', () => {
    const dev = ok(m.device(0));
    m.setMigMode(dev, 1);
    expect(m.control({ cmd: 'setFault', fn: 'nvmlDeviceCreateGpuInstance', code: 23, nth: 2 }).ok).toBe(true);
    expect(m.createGi(dev, 19).ret).toBe(0);
    expect(m.createGi(dev, 19).ret).toBe(NVML.INSUFFICIENT_RESOURCES);
    expect(m.createGi(dev, 19).ret).toBe(0);
    // the faulted call changed nothing
    expect(ok(m.gis(dev, 19)).length).toBe(2);
  });

  it('always, until cleared', () => {
    const dev = ok(m.device(0));
    m.control({ cmd: 'setFault', fn: 'nvmlDeviceGetName', code: 999, always: true });
    expect(m.name(dev).ret).toBe(NVML.UNKNOWN);
    expect(m.name(dev).ret).toBe(NVML.UNKNOWN);
    m.control({ cmd: 'clearFaults', fn: 'nvmlDeviceGetName' });
    expect(ok(m.name(dev))).toBe('NVIDIA H100 80GB HBM3');
  });

  it('probability with a seed: reproducible, and near the rate', () => {
    const dev = ok(m.device(0));
    const run = () => {
      m.control({ cmd: 'setFault', fn: 'nvmlDeviceGetUUID', code: 999, probability: 0.25, seed: 7 });
      return Array.from({ length: 400 }, () => (m.uuid(dev).ret === 0 ? 0 : 1));
    };
    const a = run();
    const b = run();
    expect(a).toEqual(b);
    const hits = a.reduce((s: number, x) => s + x, 0);
    expect(hits).toBeGreaterThan(60);
    expect(hits).toBeLessThan(140);
    m.control({ cmd: 'setFault', fn: 'nvmlDeviceGetUUID', code: 999, probability: 0.25, seed: 8 });
    const c = Array.from({ length: 400 }, () => (m.uuid(dev).ret === 0 ? 0 : 1));
    expect(c).not.toEqual(a);
  });

  it('bad requests answer ok:false with a reason', () => {
    expect(m.control({ cmd: 'setFault', code: 3 })).toMatchObject({ ok: false, error: expect.stringMatching(/fn/) });
    expect(m.control({ cmd: 'nope' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command/) });
    expect(m.control({ cmd: 'reset', machine: 'v100' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown GPU model 'v100'/) });
    expect(m.fn.control('not json', Buffer.alloc(200), [200])).toBe(0);
  });

  it('NVML_MOCK_FAULTS in a fresh process: nth, always and probability forms', () => {
    const r = ops(
      { NVML_MOCK_FAULTS: 'nvmlDeviceCreateGpuInstance=23@2,nvmlDeviceGetCount_v2=999@always' },
      'init', 'setmig:0:1', 'create:0:19', 'create:0:19', 'create:0:19', 'count',
    );
    expect(r).toEqual([0, [0, 0], [0, 13], [23, null], [0, 11], [999, 0]]);
    const p = ops({ NVML_MOCK_FAULTS: 'nvmlDeviceGetName=999@p0.5:seed3' }, 'init', ...Array(40).fill('name:0'));
    const fails = p.slice(1).filter((x: any) => x[0] === 999).length;
    expect(fails).toBeGreaterThan(5);
    expect(fails).toBeLessThan(35);
    expect(ops({ NVML_MOCK_FAULTS: 'nvmlDeviceGetName=999@p0.5:seed3' }, 'init', ...Array(40).fill('name:0'))).toEqual(p);
  });
});

describe('latency', () => {
  it('per function and for every function, from the control channel and the environment', () => {
    const dev = fresh();
    const time = (f: () => void, n = 20) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      return Number(process.hrtime.bigint() - t) / 1e3 / n; // us per call
    };
    const base = time(() => m.name(dev));
    m.control({ cmd: 'setLatency', fn: 'nvmlDeviceGetName', us: 2000 });
    expect(time(() => m.name(dev))).toBeGreaterThan(1900);
    expect(time(() => m.uuid(dev))).toBeLessThan(1000);
    m.control({ cmd: 'setLatency', fn: '*', us: 1000 });
    expect(time(() => m.uuid(dev))).toBeGreaterThan(900);
    expect(time(() => m.name(dev))).toBeGreaterThan(1900); // its own setting wins over '*'
    m.control({ cmd: 'setLatency', fn: '*', us: 0 });
    m.control({ cmd: 'setLatency', fn: 'nvmlDeviceGetName', us: 0 });
    expect(time(() => m.name(dev))).toBeLessThan(base + 500);
    const [, seconds] = ops({ NVML_MOCK_LATENCY_US: 'nvmlDeviceGetName=3000' }, 'init', 'timed:20:name:0');
    expect(seconds).toBeGreaterThan(20 * 0.0029);
  });
});

describe('privilege', () => {
  it('setPrivileged(false): every mutation is NO_PERMISSION, reads still answer', () => {
    const dev = fresh();
    expect(m.setMigMode(dev, 1).status).toBe(0);
    const gi = ok(m.createGi(dev, 9));
    const ci = ok(m.createCi(gi, 0));
    m.control({ cmd: 'setPrivileged', value: false });
    expect(m.setMigMode(dev, 0).ret).toBe(NVML.NO_PERMISSION);
    expect(m.createGi(dev, 19).ret).toBe(NVML.NO_PERMISSION);
    expect(m.createCi(gi, 0).ret).toBe(NVML.NO_PERMISSION);
    expect(m.destroyCi(ci)).toBe(NVML.NO_PERMISSION);
    expect(m.destroyGi(gi)).toBe(NVML.NO_PERMISSION);
    expect(ok(m.gis(dev, 9)).length).toBe(1);
    expect(ok(m.giCapacity(dev, 19))).toBe(4); // the 3g sits at 4:4: slots 0..3 stay free
    m.control({ cmd: 'setPrivileged', value: true });
    expect(m.destroyCi(ci)).toBe(0);
  });

  it('NVML_MOCK_UNPRIVILEGED=1 in a fresh process', () => {
    expect(ops({ NVML_MOCK_UNPRIVILEGED: '1' }, 'init', 'setmig:0:1', 'migmode:0', 'name:0')).toEqual([
      0, [4, -1], [0, 0, 0], [0, 'NVIDIA H100 80GB HBM3'],
    ]);
  });
});

describe('call log', () => {
  it('records every NVML call with its return code, in order; control calls are not NVML calls', () => {
    const dev = fresh();
    m.name(dev);
    m.createGi(dev, 19);
    m.name(0n);
    const calls = m.control({ cmd: 'callLog' }).calls;
    expect(calls.slice(-4)).toEqual([
      { fn: 'nvmlDeviceGetHandleByIndex_v2', ret: 0 },
      { fn: 'nvmlDeviceGetName', ret: 0 },
      { fn: 'nvmlDeviceCreateGpuInstance', ret: NVML.NOT_SUPPORTED },
      { fn: 'nvmlDeviceGetName', ret: NVML.INVALID_ARGUMENT },
    ]);
    m.control({ cmd: 'clearCallLog' });
    expect(m.control({ cmd: 'callLog' }).calls).toEqual([]);
  });

  it('a response that does not fit is kept for the retry: a mutating command runs once', () => {
    fresh();
    const req = JSON.stringify({ cmd: 'addProcess', gpu: 0, pid: 77, usedMemoryMiB: 1 });
    const len: [number] = [4];
    expect(m.fn.control(req, Buffer.alloc(4), len)).toBe(NVML.INSUFFICIENT_SIZE);
    expect(len[0]).toBe('{"ok":true}'.length + 1);
    const buf = Buffer.alloc(len[0]);
    expect(m.fn.control(req, buf, len)).toBe(0);
    expect(buf.toString('utf8', 0, len[0] - 1)).toBe('{"ok":true}');
    expect(m.control({ cmd: 'state' }).state.gpus[0].processes.length).toBe(1);
  });
});

describe('events', () => {
  it('MIG config change events after GI/CI create and destroy; TIMEOUT when nothing happens', () => {
    const dev = fresh();
    m.setMigMode(dev, 1);
    expect(BigInt(ok(m.eventTypes(dev)))).toBe(0x100n);
    const set = ok(m.eventSetCreate());
    expect(m.registerEvents(dev, 0x100n, set)).toBe(0);
    const t0 = Date.now();
    expect(m.eventWait(set, 50).ret).toBe(NVML.TIMEOUT);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    const gi = ok(m.createGi(dev, 19));
    const ci = ok(m.createCi(gi, 0));
    const e1 = ok(m.eventWait(set, 1000))!;
    expect([e1.device, BigInt(e1.eventType), e1.gpuInstanceId, e1.computeInstanceId]).toEqual([dev, 0x100n, 13, 0xffffffff]);
    expect(ok(m.eventWait(set, 1000))).toMatchObject({ gpuInstanceId: 13, computeInstanceId: 0 });
    expect(m.eventWait(set, 0).ret).toBe(NVML.TIMEOUT);
    m.destroyCi(ci);
    m.destroyGi(gi);
    expect(ok(m.eventWait(set, 0))).toMatchObject({ gpuInstanceId: 13, computeInstanceId: 0 });
    expect(ok(m.eventWait(set, 0))).toMatchObject({ gpuInstanceId: 13, computeInstanceId: 0xffffffff });
    expect(m.registerEvents(dev, 0x4n, set)).toBe(NVML.NOT_SUPPORTED);
    expect(m.eventSetFree(set)).toBe(0);
    expect(m.eventSetFree(set)).toBe(NVML.INVALID_ARGUMENT);
    expect(m.eventWait(set, 0).ret).toBe(NVML.INVALID_ARGUMENT);
  });
});

describe('library lifetime', () => {
  it('init is reference counted; calls before init are UNINITIALIZED', () => {
    const r = ops({}, 'count', 'init', 'init', 'shutdown', 'count', 'shutdown', 'count', 'shutdown');
    expect(r).toEqual([[1, 0], 0, 0, 0, [0, 1], 0, [1, 0], 1]);
  });

  it('NVML_MOCK_MACHINE: counts, mixes, and an unknown model fails init', () => {
    expect(ops({ NVML_MOCK_MACHINE: 'h100-80gb:8' }, 'init', 'count')).toEqual([0, [0, 8]]);
    expect(ops({ NVML_MOCK_MACHINE: 'a100-40gb:2,a30:1' }, 'init', 'count', 'name:2')).toEqual([0, [0, 3], [0, 'NVIDIA A30']]);
    expect(ops({ NVML_MOCK_MACHINE: 'v100' }, 'init')).toEqual([NVML.UNKNOWN]);
  });

  it('error strings are the driver texts', () => {
    const want: Record<number, string> = {
      0: 'Success', 1: 'Uninitialized', 2: 'Invalid Argument', 3: 'Not Supported', 4: 'Insufficient Permissions',
      6: 'Not Found', 7: 'Insufficient Size', 10: 'Timeout', 13: 'Function Not Found', 19: 'In use by another client',
      23: 'Insufficient Resources', 25: 'Argument version mismatch', 999: 'Unknown Error',
    };
    for (const [code, text] of Object.entries(want)) expect(m.errorString(Number(code))).toBe(text);
    for (let code = 0; code <= 30; code++) expect(m.errorString(code)).not.toBe('');
  });

  it('versioned structs: a wrong version word on GetMemoryInfo_v2 is ARGUMENT_VERSION_MISMATCH', () => {
    const dev = fresh();
    expect(m.memoryV2(dev, 0x01000028).ret).toBe(NVML.ARGUMENT_VERSION_MISMATCH);
    const mem = ok(m.memoryV2(dev))!;
    expect(Number(mem.total)).toBe(81559 * 1048576);
    expect(Number(mem.free) + Number(mem.used) + Number(mem.reserved)).toBe(Number(mem.total));
  });
});
