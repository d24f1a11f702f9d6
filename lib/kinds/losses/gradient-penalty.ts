import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { inputWithRows } from '../common';
import { defineLoss, port } from '../kind';
import { lossOutputs, scalar } from './common';

/**
 * WGAN-GP's gradient penalty (Gulrajani et al. 2017): mean over the batch of
 * (||g|| - 1)^2, g a critic's gradient with respect to its input (a call's
 * "input gradient" output), the norm over each item's values.
 */
export const gradientPenalty = defineLoss({
  kind: 'gradient-penalty',
  category: 'losses',
  title: 'Gradient penalty',
  doc: "gradient [b, ...] -> loss [] = mean((||gradient|| - 1)^2): WGAN-GP's penalty on a critic's input gradient",
  params: z.object({}),
  example: { params: {}, inputs: { gradient: [null, 6] } },
  inputs: () => [port('gradient')],
  outputs: lossOutputs,
  inferShape(_p, inputs) {
    inputWithRows(inputs, 'gradient');
    return scalar;
  },
  memory: 7,
  compute: ({ tf, inputs }) => ({ loss: opsFor(tf).gradientPenalty(inputs.gradient!) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ loss: `ops.gradientPenalty(${inputs.gradient})` }) },
    pytorch: { compute: ({ inputs }) => ({ loss: `ops.gradient_penalty(${inputs.gradient})` }) },
  },
  batchReduction: () => 'mean',
});
