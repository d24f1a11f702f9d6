import { zlibSync } from 'fflate';
import { crc32 } from '../runtime/checkpoint';
import type { Picture } from '../runtime/grid';

/**
 * Encodes a grid as PNG in plain code, for the training worker. The
 * browser's encoder (an OffscreenCanvas) is no good there: in Chromium, a
 * worker making one stalled while the page's leave warning blocked the
 * page's thread (survive.spec.ts caught it in 1 reload in 5), exactly when
 * the worker must finish the page's last checkpoint.
 * Greyscale, RGB and RGBA as they are (any other channel count: its first
 * channel as grey); 8 bits, no interlacing, each row unfiltered.
 */
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const COLOR_TYPE: Record<number, { type: number; channels: number }> = { 1: { type: 0, channels: 1 }, 3: { type: 2, channels: 3 }, 4: { type: 6, channels: 4 } };

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function encodePng({ width, height, channels, pixels }: Picture): Uint8Array<ArrayBuffer> {
  const { type, channels: written } = COLOR_TYPE[channels] ?? { type: 0, channels: 1 };
  const row = width * written;
  const raw = new Uint8Array(height * (row + 1));
  for (let y = 0; y < height; y++) {
    const at = y * (row + 1) + 1; // byte 0 of each row: filter type 0 (none)
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < written; c++) raw[at + x * written + c] = pixels[(y * width + x) * channels + c]!;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, type, 0, 0, 0], 8);
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (png.set(p, at), at + p.length), 0);
  return png;
}
