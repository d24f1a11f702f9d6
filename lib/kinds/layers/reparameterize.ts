import { z } from 'zod';
import { formatShape, sameShape } from '../shape';
import { defineOp, port, shapeError } from '../kind';

/**
 * The VAE's reparameterisation: z = eps * sqrt(exp(logvar)) + mean. The noise
 * eps is an explicit input (a normal noise node), so where randomness enters is
 * visible and seeded like every other draw.
 */
export const reparameterize = defineOp({
  kind: 'reparameterize',
  rowwise: true,
  category: 'layers',
  title: 'Reparameterise',
  doc: 'mean [b, n], logvar [b, n], eps [b, n] or [n] -> z [b, n] = eps * sqrt(exp(logvar)) + mean',
  params: z.object({}),
  example: { params: {}, inputs: { mean: [null, 5], logvar: [null, 5], eps: [5] } },
  inputs: () => [port('mean'), port('logvar'), port('eps')],
  outputs: () => [port('z')],
  sameShape: [['mean', 'logvar']],
  // z has the mean's shape; eps stays drawn per sample, or shared.
  refit: (_p, inputs, _port, wanted) => {
    const eps = inputs.eps;
    if (!eps || wanted.length === 0) return undefined;
    return { params: {}, inputs: { mean: wanted, logvar: wanted, eps: eps.length === wanted.length ? wanted : wanted.slice(1) } };
  },
  inferShape(_p, inputs) {
    const mean = inputs.mean!;
    if (!sameShape(mean, inputs.logvar!)) {
      shapeError('logvar', `logvar ${formatShape(inputs.logvar!)} must match mean ${formatShape(mean)}`);
    }
    const eps = inputs.eps!;
    if (!sameShape(eps, mean) && !sameShape(eps, mean.slice(1))) {
      shapeError('eps', `eps ${formatShape(eps)} must be ${formatShape(mean)} (per sample) or ${formatShape(mean.slice(1))} (shared)`);
    }
    return { z: mean };
  },
  memory: 5,
  compute: ({ tf, inputs }) => ({ z: tf.add(tf.mul(inputs.eps!, tf.sqrt(tf.exp(inputs.logvar!))), inputs.mean!) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ z: `tf.add(tf.mul(${inputs.eps}, tf.sqrt(tf.exp(${inputs.logvar}))), ${inputs.mean})` }) },
    pytorch: { compute: ({ inputs }) => ({ z: `ops.reparameterize(${inputs.mean}, ${inputs.logvar}, ${inputs.eps})` }) },
    onnx: { compute: ({ b, ops, inputs }) => ({ z: ops.reparameterize(b, inputs.mean!, inputs.logvar!, inputs.eps!) }) },
  },
});
