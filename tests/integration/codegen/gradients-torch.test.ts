import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opsFor } from '../../../lib/runtime/ops';
import { close } from '../../helpers';
import { torchPython } from '../../fixtures/python';

/**
 * The gradients of the ops whose backward pass is tfjs's autodiff through
 * plain tf ops (self-attention, the time embedding), against torch's
 * autograd through the export's netloom/ops.py: an exported project trains
 * these layers as the app does. The forms' forward values are
 * tests/integration/codegen/forms.test.ts's.
 */
const PYTHON = `
import json, sys
import torch
sys.path.insert(0, "codegen/pytorch")
from netloom import ops
results = []
for case in json.load(sys.stdin):
    args = [torch.tensor(a["values"], dtype=torch.float32).reshape(a["shape"]).requires_grad_() for a in case["args"]]
    y = getattr(ops, case["op"])(*args, *case["params"])
    (y * torch.tensor(case["r"], dtype=torch.float32).reshape(y.shape)).sum().backward()
    results.append([a.grad.reshape(-1).tolist() for a in args])
print(json.dumps(results))
`;

interface Case {
  name: string;
  op: 'self_attention' | 'time_embedding';
  args: tf.Tensor[];
  params: number[];
  compute(args: tf.Tensor[]): tf.Tensor;
}

describe('gradients against torch autograd', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('self-attention (1, 2 and 4 heads) and the time embedding (t up to 1000)', () => {
    const ops = opsFor(tf);
    const attention = (shape: number[], heads: number, seed: number): Case => {
      const c = shape[3]!;
      const args = [shape, [c, 3 * c], [3 * c], [c, c], [c]].map((s, i) => tf.randomNormal(s, 0, 0.7, 'float32', seed + i));
      return { name: `attention ${shape} / ${heads}`, op: 'self_attention', args, params: [heads], compute: (a) => ops.selfAttention(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, heads) };
    };
    const time = (times: number[], dim: number, maxPeriod: number, scale: number): Case => ({
      name: `time ${dim} x ${scale}`,
      op: 'time_embedding',
      args: [tf.tensor2d(times, [times.length, 1])],
      params: [dim, maxPeriod, scale],
      compute: (a) => ops.timeEmbedding(a[0]!, dim, maxPeriod, scale),
    });
    const cases = [
      attention([2, 3, 5, 6], 2, 1),
      attention([2, 4, 4, 8], 4, 10),
      attention([1, 8, 8, 4], 1, 20),
      time([0, 1, 17, 500, 999, 1000], 16, 10000, 1),
      time([0, 0.25, 0.999, 1], 32, 10000, 1000),
    ];
    const expected = cases.map((c) => {
      const r = tf.randomNormal(c.compute(c.args).shape, 0, 1, 'float32', 99);
      const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(c.compute(a), r)) as tf.Scalar)(c.args);
      return { r: Array.from(r.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) };
    });
    const input = cases.map((c, i) => ({ op: c.op, params: c.params, r: expected[i]!.r, args: c.args.map((a) => ({ shape: a.shape, values: Array.from(a.dataSync()) })) }));
    const torch = JSON.parse(execFileSync(torchPython(), ['-c', PYTHON], { input: JSON.stringify(input), encoding: 'utf8' })) as number[][][];
    cases.forEach((c, i) =>
      expected[i]!.grads.forEach((want, arg) => {
        // Relative to the largest of each gradient: sums of many terms cancel.
        const size = Math.max(1, ...want.map(Math.abs));
        const far = torch[i]![arg]!.flatMap((got, j) => (close(got / size, want[j]! / size, 1e-5) ? [] : [{ at: j, got, want: want[j] }]));
        expect(far.slice(0, 3), `${c.name}, argument ${arg}`).toEqual([]);
      }),
    );
  });
});
