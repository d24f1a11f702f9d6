import type * as tfjs from '@tensorflow/tfjs';

/** Images for a grid: `count` single-channel images with values in [0, 1]. */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  pixels: Float32Array;
}

/** A greyscale picture, one byte per pixel, row-major. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const GAP = 2;
const BACKGROUND = 255;

/**
 * Lays images out as a grid with small white gaps, like the seeds' 4x4
 * matplotlib figures (Greys_r: 0 is black, 1 is white). `columns` of 8 with
 * interleaved batches shows x beside its reconstruction.
 */
export function imageGrid(batch: ImageBatch, columns = 4): GreyImage {
  const rows = Math.ceil(batch.count / columns);
  const width = columns * batch.width + (columns - 1) * GAP;
  const height = rows * batch.height + (rows - 1) * GAP;
  const pixels = new Uint8Array(width * height).fill(BACKGROUND);
  const size = batch.width * batch.height;
  for (let i = 0; i < batch.count; i++) {
    const left = (i % columns) * (batch.width + GAP);
    const top = Math.floor(i / columns) * (batch.height + GAP);
    for (let y = 0; y < batch.height; y++) {
      for (let x = 0; x < batch.width; x++) {
        const value = batch.pixels[i * size + y * batch.width + x]!;
        pixels[(top + y) * width + left + x] = Math.round(Math.min(1, Math.max(0, value)) * 255);
      }
    }
  }
  return { width, height, pixels };
}

/** Interleaves inputs and their reconstructions: x1, x1', x2, x2', ... */
export function pairs(inputs: ImageBatch, outputs: ImageBatch): ImageBatch {
  const size = inputs.width * inputs.height;
  const count = Math.min(inputs.count, outputs.count);
  const pixels = new Float32Array(2 * count * size);
  for (let i = 0; i < count; i++) {
    pixels.set(inputs.pixels.subarray(i * size, (i + 1) * size), 2 * i * size);
    pixels.set(outputs.pixels.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  return { count: 2 * count, width: inputs.width, height: inputs.height, pixels };
}

/**
 * Runs `compute` inside tf.tidy and shows its result [n, ...] (values in
 * `range`) as n square single-channel images. Reads back asynchronously:
 * WebGPU in a worker returns wrong values from a synchronous read.
 */
export async function imageBatch(tf: typeof tfjs, range: '0..1' | '-1..1', compute: () => tfjs.Tensor): Promise<ImageBatch> {
  const { image, count, side } = tf.tidy(() => {
    const value = compute();
    const count = value.shape[0]!;
    const features = value.size / count;
    const side = Math.round(Math.sqrt(features));
    if (side * side !== features) throw new Error(`cannot show ${value.shape.join('x')} values as square single-channel images`);
    const unit = range === '-1..1' ? tf.div(tf.add(value, 1), 2) : value;
    return { image: tf.clipByValue(unit, 0, 1), count, side };
  });
  try {
    return { count, height: side, width: side, pixels: (await image.data()) as Float32Array };
  } finally {
    image.dispose();
  }
}
