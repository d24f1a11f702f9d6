import { memoryDataset, type Dataset, type DatasetRef, type InMemoryDataset } from './dataset';
import { idxBytes, parseIdx, parseIdxHeader } from './idx';

/**
 * A dataset as a folder of files: `dataset.json` (what it holds) beside one
 * IDX image file and one IDX label file per split. The app's library stores
 * datasets this way, an exported project carries its data this way, and the
 * CLI reads such a folder with `--dataset DIR`. Runtime: shipped verbatim.
 */
export interface DatasetManifest {
  format: 'netloom-dataset';
  version: 1;
  name: string;
  height: number;
  width: number;
  /** 1 (greyscale), 3 (RGB) or 4 (RGBA: transparency kept at import). */
  channels: number;
  /** Labels are 0..classes-1; 1 when the data has no labels. */
  classes: number;
  /** Class names by index, when the data named them (folder names). */
  classNames?: string[];
  /** Items per split; a dataset always has a train split. */
  splits: { train: number; test?: number };
}

export const MANIFEST_FILE = 'dataset.json';

/** The two files of a split: images [n, h, w] or [n, h, w, c] and labels [n], unsigned bytes. */
export const splitFiles = (split: DatasetRef['split']) => ({ images: `${split}-images.idx`, labels: `${split}-labels.idx` });

/** The manifest in `text`, checked: an error names the file and the field that is wrong. */
export function parseManifest(text: string, what = MANIFEST_FILE): DatasetManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: not JSON (${(error as Error).message})`);
  }
  const m = value as Partial<DatasetManifest>;
  const whole = (n: unknown, min: number, max: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;
  if (typeof m !== 'object' || m === null || m.format !== 'netloom-dataset' || m.version !== 1) throw new Error(`${what}: not a Netloom dataset manifest (format "netloom-dataset", version 1)`);
  if (typeof m.name !== 'string') throw new Error(`${what}: name must be a string`);
  for (const field of ['height', 'width'] as const) if (!whole(m[field], 1, 4096)) throw new Error(`${what}: ${field} must be a whole number from 1 to 4096`);
  if (m.channels !== 1 && m.channels !== 3 && m.channels !== 4) throw new Error(`${what}: channels must be 1, 3 or 4`);
  if (!whole(m.classes, 1, 256)) throw new Error(`${what}: classes must be a whole number from 1 to 256`);
  if (m.classNames !== undefined && (!Array.isArray(m.classNames) || m.classNames.length !== m.classes || m.classNames.some((n) => typeof n !== 'string'))) {
    throw new Error(`${what}: classNames must list one name per class`);
  }
  if (typeof m.splits !== 'object' || m.splits === null || !whole(m.splits.train, 1, 1e9) || (m.splits.test !== undefined && !whole(m.splits.test, 1, 1e9))) {
    throw new Error(`${what}: splits must give a positive train count (and a test count, if any)`);
  }
  return m as DatasetManifest;
}

/** One split from its two IDX files, checked against the manifest: sizes, counts and labels. */
export function readSplit(manifest: DatasetManifest, split: DatasetRef['split'], imageBytes: Uint8Array, labelBytes: Uint8Array): InMemoryDataset {
  const { offset, labels } = checkSplitFiles(manifest, split, imageBytes, imageBytes.length, labelBytes);
  return memoryDataset({ count: labels.length, height: manifest.height, width: manifest.width, channels: manifest.channels, images: imageBytes.subarray(offset), labels, classes: manifest.classes });
}

/** The calls of Node's fs a file reader makes (passed in: this module also runs in browsers). */
export interface SyncFs {
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
}

/** `length` bytes of a file at `offset`, read when asked (the file stays open: training reads it until it ends). */
export function fileReader(fs: SyncFs, file: string): (offset: number, length: number) => Uint8Array {
  const fd = fs.openSync(file, 'r');
  return (offset, length) => {
    const bytes = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const read = fs.readSync(fd, bytes, done, length - done, offset + done);
      if (read === 0) throw new Error(`${file}: ends before byte ${offset + length}`);
      done += read;
    }
    return bytes;
  };
}

/** A split of more than this many bytes of pixels stays in its file, where there are files (Node): its items are read as they are drawn. */
export const MEMORY_BYTES = 2 ** 30;

/**
 * One split read from its files as far as training needs: its labels, and
 * each item's pixels read from the image file when drawn, through `readAt`
 * (`length` bytes of the image file at `offset`). A dataset larger than
 * memory trains in the memory of one batch.
 */
export function fileSplit(manifest: DatasetManifest, split: DatasetRef['split'], imageHead: Uint8Array, imageSize: number, labelBytes: Uint8Array, readAt: (offset: number, length: number) => Uint8Array): Dataset {
  const { offset, labels } = checkSplitFiles(manifest, split, imageHead, imageSize, labelBytes);
  const size = manifest.height * manifest.width * manifest.channels;
  return { count: labels.length, height: manifest.height, width: manifest.width, channels: manifest.channels, labels, classes: manifest.classes, item: (index) => readAt(offset + index * size, size) };
}

/**
 * A split's two IDX files against the manifest, from the image file's header
 * (`imageHead`, its first bytes, and its size: the pixels need not be read)
 * and the label file: sizes, counts and labels. Returns where the pixels start
 * and the labels.
 */
export function checkSplitFiles(manifest: DatasetManifest, split: DatasetRef['split'], imageHead: Uint8Array, imageSize: number, labelBytes: Uint8Array): { offset: number; labels: Uint8Array } {
  const files = splitFiles(split);
  const count = manifest.splits[split];
  if (count === undefined) throw new Error(`dataset "${manifest.name}" has no ${split} split`);
  const images = parseIdxHeader(imageHead, imageSize, files.images);
  const labels = parseIdx(labelBytes, files.labels);
  const expected = manifest.channels === 1 ? [count, manifest.height, manifest.width] : [count, manifest.height, manifest.width, manifest.channels];
  // Greyscale may come as [n, h, w, 1].
  const dims = manifest.channels === 1 && images.dims.length === 4 && images.dims[3] === 1 ? images.dims.slice(0, 3) : images.dims;
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) throw new Error(`${files.images}: ${images.dims.join(' x ')} does not match the manifest (${expected.join(' x ')})`);
  if (labels.dims.length !== 1 || labels.dims[0] !== count) throw new Error(`${files.labels}: ${labels.dims.join(' x ')} labels for ${count} images`);
  const bad = labels.data.findIndex((l) => l >= manifest.classes);
  if (bad >= 0) throw new Error(`${files.labels}: label ${labels.data[bad]} at item ${bad} is not below the ${manifest.classes} classes`);
  return { offset: images.offset, labels: labels.data };
}

/** A split in memory as its two IDX files, the inverse of `readSplit`. */
export function writeSplit(data: InMemoryDataset): { images: Uint8Array; labels: Uint8Array } {
  const dims = data.channels === 1 ? [data.count, data.height, data.width] : [data.count, data.height, data.width, data.channels];
  return { images: idxBytes(dims, data.images), labels: idxBytes([data.count], data.labels) };
}
