import type * as tfjs from '@tensorflow/tfjs';
import type { WeightPlan } from '../plan/plan';
import { initialValue } from '../runtime/init';
import type { TF, Tensor } from '../runtime/ops';
import { weightStream } from '../runtime/random';

/**
 * The trainable weights of every network, created once: every call of a
 * network reads the same variables. Each draws from its own stream, named
 * by the weight (`network/node/weight`), as exported projects draw theirs.
 */
export function createVariables(tf: TF, weights: readonly WeightPlan[], seed: number): Map<string, tfjs.Variable> {
  const variables = new Map<string, tfjs.Variable>();
  for (const weight of weights) {
    // Inside tidy: the initial value is released, its data lives on in the variable.
    variables.set(weight.name, tf.tidy(() => tf.variable(initialValue(tf, weight.init, weight.shape, weight.fans, weightStream(seed, weight.name)), weight.trainable)));
  }
  return variables;
}

/** Assigns new values to weights by name, after checking every name and shape (nothing changes otherwise). */
export function assignWeights(variables: ReadonlyMap<string, tfjs.Variable>, values: ReadonlyMap<string, Tensor>): void {
  for (const [name, value] of values) {
    const variable = variables.get(name);
    if (!variable) throw new Error(`unknown weight "${name}"; this graph has: ${[...variables.keys()].join(', ')}`);
    if (variable.shape.join('x') !== value.shape.join('x')) throw new Error(`weight "${name}" has shape [${variable.shape.join(', ')}], got [${value.shape.join(', ')}]`);
  }
  for (const [name, value] of values) variables.get(name)!.assign(value);
}
