import { itemSize, type Dataset } from './dataset';
import { categorical, normals, permutation, uniforms, type DrawAt, type Stream } from './random';

/**
 * What data sources draw: batches of data, noise and labels, each a pure
 * function of its stream and its position in it (see random.ts), so the app
 * and exported projects draw the same values for the same seed, and any
 * iteration's draw can be computed without the ones before it. Runtime: the
 * exporter ships it verbatim.
 */
export interface Batches {
  /** Values per output port, batch-major: `rows` rows of the draw at `at`. */
  draw(at: DrawAt, rows: number): Record<string, Float32Array>;
  /** A fixed batch for previews where the source has one (a dataset's first items); otherwise previews take the draw at (0, 0). */
  fixed?(count: number): Record<string, Float32Array>;
}

/** The fixed batch previews read: the source's own, or its draw at (0, 0). */
export const previewBatch = (batches: Batches, count: number): Record<string, Float32Array> => batches.fixed?.(count) ?? batches.draw({ iteration: 0, draw: 0 }, count);

/**
 * A dataset in mini-batches, epoch by epoch like TF1's
 * `mnist.train.next_batch`: row r of draw k in iteration i is item
 * p = (i * drawsPerIteration + k) * rows + r of the sequence that visits every
 * item once per epoch, epoch e in the order of the permutation drawn at
 * (e, 0). `images` scaled to `range`, `labels` one-hot.
 */
export function imageBatches(data: Dataset, range: '0..1' | '-1..1', stream: Stream, drawsPerIteration = 1): Batches {
  const scale = range === '0..1' ? 1 / 255 : 2 / 255;
  const shift = range === '0..1' ? 0 : -1;
  // The 256 values a pixel can take (computed in float64, rounded once): a lookup per pixel.
  const values = Float32Array.from({ length: 256 }, (_, byte) => byte * scale + shift);
  const size = itemSize(data);
  const write = (indices: ArrayLike<number>) => {
    const images = new Float32Array(indices.length * size);
    const labels = new Float32Array(indices.length * data.classes);
    for (let row = 0; row < indices.length; row++) {
      const index = indices[row]!;
      const pixels = data.item(index);
      const at = row * size;
      for (let k = 0; k < size; k++) images[at + k] = values[pixels[k]!]!;
      labels[row * data.classes + data.labels[index]!] = 1;
    }
    return { images, labels };
  };
  // A batch spans at most two epochs (more only when it is larger than the dataset): keep the last two orders.
  const orders = new Map<number, Uint32Array>();
  const order = (epoch: number) => {
    let found = orders.get(epoch);
    if (!found) {
      found = permutation(stream, { iteration: epoch, draw: 0 }, data.count);
      if (orders.size >= 2) orders.delete(orders.keys().next().value!);
      orders.set(epoch, found);
    }
    return found;
  };
  return {
    draw({ iteration, draw }, rows) {
      const first = (iteration * drawsPerIteration + draw) * rows;
      const picked = new Uint32Array(rows);
      for (let row = 0; row < rows; row++) {
        const position = first + row;
        const epoch = Math.floor(position / data.count);
        picked[row] = order(epoch)[position - epoch * data.count]!;
      }
      return write(picked);
    },
    // The first items, from the start again when the dataset has fewer than asked for.
    fixed: (count) => write(Uint32Array.from({ length: count }, (_, i) => i % data.count)),
  };
}

export interface NoiseSpec {
  distribution: 'uniform' | 'normal';
  shape: number[];
  low: number;
  high: number;
  mean: number;
  stddev: number;
  /** One draw per batch item, or one draw shared by the batch. */
  perSample: boolean;
}

/** Uniform(low, high) or normal(mean, stddev) noise on port `z`. */
export function noiseBatches(spec: NoiseSpec, stream: Stream): Batches {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return {
    draw(at, rows) {
      const count = spec.perSample ? rows * size : size;
      return { z: spec.distribution === 'uniform' ? uniforms(stream, at, count, spec.low, spec.high) : normals(stream, at, count, spec.mean, spec.stddev) };
    },
  };
}

export interface LabelSpec {
  classes: number;
  /** `random`: a uniformly drawn class per row; `class`: every row the one class. */
  mode: 'random' | 'class';
  class: number;
}

/**
 * One-hot class labels on port `labels`, for conditional models: drawn at
 * random for training, and for previews in class order, rows spread evenly
 * over the classes (a grid of `classes` rows shows one row per class).
 */
export function labelBatches(spec: LabelSpec, stream: Stream): Batches {
  const oneHot = (count: number, classOf: (row: number) => number) => {
    const labels = new Float32Array(count * spec.classes);
    for (let row = 0; row < count; row++) labels[row * spec.classes + classOf(row)] = 1;
    return { labels };
  };
  const fixedClass = spec.mode === 'class' ? () => spec.class : undefined;
  return {
    draw(at, rows) {
      if (fixedClass) return oneHot(rows, fixedClass);
      const classes = categorical(stream, at, rows, spec.classes);
      return oneHot(rows, (row) => classes[row]!);
    },
    fixed: (count) => oneHot(count, fixedClass ?? ((row) => Math.floor((row * spec.classes) / count))),
  };
}
