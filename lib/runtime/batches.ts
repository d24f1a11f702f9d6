import { itemSize, type Dataset } from './dataset';

/**
 * Batches of data and noise drawn from a seeded generator. Runtime: the
 * exporter ships it verbatim, so exported projects see the same batches as
 * the app for the same seed.
 */
export interface Batches {
  /** Values per output port, batch-major. */
  next(batchSize: number): Record<string, Float32Array>;
  /** A fixed, deterministic batch for previews (e.g. the first digits). */
  fixed?(count: number): Record<string, Float32Array>;
}

/**
 * A dataset shuffled into mini-batches epoch by epoch (Fisher-Yates), like TF1's
 * `mnist.train.next_batch`: `images` scaled to `range`, `labels` one-hot.
 */
export function imageBatches(data: Dataset, range: '0..1' | '-1..1', random: () => number): Batches {
  const scale = range === '0..1' ? 1 / 255 : 2 / 255;
  const shift = range === '0..1' ? 0 : -1;
  const size = itemSize(data);
  const write = (indices: ArrayLike<number>) => {
    const images = new Float32Array(indices.length * size);
    const labels = new Float32Array(indices.length * data.classes);
    for (let row = 0; row < indices.length; row++) {
      const index = indices[row]!;
      const from = index * size;
      for (let k = 0; k < size; k++) images[row * size + k] = data.images[from + k]! * scale + shift;
      labels[row * data.classes + data.labels[index]!] = 1;
    }
    return { images, labels };
  };
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  let cursor = data.count;
  const reshuffle = () => {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
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
export function noiseBatches(spec: NoiseSpec, rng: { random(): number; normal(): number }): Batches {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const one = spec.distribution === 'uniform' ? () => spec.low + (spec.high - spec.low) * rng.random() : () => spec.mean + spec.stddev * rng.normal();
  return {
    next(batchSize) {
      const values = new Float32Array(spec.perSample ? batchSize * size : size);
      for (let i = 0; i < values.length; i++) values[i] = one();
      return { z: values };
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
export function labelBatches(spec: LabelSpec, rng: { random(): number }): Batches {
  const oneHot = (count: number, classOf: (row: number) => number) => {
    const labels = new Float32Array(count * spec.classes);
    for (let row = 0; row < count; row++) labels[row * spec.classes + classOf(row)] = 1;
    return { labels };
  };
  const fixedClass = spec.mode === 'class' ? () => spec.class : undefined;
  return {
    next: (count) => oneHot(count, fixedClass ?? (() => Math.min(spec.classes - 1, Math.floor(rng.random() * spec.classes)))),
    fixed: (count) => oneHot(count, fixedClass ?? ((row) => Math.floor((row * spec.classes) / count))),
  };
}
