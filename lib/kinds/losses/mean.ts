import { z } from 'zod';
import { defineLoss, port } from '../kind';
import { lossOutputs, scalar } from './common';

/** The mean of a value: a Wasserstein critic's score, E[D(x)] (weight it -1 in a weighted sum to maximise it). */
export const mean = defineLoss({
  kind: 'mean',
  category: 'losses',
  title: 'Mean',
  doc: 'x [...] -> loss [] = mean(x): a critic\'s score E[D(x)] (WGAN)',
  params: z.object({}),
  example: { params: {}, inputs: { x: [null, 1] } },
  inputs: () => [port('x')],
  outputs: lossOutputs,
  inferShape: () => scalar,
  compute: ({ tf, inputs }) => ({ loss: tf.mean(inputs.x!) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ loss: `tf.mean(${inputs.x})` }) },
    pytorch: { compute: ({ inputs }) => ({ loss: `${inputs.x}.mean()` }) },
  },
  batchReduction: () => 'mean',
});
