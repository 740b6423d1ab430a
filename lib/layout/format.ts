// Human-readable rendering of plans (the dry run) and of steps (progress lines).
import type { Placement } from '../types.js';
import type { Plan, PlanStep } from './types.js';

const at = (p: Placement): string => `${p.start}:${p.size}`;

/**
 * One line describing a plan step, as the dry run prints it.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, describeStep } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '3g.40gb': 1 } });
 * for (const step of plan.gpus[0]?.steps ?? []) console.log(describeStep(step)); // "set MIG mode enabled", "create GI 3g.40gb at 4:4 [new0]", ...
 * ```
 */
export function describeStep(s: PlanStep): string {
  switch (s.op) {
    case 'destroyCi':
      return `destroy CI ${s.ci} (${s.profile} at ${at(s.placement)}) in GI ${s.gi}`;
    case 'destroyGi':
      return `destroy GI ${s.gi} (${s.profile} at ${at(s.placement)})`;
    case 'setMigMode':
      return `set MIG mode ${s.enabled ? 'enabled' : 'disabled'}`;
    case 'createGi':
      return `create GI ${s.profile} at ${at(s.placement)} [${s.ref}]`;
    case 'createCi':
      return `create CI ${s.profile} at ${at(s.placement)} in GI ${typeof s.gi === 'number' ? s.gi : `[${s.gi}]`}`;
  }
}

/**
 * The dry run: per GPU what is kept, destroyed and created, where, why, and which steps processes block.
 *
 * @example
 * ```ts
 * import { startMock } from 'nvml-mig/testing';
 * import { planLayout, formatPlan } from 'nvml-mig/layout';
 *
 * const { nvml } = await startMock({ machine: 'h100-80gb' });
 * const { plan } = await planLayout(nvml, { migEnabled: true, migDevices: { '1g.10gb': 7 } });
 * process.stdout.write(formatPlan(plan)); // per GPU: what is kept, destroyed and created, where, and why
 * ```
 */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const g of plan.gpus) {
    lines.push(`GPU ${g.gpu}: ${g.name} (${g.uuid})${g.source ? ` <- ${g.source}` : ''}`);
    if (!g.ok) {
      lines.push(`  ERROR ${g.error}`);
      continue;
    }
    for (const k of g.kept) lines.push(`  keep     GI ${k.gi} CI ${k.ci} ${k.profile} (GI at ${at(k.giPlacement)}, CI at ${at(k.ciPlacement)})`);
    const width = Math.max(0, ...g.steps.map((s) => describeStep(s).length));
    for (const s of g.steps) {
      const block = s.blockedBy?.length ? `  BLOCKED by pid ${s.blockedBy.join(', ')}` : '';
      lines.push(`  ${s.op.startsWith('destroy') ? 'destroy' : s.op === 'setMigMode' ? 'mode   ' : 'create '}  ${describeStep(s).padEnd(width)}  # ${s.reason}${block}`);
    }
    if (g.deferred) lines.push('  (instances are planned once MIG mode is active: the driver describes profiles only then)');
    if (g.activationNeeded) lines.push('  (the MIG mode change takes effect only after a GPU reset here: apply runs the reset hook if given, else it stops before the instance steps and a re-run after the reset continues)');
    if (g.steps.length === 0 && !g.activationNeeded) lines.push('  no change');
  }
  const blocked = plan.gpus.flatMap((g) => g.steps).filter((s) => s.blockedBy?.length).length;
  lines.push(`${plan.changes} step(s)${blocked ? `, ${blocked} BLOCKED by running processes (apply refuses them unless --force)` : ''}${plan.ok ? '' : ', with errors'}`);
  return lines.join('\n') + '\n';
}
