'use strict';
// What bench/run.js's report and bench/compare.js share: the calls measured, the per-call table's
// columns (which result rows each one shows) and the time format.

/** The calls every peer measures, in the tables' order. */
const OPS = ['count', 'handle', 'name', 'uuid', 'memory', 'migMode', 'giProfile', 'processes'];

/** The per-call table's columns: a title and which result rows (of any call) it shows. */
const PER_CALL_COLUMNS = [
  ['C floor', (r) => r.peer === 'c-floor'],
  ['nvml-mig Sync', (r) => r.peer === 'nvml-mig' && r.variant === 'sync'],
  ['nvml-mig promise', (r) => r.peer === 'nvml-mig' && r.variant === 'promise'],
  ['nvml-mig facade', (r) => r.peer === 'nvml-mig' && r.variant === 'facade'],
  ['koffi sync', (r) => r.peer === 'koffi' && r.variant === 'sync'],
  ['koffi async', (r) => r.peer === 'koffi' && r.variant === 'async'],
  ['Python ctypes', (r) => r.peer === 'python-ctypes'],
  ['pynvml', (r) => r.peer === 'pynvml'],
];

/** Nanoseconds as ns, µs or ms, '–' for none. */
function fmt(ns) {
  if (ns == null || Number.isNaN(ns)) return '–';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${Math.round(ns)} ns`;
}

module.exports = { OPS, PER_CALL_COLUMNS, fmt };
