import { imageBatches, noiseBatches } from '../../lib/runtime/batches';
import type { Dataset } from '../../lib/runtime/dataset';
import { sourceStream } from '../../lib/runtime/random';

/**
 * Deterministic batches served identically to a compiled program (through
 * its `feed` option) and to a hand-written reference, drawn from the
 * program's own streams: MNIST digits in the order the `X` source's training
 * stream shuffles them, and uniform(-1, 1) noise from the `Z` source's, one
 * draw after another.
 */
export function feedStreams(mnist: Dataset, seed = 0) {
  const data = imageBatches(mnist, '0..1', sourceStream(seed, 'train', '/X'));
  const noise = noiseBatches({ distribution: 'uniform', shape: [1], low: -1, high: 1, mean: 0, stddev: 1, perSample: true }, sourceStream(seed, 'train', '/Z'));
  let batches = 0;
  let draws = 0;
  const images = (shape: number[]) => data.draw({ iteration: batches++, draw: 0 }, shape[0]!).images!;
  const uniform = (shape: number[]) => noise.draw({ iteration: draws++, draw: 0 }, shape.reduce((a, b) => a * b, 1)).z!;
  return { images, uniform };
}
