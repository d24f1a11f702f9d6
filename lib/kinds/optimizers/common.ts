import { z } from 'zod';
import type * as tfjs from '@tensorflow/tfjs';
import { formatShape, type Shape } from '../../graph/shape';
import { port, shapeError, type OptimizerUpdater, type TF, type Tensor } from '../kind';

/** Every optimizer takes one loss and names the networks whose weights it updates. */
export const optimizerInputs = () => [port('loss')];
export const noOutputs = () => [];
export const acceptsScalarLoss = (_p: unknown, inputs: Readonly<Record<string, Shape>>) => {
  if (inputs.loss!.length !== 0) shapeError('loss', `expects a scalar loss, got ${formatShape(inputs.loss!)}`, 'Connect the output of a loss node.');
  return {};
};
export const networksParam = z.array(z.string().min(1)).default([]).describe('Networks whose weights this optimizer updates');
export const rate = (fallback: number) => z.number().positive().max(1e3).default(fallback);
export const fraction = (fallback: number) => z.number().min(0).max(1).default(fallback);

/** Variables up to this many elements share one flat update; larger ones get their own. */
const SMALL = 16_384;

/**
 * Builds an updater from slots and one update rule. tfjs pays a fixed cost
 * per op, which dominates for biases and small kernels, so all small
 * variables are updated as one flat vector (one concat in, one slice out per
 * variable); large ones, where copying would cost more than the op overhead,
 * are updated on their own. Per-element arithmetic is the same either way.
 * A weight the loss does not reach gets a zero gradient, which leaves it
 * unchanged as TF1 does. `c(x)` returns a cached scalar tensor (faster than a
 * JS number on wasm).
 */
export function slotUpdater(
  tf: TF,
  variables: readonly tfjs.Variable[],
  slots: readonly { init: 'zeros' | 'ones' }[],
  rule: (g: Tensor, slots: Tensor[], step: number, c: (x: number) => Tensor) => { delta: Tensor; slots: Tensor[] },
): OptimizerUpdater {
  const indexed = variables.map((variable, index) => ({ variable, index }));
  const small = indexed.filter(({ variable }) => variable.size <= SMALL);
  const groups = [...indexed.filter(({ variable }) => variable.size > SMALL).map((member) => [member]), ...(small.length ? [small] : [])].map(
    (members) => {
      const total = members.reduce((n, { variable }) => n + variable.size, 0);
      const state = slots.map(({ init }) => tf.tidy(() => tf.variable(init === 'zeros' ? tf.zeros([total]) : tf.ones([total]), false)));
      return { members, state };
    },
  );
  const constants = new Map<number, Tensor>();
  const c = (x: number) => {
    let t = constants.get(x);
    if (!t) {
      t = tf.keep(tf.scalar(x));
      constants.set(x, t);
    }
    return t;
  };
  let step = 0;
  return {
    apply(grads) {
      step += 1;
      tf.tidy(() => {
        for (const { members, state } of groups) {
          const flatGrads = members.map(({ variable, index }) => (grads[index] ? tf.reshape(grads[index]!, [-1]) : tf.zeros([variable.size])));
          const next = rule(flatGrads.length === 1 ? flatGrads[0]! : tf.concat(flatGrads), state, step, c);
          next.slots.forEach((s, k) => state[k]!.assign(s));
          let offset = 0;
          for (const { variable } of members) {
            const delta = members.length === 1 ? next.delta : tf.slice(next.delta, offset, variable.size);
            variable.assign(tf.sub(variable, tf.reshape(delta, variable.shape)));
            offset += variable.size;
          }
        }
      });
    },
    dispose: () => {
      groups.forEach(({ state }) => state.forEach((v) => v.dispose()));
      constants.forEach((t) => t.dispose());
    },
  };
}
