import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

/** Writes a greyscale picture (one byte per pixel, row-major) as a PNG file. */
export async function writePng(file: string, image: { width: number; height: number; pixels: Uint8Array }): Promise<void> {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(image.pixels);
  await writeFile(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}
