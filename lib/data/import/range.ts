import { fail } from './files';
import type { DeclaredRange } from './options';

/**
 * How the values of an array (NumPy, CSV) become pixel bytes, one rule for
 * the whole dataset (every split scaled alike): a declared range is taken
 * as it is; otherwise the values tell it. Bytes 0-255 stay as they are,
 * [0, 1] and [-1, 1] are scaled, and whole numbers whose maximum is far below
 * 255 (8x8 digits of 0-16, binary 0/1 images) are scaled from 0..max, since
 * read as 0-255 they would be black (0.06 at most). Each scaling says what
 * it did, for the import's summary.
 */

/** Whole numbers with a maximum below this are taken as 0..max, not as 0-255 (a quarter of 255: dim 8-bit images stay as they are). */
export const SMALL_MAX = 64;

/** What an array's values were found to be: their extremes, where those lie (for messages), and whether every one is a whole number. */
export interface FoundRange {
  min: number;
  max: number;
  whole: boolean;
  /** Where the smallest and the largest value lie (the file, and its row and column or index). */
  minAt: string;
  maxAt: string;
}

/** byte = round((value + shift) * scale), clamped to 0-255. */
export interface PixelScale {
  shift: number;
  scale: number;
  /** What was assumed, in words; none when the values are bytes kept as they are. */
  note?: string;
}

const round = (n: number) => Number(n.toPrecision(6));

export function pixelScale(found: FoundRange, declared: DeclaredRange | undefined): PixelScale {
  const { min, max } = found;
  if (declared) {
    const { low, high } = declared;
    if (min < low) fail(`${found.minAt}: value ${min} is below the declared range ${low} to ${high}`);
    if (max > high) fail(`${found.maxAt}: value ${max} is above the declared range ${low} to ${high}`);
    return { shift: -low, scale: 255 / (high - low), note: `pixel values read as ${low} (black) to ${high} (white), as declared, and scaled to 0-255` };
  }
  if (min >= 0 && max <= 1 && max > 0) {
    return { shift: 0, scale: 255, note: found.whole ? 'pixel values are 0 and 1 only: read as black and white (0 and 255)' : 'pixel values in [0, 1]: scaled to 0-255' };
  }
  if (min < 0 && min >= -1 && max <= 1) return { shift: 1, scale: 127.5, note: 'pixel values in [-1, 1]: scaled to 0-255' };
  if (min >= 0 && max <= 255) {
    if (found.whole && max > 1 && max < SMALL_MAX) {
      return { shift: 0, scale: 255 / max, note: `pixel values are whole numbers from ${min} to ${max}, far below 255: read as 0 to ${max} and scaled to 0-255 (x${round(255 / max)}); declare a range to read them otherwise` };
    }
    return { shift: 0, scale: 1 };
  }
  const [low, high] = [Math.floor(min), Math.ceil(max)];
  const hint = `pixels must be 0-255, or floats in [0, 1] or [-1, 1]; declare their range (e.g. ${low}${low < 0 ? '..' : '-'}${high}) to scale others`;
  return min < 0 ? fail(`${found.minAt}: value ${min} is below 0: ${hint}`) : fail(`${found.maxAt}: value ${max} is above 255: ${hint}`);
}

export const isIdentity = (s: PixelScale) => s.shift === 0 && s.scale === 1;

/** Values as pixel bytes by `s`. */
export function toBytes(values: ArrayLike<number>, s: PixelScale): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i]! + s.shift) * s.scale)));
  return out;
}

/** Extremes and wholeness of values seen one at a time; `where(i)` names where value i lies (called only for a new extreme). */
export class RangeScanner implements FoundRange {
  min = Infinity;
  max = -Infinity;
  whole = true;
  minAt = '';
  maxAt = '';

  constructor(private where: (index: number) => string = () => '') {}

  see(v: number, index: number): void {
    if (v < this.min) {
      this.min = v;
      this.minAt = this.where(index);
    }
    if (v > this.max) {
      this.max = v;
      this.maxAt = this.where(index);
    }
    if (this.whole && !Number.isInteger(v)) this.whole = false;
  }
}

/** Several findings as one (the splits of one dataset, the columns of a CSV). */
export function mergeRanges(found: readonly FoundRange[]): FoundRange {
  const out: FoundRange = { min: Infinity, max: -Infinity, whole: true, minAt: '', maxAt: '' };
  for (const f of found) {
    if (f.min < out.min) [out.min, out.minAt] = [f.min, f.minAt];
    if (f.max > out.max) [out.max, out.maxAt] = [f.max, f.maxAt];
    out.whole &&= f.whole;
  }
  return out;
}
