import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { inputOfRank, positiveInt } from '../common';

/**
 * A learned vector per class, as conditional models embed their labels:
 * one-hot [b, classes] times a table [classes, size] picks each row's vector
 * (PyTorch's nn.Embedding on class indices; its N(0, 1) initial table).
 */
export const embedding = defineOp({
  kind: 'embedding',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Embedding',
  doc: 'labels one-hot [b, classes] -> y [b, size]: a learned vector per class',
  params: z.object({ size: positiveInt(65536).default(50).describe('Length of each class vector') }),
  example: { params: { size: 3 }, inputs: { labels: [null, 4] } },
  inputs: () => [port('labels')],
  outputs: () => [port('y')],
  refit: (_p, inputs, _port, wanted) => (wanted.length === 2 && typeof wanted[1] === 'number' && inputs.labels ? { params: { size: wanted[1] }, inputs: { labels: inputs.labels } } : undefined),
  inferShape(p, inputs) {
    const [rows] = inputOfRank(inputs, 'labels', 2, 'a batch of one-hot labels');
    return { y: [rows ?? null, p.size] };
  },
  weights: (p, inputs) => [{ name: 'table', shape: [inputs.labels![1] as number, p.size], init: { kind: 'normal', mean: 0, stddev: 1 } }],
  memory: 6,
  compute: ({ tf, inputs, weights, needsGrad }) => ({ y: opsFor(tf).dense(inputs.labels!, weights.table!, undefined, 'linear', needsGrad) }),
  forms: {
    typescript: { compute: ({ inputs, weights, needsGrad }) => ({ y: `ops.dense(${[inputs.labels, weights.table, 'undefined', '"linear"', ...(needsGrad ? [needsGrad] : [])].join(', ')})` }) },
    pytorch: { compute: ({ inputs, weights }) => ({ y: `ops.dense(${inputs.labels}, ${weights.table}, None, "linear")` }) },
    onnx: { compute: ({ b, ops, inputs, weights, name }) => ({ y: ops.embedding(b, inputs.labels!, weights.table!, name) }) },
  },
});
