import type { Dataset } from '../../runtime/dataset';
import { DATASET_LIMITS } from '../limits';
import { fail } from './files';

/** One split as an importer read it: pixels (0-255) and, if the data has them, labels. */
export interface SplitData {
  /** The file (or folder) it came from, for messages. */
  source: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  images: Uint8Array;
  labels?: Uint8Array;
}

export interface ImportedData {
  format: 'images' | 'idx' | 'npy' | 'csv';
  splits: { train: Dataset; test?: Dataset };
  classNames?: string[];
}

/**
 * The splits an importer read, checked as one dataset: a train split, one
 * image size, labels on every split or none, labels within the classes, and
 * the dataset limits. An unlabelled dataset has one class.
 */
export function assemble(format: ImportedData['format'], splits: { train?: SplitData; test?: SplitData }, classNames?: string[]): ImportedData {
  const { train, test } = splits;
  if (!train) return fail(test ? `${test.source}: only test data; a dataset needs training data (a file or folder not named test)` : 'No images found');
  const all = test ? [train, test] : [train];
  for (const split of all) checkSplit(split);
  if (test && (test.height !== train.height || test.width !== train.width || test.channels !== train.channels)) {
    fail(`${test.source}: ${test.height}x${test.width}x${test.channels} images, but the training data is ${train.height}x${train.width}x${train.channels}`);
  }
  if (test && Boolean(test.labels) !== Boolean(train.labels)) fail(`${(test.labels ? train : test).source}: has no labels while ${(test.labels ? test : train).source} has`);
  const items = all.reduce((n, s) => n + s.count, 0);
  if (items > DATASET_LIMITS.items) fail(`${items} images: a dataset holds at most ${DATASET_LIMITS.items}`);
  const bytes = all.reduce((n, s) => n + s.images.byteLength, 0);
  if (bytes > DATASET_LIMITS.pixelBytes) fail(`${bytes} bytes of pixels: a dataset holds at most ${DATASET_LIMITS.pixelBytes}`);
  let classes = classNames?.length ?? 1;
  if (!classNames && train.labels) for (const split of all) for (const label of split.labels!) if (label >= classes) classes = label + 1;
  if (classes > DATASET_LIMITS.classes) fail(`${classes} classes: a dataset has at most ${DATASET_LIMITS.classes}`);
  const dataset = (s: SplitData): Dataset => ({ count: s.count, height: s.height, width: s.width, channels: s.channels, images: s.images, labels: s.labels ?? new Uint8Array(s.count), classes });
  return { format, splits: test ? { train: dataset(train), test: dataset(test) } : { train: dataset(train) }, ...(classNames ? { classNames } : {}) };
}

/**
 * One split's shape against its data, whatever importer read it: at least
 * one image of at least 1x1, within the size limit, greyscale or RGB, and
 * exactly the pixels and labels its shape says. A header that disagrees with
 * its data is refused here, naming the file, instead of being stored.
 */
function checkSplit(split: SplitData): void {
  const { source, count, height, width, channels } = split;
  if (![count, height, width, channels].every(Number.isSafeInteger)) fail(`${source}: shape ${count}x${height}x${width}x${channels} is not whole numbers`);
  if (count === 0) fail(`${source}: holds no images`);
  if (height < 1 || width < 1) fail(`${source}: ${height}x${width} images; an image is at least 1x1`);
  if (height > DATASET_LIMITS.side || width > DATASET_LIMITS.side) fail(`${source}: ${height}x${width} images; the largest size is ${DATASET_LIMITS.side}x${DATASET_LIMITS.side} (resize them at import)`);
  if (channels !== 1 && channels !== 3) fail(`${source}: ${channels} channels; datasets are greyscale (1) or RGB (3)`);
  const pixels = count * height * width * channels;
  if (split.images.byteLength !== pixels) fail(`${source}: ${split.images.byteLength} pixel values for ${count} images of ${height}x${width}x${channels} (${pixels}): its shape and its data disagree`);
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
