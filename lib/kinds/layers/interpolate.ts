import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { formatShape, sameShape } from '../shape';
import { defineOp, port, shapeError } from '../kind';
import { keepsShape } from '../refit';

/** t a + (1 - t) b with one t per item: WGAN-GP's points between real and generated images. */
export const interpolate = defineOp({
  kind: 'interpolate',
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Interpolate',
  doc: 'a [b, ...], b [b, ...], t [b, 1] -> y [b, ...] = t a + (1 - t) b, one t per item',
  params: z.object({}),
  example: { params: {}, inputs: { a: [null, 2, 2, 1], b: [null, 2, 2, 1], t: [null, 1] } },
  inputs: () => [port('a'), port('b'), port('t')],
  outputs: () => [port('y')],
  // t stays one value per item.
  refit: keepsShape('a', 'b'),
  sameShape: [['a', 'b']],
  inferShape(_p, inputs) {
    const { a, b, t } = inputs as Record<'a' | 'b' | 't', (number | null)[]>;
    if (!sameShape(a, b)) shapeError('b', `b ${formatShape(b)} must match a ${formatShape(a)}`);
    if (a.length < 1 || !sameShape(t, [a[0]!, 1])) shapeError('t', `t must be one value per item, [${a[0] === null ? 'b' : a[0]}, 1], got ${formatShape(t)}`, 'Draw t from a Noise node of shape [1], uniform(0, 1).');
    return { y: a };
  },
  compute: ({ tf, inputs }) => ({ y: opsFor(tf).interpolate(inputs.a!, inputs.b!, inputs.t!) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ y: `ops.interpolate(${inputs.a}, ${inputs.b}, ${inputs.t})` }) },
    pytorch: { compute: ({ inputs }) => ({ y: `ops.interpolate(${inputs.a}, ${inputs.b}, ${inputs.t})` }) },
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.interpolate(b, inputs.a!, inputs.b!, inputs.t!) }) },
  },
});
