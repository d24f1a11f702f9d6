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

/**
 * Builds an updater from per-variable slots and one update rule. The rule
 * returns the new variable value and new slot values; all of it runs in one
 * tidy so nothing leaks.
 */
export function slotUpdater(
  tf: TF,
  variables: readonly tfjs.Variable[],
  slots: readonly { init: 'zeros' | 'ones' }[],
  rule: (v: Tensor, g: Tensor, slots: Tensor[], step: number) => { value: Tensor; slots: Tensor[] },
): OptimizerUpdater {
  const state = variables.map((v) =>
    slots.map(({ init }) => tf.variable(init === 'zeros' ? tf.zerosLike(v) : tf.onesLike(v), false)),
  );
  let step = 0;
  return {
    apply(grads) {
      step += 1;
      tf.tidy(() => {
        variables.forEach((variable, i) => {
          const grad = grads[i];
          if (!grad) return; // like TF1, a variable without a gradient is left alone
          const slotVars = state[i]!;
          const next = rule(variable, grad, slotVars, step);
          next.slots.forEach((s, k) => slotVars[k]!.assign(s));
          variable.assign(next.value);
        });
      });
    },
    dispose: () => state.flat().forEach((v) => v.dispose()),
  };
}
