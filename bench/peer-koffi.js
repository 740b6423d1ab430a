'use strict';
// koffi, the FFI library a Node user would pick instead of an addon, calling the same NVML
// functions: its synchronous calls and its asynchronous (worker thread, callback) calls.
//
//   node peer-koffi.js <libnvidia-ml.so.1> <samples> <concurrency> op...
//
// Prints one JSON object per line.

const koffi = require('koffi');
const { measureSync, measureAsync, throughput } = require('./measure.js');

const [libPath, samplesArg, concurrencyArg, ...ops] = process.argv.slice(2);
const samples = Number(samplesArg);
const concurrency = Number(concurrencyArg);
const lib = koffi.load(libPath);

// Named types, declared for the signature strings below.
koffi.pointer('nvmlDevice_t', koffi.opaque());
// Declared for the signature string of the v1 call below.
koffi.struct('nvmlMemory_t', { total: 'uint64_t', free: 'uint64_t', used: 'uint64_t' });
const MemoryV2 = koffi.struct('nvmlMemory_v2_t', {
  version: 'uint32_t', total: 'uint64_t', reserved: 'uint64_t', free: 'uint64_t', used: 'uint64_t',
});
koffi.struct('nvmlGpuInstanceProfileInfo_t', {
  id: 'uint32_t', isP2pSupported: 'uint32_t', sliceCount: 'uint32_t', instanceCount: 'uint32_t',
  multiprocessorCount: 'uint32_t', copyEngineCount: 'uint32_t', decoderCount: 'uint32_t',
  encoderCount: 'uint32_t', jpegCount: 'uint32_t', ofaCount: 'uint32_t', memorySizeMB: 'uint64_t',
});

const hasSymbol = (name) => {
  try {
    lib.func(`int ${name}()`);
    return true;
  } catch {
    return false;
  }
};

const nvmlInit = lib.func('int nvmlInit_v2()');
const getCount = lib.func('int nvmlDeviceGetCount_v2(_Out_ uint32_t *count)');
const getHandle = lib.func('int nvmlDeviceGetHandleByIndex_v2(uint32_t index, _Out_ nvmlDevice_t *device)');
const getName = lib.func('int nvmlDeviceGetName(nvmlDevice_t device, _Out_ uint8_t *name, uint32_t length)');
const getUuid = lib.func('int nvmlDeviceGetUUID(nvmlDevice_t device, _Out_ uint8_t *uuid, uint32_t length)');
const memV2 = hasSymbol('nvmlDeviceGetMemoryInfo_v2');
const getMemory = memV2
  ? lib.func('int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, _Inout_ nvmlMemory_v2_t *memory)')
  : lib.func('int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ nvmlMemory_t *memory)');
const getMigMode = lib.func('int nvmlDeviceGetMigMode(nvmlDevice_t device, _Out_ uint32_t *current, _Out_ uint32_t *pending)');
const getGiProfile = lib.func(
  'int nvmlDeviceGetGpuInstanceProfileInfo(nvmlDevice_t device, uint32_t profile, _Out_ nvmlGpuInstanceProfileInfo_t *info)',
);

function check(ret, what) {
  if (ret !== 0) throw new Error(`${what} returned ${ret}`);
}

check(nvmlInit(), 'nvmlInit_v2');
const out = [null];
check(getHandle(0, out), 'handle');
const dev = out[0];
const nameBuf = Buffer.alloc(96);
const cstr = (buf) => buf.toString('latin1', 0, buf.indexOf(0));
const memVersion = (koffi.sizeof(MemoryV2) | (2 << 24)) >>> 0;

// Each op returns what the caller wants as a JS value, as the binding's calls do.
const syncOps = {
  count: ['nvmlDeviceGetCount_v2', () => { const c = [0]; check(getCount(c), 'count'); return c[0]; }],
  handle: ['nvmlDeviceGetHandleByIndex_v2', () => { const h = [null]; check(getHandle(0, h), 'handle'); return h[0]; }],
  name: ['nvmlDeviceGetName', () => { check(getName(dev, nameBuf, 96), 'name'); return cstr(nameBuf); }],
  uuid: ['nvmlDeviceGetUUID', () => { check(getUuid(dev, nameBuf, 96), 'uuid'); return cstr(nameBuf); }],
  memory: [memV2 ? 'nvmlDeviceGetMemoryInfo_v2' : 'nvmlDeviceGetMemoryInfo', () => {
    const m = [memV2 ? { version: memVersion } : {}];
    check(getMemory(dev, m), 'memory');
    return m[0];
  }],
  migMode: ['nvmlDeviceGetMigMode', () => { const c = [0], p = [0]; check(getMigMode(dev, c, p), 'migMode'); return c[0]; }],
  giProfile: ['nvmlDeviceGetGpuInstanceProfileInfo', () => { const i = [{}]; check(getGiProfile(dev, 0, i), 'giProfile'); return i[0]; }],
};

// koffi's asynchronous form: fn.async(...args, callback(err, ret)) on its worker threads.
const promisify = (fn, ...args) => new Promise((resolve, reject) => {
  fn.async(...args, (err, ret) => (err ? reject(err) : ret !== 0 ? reject(new Error(`returned ${ret}`)) : resolve(ret)));
});
const asyncOps = {
  count: () => promisify(getCount, [0]),
  name: () => { const b = Buffer.alloc(96); return promisify(getName, dev, b, 96).then(() => cstr(b)); },
  migMode: () => promisify(getMigMode, dev, [0], [0]),
  giProfile: () => { const i = [{}]; return promisify(getGiProfile, dev, 0, i).then(() => i[0]); },
};

(async () => {
  for (const op of ops) {
    const entry = syncOps[op];
    if (!entry) continue;
    const [symbol, fn] = entry;
    console.log(JSON.stringify({ peer: 'koffi', variant: 'sync', op, symbol, ...measureSync(fn, samples) }));
    if (asyncOps[op]) {
      console.log(JSON.stringify({ peer: 'koffi', variant: 'async', op, symbol, ...(await measureAsync(asyncOps[op], samples)) }));
    }
    if (op === 'name') {
      // koffi refuses more than max_async_calls (256 by default) queued calls.
      const c = Math.min(concurrency, 256);
      console.log(JSON.stringify({ peer: 'koffi', variant: `async x${c}`, op, symbol, ...(await throughput(asyncOps[op], c, 1000)) }));
    }
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
