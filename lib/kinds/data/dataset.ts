import { z } from 'zod';
import { defineSource, port, shapeError } from '../kind';
import { DatasetChoice, drawParam, jsonLiteral, MNIST_CHOICE, pyLiteral } from '../common';
import { imageBatches } from '../../runtime/batches';

export const dataset = defineSource({
  kind: 'dataset',
  category: 'data',
  title: 'Dataset',
  doc: 'images [b, h*w*c] or [b, h, w, c] of a dataset in your library, in [0, 1] or [-1, 1]; labels one-hot [b, classes]',
  params: z.object({
    dataset: DatasetChoice.default(MNIST_CHOICE).meta({ widget: 'dataset' }).describe('Which dataset of your library (import datasets on the Datasets page)'),
    split: z.enum(['train', 'test']).default('train').describe('The training items or the test items'),
    range: z.enum(['0..1', '-1..1']).default('0..1').describe('Pixel range: [-1, 1] for tanh generators'),
    layout: z.enum(['flat', 'image']).default('flat').describe('flat [b, h*w*c] or image [b, h, w, c]'),
    draw: drawParam,
  }),
  example: {
    // Shaped like MNIST: the conformance test draws from MNIST's files.
    params: { dataset: { id: 'example', name: 'Example', height: 28, width: 28, channels: 1, classes: 10, train: 60000, test: 10000 }, layout: 'image', split: 'test' },
    inputs: {},
  },
  inputs: () => [],
  outputs: () => [port('images'), port('labels')],
  inferShape: (p) => {
    const d = p.dataset;
    if (p.split === 'test' && d.test === 0) shapeError('images', `"${d.name}" has no test split`, 'read its train split');
    return {
      images: p.layout === 'flat' ? [null, d.height * d.width * d.channels] : [null, d.height, d.width, d.channels],
      labels: [null, d.classes],
    };
  },
  datasets: (p) => [{ id: p.dataset.id, split: p.split }],
  draw: (p) => p.draw,
  imageShape: ({ dataset: d }) => ({ height: d.height, width: d.width, channels: d.channels }),
  valueRange: (p) => p.range,
  bounds: (p) => ({ images: p.range === '0..1' ? [0, 1] : [-1, 1], labels: [0, 1] }),
  withDataset: (params, choice) => ({ ...params, dataset: choice }),
  sampler: (p, env) => imageBatches(env.dataset({ id: p.dataset.id, split: p.split }), p.range, env.stream, env.drawsPerIteration),
  forms: {
    typescript: { sampler: ({ params, stream, drawsPerIteration, dataset: data }) => `batches.imageBatches(${data({ id: params.dataset.id, split: params.split })}, ${jsonLiteral(params.range)}, ${stream}, ${drawsPerIteration})` },
    pytorch: { sampler: ({ params, stream, drawsPerIteration, dataset: data }) => `nd.ImageBatches(${data({ id: params.dataset.id, split: params.split })}, ${pyLiteral(params.range)}, ${stream}, ${drawsPerIteration})` },
  },
});
