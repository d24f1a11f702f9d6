import { err, ok, type Result } from '../../result';
import { DATASET_LIMITS } from '../limits';

/**
 * What a user may tell an import that the files do not say: a size to
 * resize images to, their channels, what transparent pixels become, the
 * range the values of an array mean, and for CSV which column holds the
 * labels and the shape of a row's image. The Datasets page and `npm run
 * data -- import` both read their fields with `parseImportOptions`, so both
 * accept the same values and refuse the others with the same words.
 */
export interface ImportOptions {
  /** Resize every image to this size (cropping to keep its aspect); without it, all images must share one size. */
  size?: { height: number; width: number };
  /** 1: greyscale, 3: RGB; default: RGB if any image has colour, else greyscale. */
  channels?: 1 | 3;
  /** Transparent pixels composited over white (the default) or black, or alpha kept as a fourth channel (RGBA). */
  background?: Background;
  /** What the values of an array or CSV mean: `low` is black, `high` white. Default: told from the values (see range.ts). */
  range?: DeclaredRange;
  /** The CSV column of the labels: the first, the last, none, or a header's column name. Default: told from the header or the column count. */
  label?: LabelColumn;
  /** The image one CSV row holds. Default: told from the column count (a square, greyscale or RGB). */
  shape?: { height: number; width: number; channels: 1 | 3 };
}

export type Background = 'white' | 'black' | 'alpha';
export const BACKGROUNDS: readonly Background[] = ['white', 'black', 'alpha'];

export interface DeclaredRange {
  low: number;
  high: number;
}

export type LabelColumn = 'first' | 'last' | 'none' | { name: string };

/** The options as text, as a form or a command line gives them; an absent or empty field is the default. */
export type RawImportOptions = Partial<Record<'size' | 'channels' | 'background' | 'range' | 'label' | 'shape', string | null | undefined>>;

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const RANGE = new RegExp(String.raw`^(${NUMBER})\s*(?:\.\.|-|:|to)\s*(${NUMBER})$`);

/** Each field checked; a refusal names the field and says what it takes. */
export function parseImportOptions(raw: RawImportOptions): Result<ImportOptions> {
  const out: ImportOptions = {};
  const given = (value: string | null | undefined) => (value ?? '').trim();
  const size = given(raw.size);
  if (size) {
    const match = /^(\d{1,5})x(\d{1,5})$/i.exec(size);
    if (!match) return err(`size must be HEIGHTxWIDTH, e.g. 64x64, got "${size}"`);
    const [height, width] = [Number(match[1]), Number(match[2])];
    if (height < 1 || width < 1 || height > DATASET_LIMITS.side || width > DATASET_LIMITS.side) return err(`size: from 1x1 to ${DATASET_LIMITS.side}x${DATASET_LIMITS.side}, got "${size}"`);
    out.size = { height, width };
  }
  const channels = given(raw.channels);
  if (channels) {
    if (channels !== 'grey' && channels !== 'rgb') return err(`channels must be grey or rgb, got "${channels}"`);
    out.channels = channels === 'grey' ? 1 : 3;
  }
  const background = given(raw.background);
  if (background) {
    if (!BACKGROUNDS.includes(background as Background)) return err(`background must be white, black or alpha (keep transparency as a fourth channel), got "${background}"`);
    out.background = background as Background;
    if (out.background === 'alpha' && out.channels) return err(`background alpha keeps transparency as a fourth channel of RGB (RGBA); it cannot be combined with channels ${channels}`);
  }
  const range = given(raw.range);
  if (range) {
    const match = RANGE.exec(range);
    if (!match) return err(`range must be LOW-HIGH, the values meaning black and white, e.g. 0-16 or -1..1, got "${range}"`);
    const [low, high] = [Number(match[1]), Number(match[2])];
    if (!(high > low)) return err(`range: its high end must be above its low end, got "${range}"`);
    out.range = { low, high };
  }
  const label = given(raw.label);
  if (label) out.label = label === 'first' || label === 'last' || label === 'none' ? label : { name: label };
  const shape = given(raw.shape);
  if (shape) {
    const match = /^(\d{1,5})x(\d{1,5})(?:x(\d))?$/i.exec(shape);
    if (!match) return err(`shape must be HEIGHTxWIDTH or HEIGHTxWIDTHxCHANNELS, e.g. 8x8 or 32x32x3, got "${shape}"`);
    const [height, width, depth] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 1)];
    if (height < 1 || width < 1 || height > DATASET_LIMITS.side || width > DATASET_LIMITS.side) return err(`shape: from 1x1 to ${DATASET_LIMITS.side}x${DATASET_LIMITS.side}, got "${shape}"`);
    if (depth !== 1 && depth !== 3) return err(`shape: 1 (greyscale) or 3 (RGB) channels, got "${shape}"`);
    out.shape = { height, width, channels: depth };
  }
  return ok(out);
}
