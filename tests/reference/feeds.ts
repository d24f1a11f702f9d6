import type { Dataset } from '../../lib/runtime/dataset';
import { createRng } from '../../lib/runtime/rng';

/**
 * Deterministic batches served identically to a compiled program (through
 * its `feed` option) and to a hand-written reference: real MNIST digits in
 * order, and uniform(-1, 1) noise from a fixed seed, one stream per source.
 */
export function feedStreams(mnist: Dataset, seed = 'fidelity') {
  let cursor = 0;
  const noise = createRng(seed);
  const images = (shape: number[]) => {
    const [batch, ...rest] = shape;
    const size = rest.reduce((a, b) => a * b, 1);
    const out = new Float32Array(batch! * size);
    for (let row = 0; row < batch!; row++, cursor = (cursor + 1) % mnist.count) {
      for (let k = 0; k < size; k++) out[row * size + k] = mnist.images[cursor * 784 + k]! / 255;
    }
    return out;
  };
  const uniform = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => noise.random() * 2 - 1);
  return { images, uniform };
}
