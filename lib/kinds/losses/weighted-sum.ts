import { z } from 'zod';
import { pyLiteral } from '../common';
import { formatShape } from '../shape';
import { defineLoss, port, shapeError } from '../kind';
import { lossOutputs, scalar } from './common';

const termPorts = (count: number) => Array.from({ length: count }, (_, i) => port(`term${i}`, `term ${i + 1}`));

/** Combines losses: w1 * L1 + w2 * L2 + ... (e.g. D's real and fake terms). */
export const weightedSum = defineLoss({
  kind: 'weighted-sum',
  category: 'losses',
  title: 'Weighted sum',
  doc: 'term 1 [], term 2 [], ... -> loss [] = sum of weight_i * term_i',
  params: z.object({ weights: z.array(z.number().finite()).min(1).max(16).default([1, 1]).describe('One weight per term; the number of weights sets the number of terms') }),
  example: { params: { weights: [1, 0.5, 2] }, inputs: { term0: [], term1: [], term2: [] } },
  inputs: (p) => termPorts(p.weights.length),
  outputs: lossOutputs,
  inferShape(p, inputs) {
    for (const { id } of termPorts(p.weights.length)) {
      if (inputs[id]!.length !== 0) shapeError(id, `expects a scalar loss, got ${formatShape(inputs[id]!)}`, 'Connect the output of a loss node.');
    }
    return scalar;
  },
  compute({ tf, params, inputs }) {
    const terms = termPorts(params.weights.length).map(({ id }, i) => {
      const w = params.weights[i]!;
      return w === 1 ? inputs[id]! : tf.mul(inputs[id]!, w);
    });
    return { loss: terms.length === 1 ? terms[0]! : tf.addN(terms) };
  },
  forms: {
    typescript: {
      compute: ({ params, inputs }) => {
        const terms = termPorts(params.weights.length).map(({ id }, i) => (params.weights[i] === 1 ? inputs[id]! : `tf.mul(${inputs[id]}, ${params.weights[i]})`));
        return { loss: terms.length === 1 ? terms[0]! : `tf.addN([${terms.join(', ')}])` };
      },
    },
    pytorch: {
      compute: ({ params, inputs }) => ({
        loss: `(${termPorts(params.weights.length).map(({ id }, i) => (params.weights[i] === 1 ? inputs[id]! : `${inputs[id]} * ${pyLiteral(params.weights[i])}`)).join(' + ')})`,
      }),
    },
  },
});
