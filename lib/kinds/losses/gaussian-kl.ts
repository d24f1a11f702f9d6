import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { formatShape, sameShape } from '../shape';
import { defineLoss, port, shapeError } from '../kind';
import { inputWithRows, pyLiteral } from '../common';
import { lossOutputs, scalar } from './common';

/** A latent unit is active when its mean's variance over the inputs exceeds this. */
const ACTIVE_VARIANCE = 0.01;

/**
 * KL(N(mean, std^2) || N(0, 1)) in the VAE seed's form:
 * 0.5 * sum(mean^2 + std^2 - 2 log(std + eps) - 1), std = sqrt(exp(logvar)).
 */
export const gaussianKl = defineLoss({
  kind: 'gaussian-kl',
  category: 'losses',
  title: 'Gaussian KL',
  doc: 'mean [b, n], logvar [b, n] -> loss [] = 0.5 * sum(mean^2 + std^2 - 2 log(std + eps) - 1), summed or averaged over the batch',
  params: z.object({
    reduction: z.enum(['sum', 'batch-mean']).default('sum').describe('Sum over the batch (the VAE seed) or average over it'),
    epsilon: z.number().min(0).max(1).default(1e-8).describe('Added to std inside the log (the VAE seed uses 1e-8)'),
  }),
  example: { params: { reduction: 'batch-mean' }, inputs: { mean: [null, 3], logvar: [null, 3] } },
  inputs: () => [port('mean'), port('logvar')],
  outputs: lossOutputs,
  sameShape: [['mean', 'logvar']],
  inferShape(p, inputs) {
    // batch-mean divides by the first dimension: a scalar has none.
    if (p.reduction === 'batch-mean') inputWithRows(inputs, 'mean');
    if (!sameShape(inputs.mean!, inputs.logvar!)) {
      shapeError('logvar', `logvar ${formatShape(inputs.logvar!)} must match mean ${formatShape(inputs.mean!)}`);
    }
    return scalar;
  },
  memory: 11,
  compute: ({ tf, params, inputs }) => ({
    loss: opsFor(tf).gaussianKl(inputs.mean!, inputs.logvar!, params.epsilon, params.reduction),
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs }) => ({
        loss: `ops.gaussianKl(${inputs.mean}, ${inputs.logvar}, ${params.epsilon}, ${JSON.stringify(params.reduction)})`,
      }),
    },
    pytorch: { compute: ({ params, inputs }) => ({ loss: `ops.gaussian_kl(${inputs.mean}, ${inputs.logvar}, ${pyLiteral(params.epsilon)}, ${pyLiteral(params.reduction)})` }) },
  },
  // Active units (Burda et al. 2016): latent dimensions whose mean varies with the input (variance over the batch above 0.01).
  monitor: {
    input: 'mean',
    measures: 'active-units',
    describe: (source) => `active units of ${source}`,
    compute: (tf, mean) => tf.mean(tf.cast(tf.greater(tf.moments(tf.reshape(mean, [mean.shape[0] ?? 1, -1]), 0).variance, ACTIVE_VARIANCE), 'float32')),
  },
  batchReduction: (p) => (p.reduction === 'sum' ? 'sum' : 'mean'),
});
