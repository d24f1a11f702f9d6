import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../lib/train/png';

/** Pixels as pngjs decodes them (always RGBA). */
const decode = (png: Uint8Array) => PNG.sync.read(Buffer.from(png));

describe('PNG encoding in the training worker', () => {
  const width = 7;
  const height = 5;
  const values = (channels: number) => Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37) % 256);

  it('encodes greyscale, RGB and RGBA grids that a PNG decoder reads back exactly', () => {
    for (const channels of [1, 3, 4]) {
      const pixels = values(channels);
      const image = decode(encodePng({ width, height, channels, pixels }));
      expect([image.width, image.height]).toEqual([width, height]);
      for (let p = 0; p < width * height; p++) {
        const expected = channels === 1 ? [pixels[p], pixels[p], pixels[p], 255] : channels === 3 ? [...pixels.subarray(p * 3, p * 3 + 3), 255] : [...pixels.subarray(p * 4, p * 4 + 4)];
        expect([...image.data.subarray(p * 4, p * 4 + 4)]).toEqual(expected);
      }
    }
  });

  it('shows another channel count by its first channel, as grey', () => {
    const pixels = values(2);
    const image = decode(encodePng({ width, height, channels: 2, pixels }));
    expect([...image.data.subarray(0, 8)]).toEqual([pixels[0], pixels[0], pixels[0], 255, pixels[2], pixels[2], pixels[2], 255]);
  });
});
