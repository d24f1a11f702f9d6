import { z } from 'zod';
import { defineSource, port } from '../kind';
import { drawParam, jsonLiteral, pyLiteral } from '../common';
import { imageBatches } from '../../runtime/batches';

/** MNIST digits from the IDX files, shuffled into mini-batches epoch by epoch like `mnist.train.next_batch`. */
export const mnist = defineSource({
  kind: 'mnist',
  category: 'data',
  title: 'MNIST',
  doc: 'images [b, 784] or [b, 28, 28, 1] in [0, 1] or [-1, 1]; labels one-hot [b, 10]',
  params: z.object({
    split: z.enum(['train', 'test']).default('train').describe('The 60,000 training digits or the 10,000 test digits'),
    range: z.enum(['0..1', '-1..1']).default('0..1').describe('Pixel range: [-1, 1] for tanh generators'),
    layout: z.enum(['flat', 'image']).default('flat').describe('flat [b, 784] or image [b, 28, 28, 1]'),
    draw: drawParam,
  }),
  example: { params: { layout: 'image', range: '-1..1' }, inputs: {} },
  inputs: () => [],
  outputs: () => [port('images'), port('labels')],
  inferShape: (p) => ({
    images: p.layout === 'flat' ? [null, 28 * 28] : [null, 28, 28, 1],
    labels: [null, 10],
  }),
  datasets: (p) => [{ id: 'mnist', split: p.split }],
  draw: (p) => p.draw,
  imageShape: () => ({ height: 28, width: 28, channels: 1 }),
  valueRange: (p) => p.range,
  bounds: (p) => ({ images: p.range === '0..1' ? [0, 1] : [-1, 1], labels: [0, 1] }),
  sampler: (p, env) => imageBatches(env.dataset({ id: 'mnist', split: p.split }), p.range, env.stream, env.drawsPerIteration),
  forms: {
    typescript: { sampler: ({ params, stream, drawsPerIteration, dataset }) => `batches.imageBatches(${dataset({ id: 'mnist', split: params.split })}, ${jsonLiteral(params.range)}, ${stream}, ${drawsPerIteration})` },
    pytorch: { sampler: ({ params, stream, drawsPerIteration, dataset }) => `nd.ImageBatches(${dataset({ id: 'mnist', split: params.split })}, ${pyLiteral(params.range)}, ${stream}, ${drawsPerIteration})` },
  },
});
