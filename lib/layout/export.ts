// export: the node's current layout as a mig-parted config (one config, label `current` by default), with
// device-filter set to each GPU's PCI device id and GPUs of the same layout merged into one entry.
import { Document, isSeq, visit } from 'yaml';
import type { Nvml } from '../index.js';
import type { MigPartedConfig, MigConfigEntry } from './config.js';
import { currentCounts } from './planner.js';
import { readNode, type LiveGpu } from './state.js';

/**
 * A PCI device id as the `device-filter` of mig-parted writes it.
 *
 * @example
 * ```ts
 * import { pciIdText } from 'nvml-mig/layout';
 *
 * pciIdText(0x233010de); // '0x233010DE', as mig-parted's device-filter writes an H100 80GB
 * ```
 */
export const pciIdText = (id: number): string => `0x${(id >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/**
 * Exports `live` (every GPU of the node), or only the GPUs in `only`; `devices: all` means all of the node's.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, exportLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const config = exportLayout(await readNode(nvml), 'before-upgrade', [0]); // GPU 0 only
 * console.log(Object.keys(config.migConfigs), config.migConfigs['before-upgrade']?.[0]?.devices); // [ 'before-upgrade' ] [ 0 ]
 * ```
 */
export function exportLayout(live: LiveGpu[], label = 'current', only?: number[]): MigPartedConfig {
  const groups: { filter: string; enabled: boolean; devices: Record<string, number>; indices: number[] }[] = [];
  for (const { state, model } of live) {
    if (only && !only.includes(state.index)) continue;
    const enabled = state.mig?.current ?? false;
    const counts = enabled && model ? currentCounts(model, state) : {};
    const devices = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    const filter = pciIdText(state.pciDeviceId);
    const same = groups.find((g) => g.filter === filter && g.enabled === enabled && JSON.stringify(g.devices) === JSON.stringify(devices));
    if (same) same.indices.push(state.index);
    else groups.push({ filter, enabled, devices, indices: [state.index] });
  }
  const entries: MigConfigEntry[] = groups.map((g) => {
    const allOfModel = live.filter((l) => pciIdText(l.state.pciDeviceId) === g.filter).map((l) => l.state.index);
    return {
      deviceFilter: [g.filter],
      devices: g.indices.length === allOfModel.length ? 'all' : g.indices,
      migEnabled: g.enabled,
      migDevices: g.devices,
    };
  });
  return { version: 'v1', migConfigs: { [label]: entries } };
}

/**
 * The plain object mig-parted's format has (what YAML/JSON output prints).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { exportNode, toMigPartedObject } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const object = toMigPartedObject(await exportNode(nvml)); // mig-parted's spelling: 'mig-configs', 'mig-enabled', ...
 * console.log(JSON.stringify(object));
 * ```
 */
export function toMigPartedObject(cfg: MigPartedConfig): object {
  const configs: Record<string, object[]> = {};
  for (const [name, entries] of Object.entries(cfg.migConfigs)) {
    configs[name] = entries.map((e) => ({
      ...(e.deviceFilter ? { 'device-filter': e.deviceFilter.length === 1 ? e.deviceFilter[0] : e.deviceFilter } : {}),
      devices: e.devices,
      'mig-enabled': e.migEnabled,
      ...(e.migEnabled ? { 'mig-devices': e.migDevices } : {}),
    }));
  }
  return { version: cfg.version, 'mig-configs': configs };
}

/**
 * A config as mig-parted YAML (the default) or JSON.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { exportNode, formatExport } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const config = await exportNode(nvml, 'current');
 * process.stdout.write(formatExport(config));           // YAML, as nvidia-mig-parted reads it
 * process.stdout.write(formatExport(config, 'json'));   // the same as JSON
 * ```
 */
export function formatExport(cfg: MigPartedConfig, format: 'yaml' | 'json' = 'yaml'): string {
  const obj = toMigPartedObject(cfg);
  if (format === 'json') return JSON.stringify(obj, null, 2) + '\n';
  const doc = new Document(obj);
  // Device index lists read best inline, as mig-parted's own examples write them: devices: [0, 1]
  visit(doc, { Pair: (_, pair) => { if (isSeq(pair.value) && (pair.key as { value?: unknown })?.value === 'devices') pair.value.flow = true; } });
  return doc.toString({ flowCollectionPadding: false });
}

/**
 * The current layout of the GPUs as a mig-parted config, read from the driver.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { exportNode } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb:2' });
 * const config = await exportNode(nvml, 'snapshot', [1]); // the layout of GPU 1 as a mig-parted config
 * console.log(config.migConfigs['snapshot']); // [{ deviceFilter: [ '0x...' ], devices: [ 1 ], migEnabled: false, migDevices: {} }]
 * ```
 */
export async function exportNode(nvml: Nvml, label?: string, indices?: number[]): Promise<MigPartedConfig> {
  const live = await readNode(nvml);
  const missing = indices?.find((i) => !live.some((l) => l.state.index === i));
  if (missing !== undefined) throw new RangeError(`GPU index ${missing} does not exist (this node has ${live.length} GPUs)`);
  return exportLayout(live, label, indices);
}
