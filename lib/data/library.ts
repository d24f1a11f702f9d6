import type { DataProvider, Dataset, DatasetRef } from '../runtime/dataset';
import { fileSplit, MANIFEST_FILE, MEMORY_BYTES, parseManifest, readSplit, splitFiles } from '../runtime/dataset-folder';
import { mnistProvider } from './mnist';

/** Where a provider finds files: MNIST's by their IDX names, a library dataset's by its id and file name. */
export interface DataFiles {
  mnist(file: string): Promise<Uint8Array>;
  dataset(id: string, file: string): Promise<Uint8Array>;
  /** Where a dataset's file is on disk, and its size, where files are (Node): copied, or read a part at a time, instead of read whole. */
  datasetFile?(id: string, file: string): Promise<{ path: string; size: number }>;
  /** A reader of a dataset file's bytes at an offset, where files are (Node). */
  datasetReader?(id: string, file: string): (offset: number, length: number) => Uint8Array;
  /** A file of the bundled MNIST classifier (model.json, weights.bin). */
  classifier(file: string): Promise<Uint8Array>;
}

const ID = /^[a-z0-9]{1,64}$/;

/**
 * Every dataset a graph can read: MNIST (built in) and the library's
 * datasets (a folder each: manifest and IDX files). Each split is read once
 * and checked; a failed read is tried again next time.
 */
export function libraryProvider(files: DataFiles, { maxBytes }: { maxBytes?: number } = {}): DataProvider {
  const mnist = mnistProvider(files.mnist);
  const cache = new Map<string, Promise<Dataset>>();
  return {
    dataset(ref: DatasetRef) {
      if (ref.id === 'mnist') return mnist.dataset(ref);
      if (!ID.test(ref.id)) return Promise.reject(new Error(`"${ref.id}" is not a dataset id`));
      const key = `${ref.id}/${ref.split}`;
      let loaded = cache.get(key);
      if (!loaded) {
        loaded = (async () => {
          const manifest = parseManifest(new TextDecoder().decode(await files.dataset(ref.id, MANIFEST_FILE)), `dataset ${ref.id}: ${MANIFEST_FILE}`);
          // Refused from its manifest, before its images are fetched.
          const bytes = (manifest.splits[ref.split] ?? 0) * manifest.height * manifest.width * manifest.channels;
          if (maxBytes !== undefined && bytes > maxBytes) throw new DatasetTooLarge(manifest.name, ref.split, bytes, maxBytes);
          const names = splitFiles(ref.split);
          // Larger than memory: its items are read from the file as they are drawn.
          const located = bytes > MEMORY_BYTES ? await files.datasetFile?.(ref.id, names.images) : undefined;
          if (located && files.datasetReader) {
            const readAt = files.datasetReader(ref.id, names.images);
            return fileSplit(manifest, ref.split, readAt(0, 24), located.size, await files.dataset(ref.id, names.labels), readAt);
          }
          const [images, labels] = await Promise.all([files.dataset(ref.id, names.images), files.dataset(ref.id, names.labels)]);
          return readSplit(manifest, ref.split, images, labels);
        })();
        cache.set(key, loaded);
        loaded.catch(() => cache.delete(key));
      }
      return loaded;
    },
  };
}

const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;

/** A dataset split larger than where it would be trained can hold (the browser): says where it trains instead. */
export class DatasetTooLarge extends Error {
  constructor(name: string, split: string, bytes: number, limit: number) {
    super(
      `"${name}" (${split}) holds ${megabytes(bytes)} of pixels; training in the browser holds at most ${megabytes(limit)}. ` +
        `Train it from a terminal (npm run train -- --dataset ...) or from a PyTorch export, which reads datasets larger than memory from their files.`,
    );
  }
}
