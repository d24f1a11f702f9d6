import type * as tfjs from '@tensorflow/tfjs';

/** The size of one image: height, width and channels (1 greyscale, 3 RGB, 4 RGBA). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** Images for a grid: `count` images of one shape, values in [0, 1], each row-major with channels last. */
export interface ImageBatch extends ImageShape {
  count: number;
  pixels: Float32Array;
  /** The class each image was generated for, where class labels condition them. */
  classes?: Uint8Array;
}

/** A picture to save: one byte per channel of each pixel, row-major. */
export interface Picture extends ImageShape {
  pixels: Uint8Array;
}

const GAP = 2;
const BACKGROUND = 255;

/**
 * Lays images out as a grid with small white gaps, like the seeds' 4x4
 * matplotlib figures (Greys_r: 0 is black, 1 is white). `columns` of 8 with
 * interleaved batches shows x beside its reconstruction.
 */
export function imageGrid(batch: ImageBatch, columns = 4): Picture {
  const { channels } = batch;
  const rows = Math.ceil(batch.count / columns);
  const width = columns * batch.width + (columns - 1) * GAP;
  const height = rows * batch.height + (rows - 1) * GAP;
  const pixels = new Uint8Array(width * height * channels).fill(BACKGROUND);
  const row = batch.width * channels;
  const size = batch.height * row;
  for (let i = 0; i < batch.count; i++) {
    const left = (i % columns) * (batch.width + GAP) * channels;
    const top = Math.floor(i / columns) * (batch.height + GAP);
    for (let y = 0; y < batch.height; y++) {
      for (let x = 0; x < row; x++) {
        const value = batch.pixels[i * size + y * row + x]!;
        pixels[(top + y) * width * channels + left + x] = Math.round(Math.min(1, Math.max(0, value)) * 255);
      }
    }
  }
  return { width, height, channels, pixels };
}

/** Interleaves inputs and their reconstructions: x1, x1', x2, x2', ... */
export function pairs(inputs: ImageBatch, outputs: ImageBatch): ImageBatch {
  const size = inputs.width * inputs.height * inputs.channels;
  const count = Math.min(inputs.count, outputs.count);
  const pixels = new Float32Array(2 * count * size);
  for (let i = 0; i < count; i++) {
    pixels.set(inputs.pixels.subarray(i * size, (i + 1) * size), 2 * i * size);
    pixels.set(outputs.pixels.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  return { count: 2 * count, width: inputs.width, height: inputs.height, channels: inputs.channels, pixels };
}

/**
 * Runs `compute` inside tf.tidy and shows its result [n, ...] (values in
 * `range`) as n images of `image`'s shape, or, without one, as square
 * single-channel images. Reads back asynchronously: WebGPU in a worker
 * returns wrong values from a synchronous read.
 */
export async function imageBatch(tf: typeof tfjs, range: '0..1' | '-1..1', compute: () => tfjs.Tensor, image?: ImageShape): Promise<ImageBatch> {
  const { values, count, height, width, channels } = tf.tidy(() => {
    const value = compute();
    const count = value.shape[0]!;
    const features = value.size / count;
    const side = Math.round(Math.sqrt(features));
    const shape = image ?? { height: side, width: side, channels: 1 };
    if (shape.height * shape.width * shape.channels !== features) throw new Error(`cannot show ${value.shape.join('x')} values as ${shape.height}x${shape.width}x${shape.channels} images`);
    const unit = range === '-1..1' ? tf.div(tf.add(value, 1), 2) : value;
    return { values: tf.clipByValue(unit, 0, 1), count, ...shape };
  });
  try {
    return { count, height, width, channels, pixels: (await values.data()) as Float32Array };
  } finally {
    values.dispose();
  }
}

/** Images generated in bulk are drawn this many at a time: any count fits in memory. */
export const GENERATE_CHUNK = 256;

/** Batches of one image shape, one after another (samples generated in chunks). */
export function concatBatches(chunks: readonly ImageBatch[]): ImageBatch {
  if (chunks.length === 0) throw new Error('no image batches to join');
  const pixels = new Float32Array(chunks.reduce((n, c) => n + c.pixels.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    pixels.set(chunk.pixels, offset);
    offset += chunk.pixels.length;
  }
  const joined = { ...chunks[0]!, count: chunks.reduce((n, c) => n + c.count, 0), pixels };
  if (!chunks.every((c) => c.classes)) return { ...joined, classes: undefined };
  const classes = new Uint8Array(joined.count);
  offset = 0;
  for (const chunk of chunks) {
    classes.set(chunk.classes!, offset);
    offset += chunk.count;
  }
  return { ...joined, classes };
}
