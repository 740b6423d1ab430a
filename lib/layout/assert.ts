// assert: does the node hold a layout? Compares MIG modes and the counts of (GI, CI) profile pairs, as
// mig-parted does; the grouping of CIs into GIs is not compared.
import type { Nvml } from '../index.js';
import { currentCounts, resolveTarget } from './planner.js';
import { readNode, type LiveGpu } from './state.js';
import { chooseTargets, type LayoutInput } from './target.js';
import { checkAtTheDoor } from './check.js';

/**
 * What {@link assertLayout} resolves with.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { assertLayout, type AssertResult } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb' });
 * const result: AssertResult = await assertLayout(nvml, { migEnabled: true, migDevices: { '1g.5gb': 7 } });
 * console.log(result.ok, result.checked, result.differences); // false [ 0 ] [ 'GPU 0: MIG mode is disabled, wanted enabled' ]
 * ```
 */
export interface AssertResult {
  ok: boolean;
  /** One line per difference, e.g. "GPU 0: 1g.10gb: 3 present, 7 wanted". */
  differences: string[];
  checked: number[];
}

/**
 * Pure comparison of read GPUs with a layout.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { readNode, compareLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const live = await readNode(nvml); // read once, compare with several layouts
 * console.log(compareLayout(live, { migEnabled: false, migDevices: {} }).ok); // true: MIG is off on a fresh mock
 * ```
 */
export function compareLayout(live: LiveGpu[], input: LayoutInput): AssertResult {
  const choices = chooseTargets(input, live.map((l) => l.state));
  const differences: string[] = [];
  const checked: number[] = [];
  for (const { state, model } of live) {
    const choice = choices.get(state.index);
    if (!choice) continue;
    checked.push(state.index);
    const gpu = `GPU ${state.index}`;
    if (choice.error) {
      differences.push(`${gpu}: ${choice.error}`);
      continue;
    }
    const t = choice.target;
    if (!state.mig) {
      if (t.migEnabled) differences.push(`${gpu}: ${state.name} does not support MIG`);
      continue;
    }
    const on = (b: boolean): string => (b ? 'enabled' : 'disabled');
    if (state.mig.current !== t.migEnabled) differences.push(`${gpu}: MIG mode is ${on(state.mig.current)}, wanted ${on(t.migEnabled)}${state.mig.pending === t.migEnabled ? ' (the change is pending a GPU reset)' : ''}`);
    else if (state.mig.pending !== t.migEnabled) differences.push(`${gpu}: MIG mode ${on(state.mig.pending)} is pending, wanted ${on(t.migEnabled)}`);
    if (!t.migEnabled || !state.mig.current || !model) continue;
    const have = currentCounts(model, state);
    // the wanted counts under the driver's current names (a layout may use an older name of this board's profile)
    const demands = resolveTarget(model, t);
    const want: Record<string, number> = typeof demands === 'string' ? t.migDevices : {};
    if (typeof demands !== 'string') for (const d of demands) want[d.key] = (want[d.key] ?? 0) + d.count;
    const keys = new Set([...Object.keys(have), ...Object.keys(want)]);
    for (const k of [...keys].sort()) {
      const h = have[k] ?? 0;
      const w = want[k] ?? 0;
      if (h !== w) differences.push(`${gpu}: ${k}: ${h} present, ${w} wanted`);
    }
  }
  return { ok: differences.length === 0, differences, checked };
}

/**
 * Whether the GPUs match the layout, with the differences when they do not (`nvml-mig assert`).
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { assertLayout } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'a100-40gb:2' });
 * const { ok, differences } = await assertLayout(nvml, { 1: { migEnabled: true, migDevices: { '3g.20gb': 2 } } }, [1]);
 * if (!ok) console.error(differences.join('\n')); // one line per difference
 * ```
 */
export async function assertLayout(nvml: Nvml, input: LayoutInput, indices?: number[]): Promise<AssertResult> {
  await checkAtTheDoor(nvml, input);
  return compareLayout(await readNode(nvml, indices), input);
}
