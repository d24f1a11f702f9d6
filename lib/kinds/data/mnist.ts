import { z } from 'zod';
import { defineSource, port } from '../kind';
import { drawParam } from '../common';

const PIXELS = 784;

/** MNIST digits from the IDX files, shuffled into mini-batches epoch by epoch like `mnist.train.next_batch`. */
export const mnist = defineSource({
  kind: 'mnist',
  category: 'data',
  title: 'MNIST',
  doc: 'images [b, 784] or [b, 28, 28, 1] in [0, 1] or [-1, 1]; labels one-hot [b, 10]',
  params: z.object({
    split: z.enum(['train', 'test']).default('train'),
    range: z.enum(['0..1', '-1..1']).default('0..1').describe('Pixel range: [-1, 1] for tanh generators'),
    layout: z.enum(['flat', 'image']).default('flat').describe('flat [b, 784] or image [b, 28, 28, 1]'),
    draw: drawParam,
  }),
  inputs: () => [],
  outputs: () => [port('images'), port('labels')],
  inferShape: (p) => ({
    images: p.layout === 'flat' ? [null, PIXELS] : [null, 28, 28, 1],
    labels: [null, 10],
  }),
  dataset: 'mnist',
  draw: (p) => p.draw,
  sampler(p, env) {
    const data = env.mnist(p.split);
    const scale = p.range === '0..1' ? 1 / 255 : 2 / 255;
    const shift = p.range === '0..1' ? 0 : -1;
    const write = (indices: ArrayLike<number>) => {
      const images = new Float32Array(indices.length * PIXELS);
      const labels = new Float32Array(indices.length * 10);
      for (let row = 0; row < indices.length; row++) {
        const index = indices[row]!;
        const from = index * PIXELS;
        for (let k = 0; k < PIXELS; k++) images[row * PIXELS + k] = data.images[from + k]! * scale + shift;
        labels[row * 10 + data.labels[index]!] = 1;
      }
      return { images, labels };
    };
    // Epoch-wise shuffling with the run's seeded generator (Fisher-Yates).
    const order = Uint32Array.from({ length: data.count }, (_, i) => i);
    let cursor = data.count;
    const reshuffle = () => {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(env.random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      cursor = 0;
    };
    return {
      next(batchSize) {
        const picked = new Uint32Array(batchSize);
        for (let row = 0; row < batchSize; row++) {
          if (cursor >= data.count) reshuffle();
          picked[row] = order[cursor++]!;
        }
        return write(picked);
      },
      fixed: (count) => write(Uint32Array.from({ length: Math.min(count, data.count) }, (_, i) => i)),
    };
  },
});
