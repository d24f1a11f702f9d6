import type { DataProvider, Dataset, DatasetRef } from '../runtime/dataset';
import { MNIST_FILES, mnistSplit, type Split } from '../runtime/mnist';

/**
 * A DataProvider for the datasets built in (MNIST), reading each split's two
 * IDX files once from wherever `read` finds them. A failed read (the
 * network, a missing file) is tried again next time.
 */
export function mnistProvider(read: (file: string) => Promise<Uint8Array>): DataProvider {
  const cache = new Map<Split, Promise<Dataset>>();
  return {
    dataset(ref: DatasetRef) {
      if (ref.id !== 'mnist') return Promise.reject(new Error(`unknown dataset "${ref.id}": the built-in dataset is mnist`));
      let loaded = cache.get(ref.split);
      if (!loaded) {
        const files = MNIST_FILES[ref.split];
        loaded = Promise.all([read(files.images), read(files.labels)]).then(([images, labels]) => mnistSplit(images, labels, ref.split));
        cache.set(ref.split, loaded);
        loaded.catch(() => cache.delete(ref.split));
      }
      return loaded;
    },
  };
}
