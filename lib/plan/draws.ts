import type { MainInstr, StepPlan } from './plan';

/**
 * Numbers every training draw of an iteration, per source, in the order the
 * iteration makes them: a section's draws once, a step's once per round
 * (its rounds take consecutive numbers). With the iteration, a draw's number
 * is its position in the source's stream.
 */
export function numberDraws(sections: readonly MainInstr[][], steps: readonly StepPlan[]): { sections: MainInstr[][]; steps: StepPlan[]; drawsPerIteration: Record<string, number> } {
  const counts: Record<string, number> = {};
  const number = (instrs: readonly MainInstr[], rounds: number) =>
    instrs.map((instr) => {
      if (instr.type !== 'source') return instr;
      const draw = counts[instr.source.key] ?? 0;
      counts[instr.source.key] = draw + rounds;
      return { ...instr, draw };
    });
  const numberedSections: MainInstr[][] = [];
  const numberedSteps: StepPlan[] = [];
  steps.forEach((step, s) => {
    numberedSections.push(number(sections[s] ?? [], 1));
    numberedSteps.push({ ...step, body: number(step.body, step.repeat) });
  });
  return { sections: numberedSections, steps: numberedSteps, drawsPerIteration: counts };
}
