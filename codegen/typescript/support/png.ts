import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

/** Writes a picture (one byte per channel of each pixel, row-major; greyscale, RGB or RGBA) as a PNG file. */
export async function writePng(file: string, image: { width: number; height: number; channels: number; pixels: Uint8Array }): Promise<void> {
  const colorType = image.channels === 4 ? 6 : image.channels === 3 ? 2 : 0;
  const png = new PNG({ width: image.width, height: image.height, colorType, inputColorType: colorType, bitDepth: 8 });
  png.data = Buffer.from(image.pixels);
  await writeFile(file, PNG.sync.write(png, { colorType, inputColorType: colorType }));
}
