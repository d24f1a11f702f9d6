import type { GradCondition } from './plan';

/** Gradient conditions of network bodies: built while lowering, evaluated by the interpreter, printed by the exporters. */
export const NEVER: GradCondition = { inputs: [], networks: [] };

export const onInput = (index: number): GradCondition => ({ inputs: [index], networks: [] });
export const whenTraining = (network: string): GradCondition => ({ inputs: [], networks: [network] });

export function union(...conditions: readonly GradCondition[]): GradCondition {
  const inputs = [...new Set(conditions.flatMap((c) => c.inputs))].sort((a, b) => a - b);
  const networks = [...new Set(conditions.flatMap((c) => c.networks))];
  return { inputs, networks };
}

/** A callee's condition in the caller's terms: each of its inputs replaced by the condition of the argument passed. */
export function substitute(condition: GradCondition, args: readonly GradCondition[]): GradCondition {
  return union({ inputs: [], networks: condition.networks }, ...condition.inputs.map((i) => args[i]!));
}

/** Whether the condition holds, given which inputs carry a gradient and which networks train. */
export function holds(condition: GradCondition, inputGrads: readonly boolean[], trains: ReadonlySet<string>): boolean {
  return condition.inputs.some((i) => inputGrads[i]) || condition.networks.some((n) => trains.has(n));
}

export const isNever = (condition: GradCondition): boolean => condition.inputs.length === 0 && condition.networks.length === 0;
