import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import { getTemplate } from '../../../lib/templates';
import { mnistData, wasm } from '../../helpers';

/** Samples in bulk, for anyone's own metric: generate(n) from the sample preview, with fresh noise. */
describe('TrainingProgram.generate', () => {
  beforeAll(wasm);

  it('draws n new images in [0, 1] with noise of their own, the same for a seed, in chunks', async () => {
    const program = () => compile(getTemplate('cgan')!.doc, { tf, data: mnistData, seed: 3, batchSize: 8 });
    const a = await program();
    const b = await program();
    try {
      const first = (await a.generate(300))!;
      expect([first.count, first.height, first.width, first.channels, first.pixels.length]).toEqual([300, 28, 28, 1, 300 * 784]);
      expect(first.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      // The same seed generates the same images; the next call continues the stream.
      expect(Array.from((await b.generate(300))!.pixels)).toEqual(Array.from(first.pixels));
      const next = (await a.generate(16))!;
      expect(Array.from(next.pixels)).not.toEqual(Array.from(first.pixels.subarray(0, 16 * 784)));
      // Fresh noise, not the fixed preview draw behind the sample grids.
      const grid = (await a.samples())!;
      expect(Array.from(next.pixels)).not.toEqual(Array.from(grid.pixels.subarray(0, 16 * 784)));
      await expect(a.generate(0)).rejects.toThrow(/samples: from 1 to 100000, got 0/);
      const held = tf.memory().numTensors;
      await a.generate(40);
      expect(tf.memory().numTensors).toBe(held);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
