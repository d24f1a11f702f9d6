import type { FormedKind } from '../../lib/kinds/kind';
import type { TrainingPlan } from '../../lib/plan/plan';

/**
 * The kinds a plan's export prints (its layers and losses, sources and
 * optimizers) that have no form for a target, by title, each once: a
 * target's `missingForms` for a plan written whole.
 */
function formless(plan: TrainingPlan, hasForm: (kind: FormedKind) => boolean): string[] {
  const missing = new Set<string>();
  const instrs = [...plan.sections.flat(), ...plan.steps.flatMap((s) => s.body), ...plan.networks.flatMap((n) => n.body)];
  for (const instr of instrs) if (instr.type === 'apply' && !hasForm(instr.kind)) missing.add(instr.kind.title);
  for (const source of plan.sources) if (!hasForm(source.kind)) missing.add(source.kind.title);
  for (const optimizer of plan.optimizers) if (!hasForm(optimizer.kind)) missing.add(optimizer.kind.title);
  return [...missing];
}

/** `hasForm` and `missingForms` of a target that writes a plan whole: every kind of the plan needs its form. */
export const formChecks = (hasForm: (kind: FormedKind) => boolean) => ({ hasForm, missingForms: (plan: TrainingPlan) => formless(plan, hasForm) });
