import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';

/** Images for a grid: `count` single-channel images with values in [0, 1] (the runtime's ImageBatch). */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  pixels: Float32Array;
}

/** Runs `compute` without keeping its tensors, and shows its result [n, ...] (values in `range`) as n square single-channel images. */
export function toImages(range: '0..1' | '-1..1', compute: () => tf.Tensor): ImageBatch {
  return tf.tidy(() => {
    const value = compute();
    const count = value.shape[0]!;
    const features = value.size / count;
    const side = Math.round(Math.sqrt(features));
    if (side * side !== features) throw new Error(`cannot show ${value.shape.join('x')} values as square single-channel images`);
    const unit = range === '-1..1' ? tf.div(tf.add(value, 1), 2) : value;
    return { count, height: side, width: side, pixels: tf.clipByValue(unit, 0, 1).dataSync() as Float32Array };
  });
}

/** Writes a greyscale picture (one byte per pixel, row-major) as a PNG file. */
export async function writePng(file: string, image: { width: number; height: number; pixels: Uint8Array }): Promise<void> {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(image.pixels);
  await writeFile(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}
