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
  for (const split of all) {
    if (split.count === 0) fail(`${split.source}: holds no images`);
    if (split.height > DATASET_LIMITS.side || split.width > DATASET_LIMITS.side) fail(`${split.source}: ${split.height}x${split.width} images; the largest size is ${DATASET_LIMITS.side}x${DATASET_LIMITS.side} (resize them at import)`);
    if (split.channels !== 1 && split.channels !== 3) fail(`${split.source}: ${split.channels} channels; datasets are greyscale (1) or RGB (3)`);
  }
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
