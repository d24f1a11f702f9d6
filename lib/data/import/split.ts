import { DATASET_LIMITS, type ImportLimits } from '../limits';
import { fail } from './files';

/**
 * A split's pixels as an importer produces them: count x height x width x
 * channels bytes (0-255), item by item, row-major, channels last, in chunks
 * of any size. Each call starts over; nothing holds all of them at once.
 */
export type PixelSource = () => AsyncIterable<Uint8Array>;

/** Pixels already in memory, as a source. */
export const inMemory =
  (pixels: Uint8Array): PixelSource =>
  async function* () {
    yield pixels;
  };

/** One split as an importer read it from its headers: its shape, its pixels to come and, if the data has them, labels. */
export interface SplitData {
  /** The file (or folder) it came from, for messages. */
  source: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: PixelSource;
  labels?: Uint8Array;
}

/** A split checked as part of its dataset: its classes known, its labels present (all 0 for unlabelled data). */
export interface PlannedSplit extends Required<Omit<SplitData, 'labels'>> {
  labels: Uint8Array;
  classes: number;
}

export interface ImportedData {
  format: 'images' | 'idx' | 'npy' | 'csv';
  splits: { train: PlannedSplit; test?: PlannedSplit };
  classNames?: string[];
  /** What the import assumed or did to the data, in words (a scaled range, a guessed label column, transparency): shown in its summary. */
  notes: string[];
}

/**
 * The splits an importer read, checked as one dataset before any pixel is
 * decoded: a train split, one image size, labels on every split or none,
 * labels within the classes, and the import's limits on images and pixel
 * bytes (from the shapes its headers declare). An unlabelled dataset has one
 * class.
 */
export function assemble(format: ImportedData['format'], splits: { train?: SplitData; test?: SplitData }, limits: ImportLimits, classNames?: string[]): ImportedData {
  const { train, test } = splits;
  if (!train) return fail(test ? `${test.source}: only test data; a dataset needs training data (a file or folder not named test)` : 'No images found');
  const all = test ? [train, test] : [train];
  for (const split of all) checkSplit(split);
  if (test && (test.height !== train.height || test.width !== train.width || test.channels !== train.channels)) {
    fail(`${test.source}: ${test.height}x${test.width}x${test.channels} images, but the training data is ${train.height}x${train.width}x${train.channels}`);
  }
  if (test && Boolean(test.labels) !== Boolean(train.labels)) fail(`${(test.labels ? train : test).source}: has no labels while ${(test.labels ? test : train).source} has`);
  const items = all.reduce((n, s) => n + s.count, 0);
  if (items > limits.items) fail(`${items} images: a dataset holds at most ${limits.items}`);
  const bytes = all.reduce((n, s) => n + s.count * s.height * s.width * s.channels, 0);
  if (bytes > limits.pixelBytes) fail(`${bytes} bytes of pixels: a dataset holds at most ${limits.pixelBytes}`);
  let classes = classNames?.length ?? 1;
  if (!classNames && train.labels) for (const split of all) for (const label of split.labels!) if (label >= classes) classes = label + 1;
  if (classes > DATASET_LIMITS.classes) fail(`${classes} classes: a dataset has at most ${DATASET_LIMITS.classes}`);
  const planned = (s: SplitData): PlannedSplit => ({ ...s, labels: s.labels ?? new Uint8Array(s.count), classes });
  return { format, splits: test ? { train: planned(train), test: planned(test) } : { train: planned(train) }, ...(classNames ? { classNames } : {}), notes: [] };
}

/**
 * One split's shape, whatever importer read it: at least one image of at
 * least 1x1, within the size limit, greyscale, RGB or RGBA, and as many labels as
 * images. (That its pixels are as many as its shape says is checked as they
 * are written: a file that ends early is refused, naming it.)
 */
function checkSplit(split: SplitData): void {
  const { source, count, height, width, channels } = split;
  if (![count, height, width, channels].every(Number.isSafeInteger)) fail(`${source}: shape ${count}x${height}x${width}x${channels} is not whole numbers`);
  if (count === 0) fail(`${source}: holds no images`);
  if (height < 1 || width < 1) fail(`${source}: ${height}x${width} images; an image is at least 1x1`);
  if (height > DATASET_LIMITS.side || width > DATASET_LIMITS.side) fail(`${source}: ${height}x${width} images; the largest size is ${DATASET_LIMITS.side}x${DATASET_LIMITS.side} (resize them at import)`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(`${source}: ${channels} channels; datasets are greyscale (1), RGB (3) or RGBA (4)`);
  if (split.labels && split.labels.byteLength !== count) fail(`${source}: ${split.labels.byteLength} labels for ${count} images`);
}

/** Labels as bytes, each checked to be a class index (0..255): the error names the file and item. */
export function labelBytes(values: ArrayLike<number | bigint>, source: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v < 0 || v >= DATASET_LIMITS.classes) fail(`${source}: label ${String(values[i])} at item ${i} is not a class index (a whole number from 0 to ${DATASET_LIMITS.classes - 1})`);
    out[i] = v;
  }
  return out;
}

/** Every pixel of a split, in memory (for a dataset read once and not stored: the CLI's --dataset FILE). */
export async function collect(split: PlannedSplit): Promise<Uint8Array> {
  const pixels = new Uint8Array(split.count * split.height * split.width * split.channels);
  let at = 0;
  for await (const chunk of split.pixels()) {
    if (at + chunk.byteLength > pixels.byteLength) fail(`${split.source}: more pixel values than its ${split.count} images of ${split.height}x${split.width}x${split.channels} hold`);
    pixels.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== pixels.byteLength) fail(`${split.source}: ${at} pixel values for ${split.count} images of ${split.height}x${split.width}x${split.channels} (${pixels.byteLength}): its shape and its data disagree`);
  return pixels;
}
