import { openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, DatasetRef } from '../runtime/dataset';
import { fileReader, fileSplit, MANIFEST_FILE, MEMORY_BYTES, parseManifest, readSplit, splitFiles } from '../runtime/dataset-folder';

/**
 * The datasets the graph reads, from the folder given by --data: one folder
 * per dataset, named by its id (data/mnist/, data/<id>/), each holding
 * dataset.json and IDX files. The export carries the data it was made with,
 * so nothing is downloaded; a missing file is an error naming the path.
 */
export async function loadDataset(dir: string, ref: DatasetRef): Promise<Dataset> {
  const folder = path.join(dir, ref.id);
  const read = async (file: string) => {
    try {
      return new Uint8Array(await readFile(path.join(folder, file)));
    } catch {
      throw new Error(`${path.resolve(folder, file)} is missing: --data must name a folder holding ${ref.id}/ (as the exported project's data/ does)`);
    }
  };
  const manifest = parseManifest(new TextDecoder().decode(await read(MANIFEST_FILE)), path.join(folder, MANIFEST_FILE));
  const files = splitFiles(ref.split);
  // Larger than memory: its items are read from the file as they are drawn.
  const bytes = (manifest.splits[ref.split] ?? 0) * manifest.height * manifest.width * manifest.channels;
  if (bytes > MEMORY_BYTES) {
    const images = path.join(folder, files.images);
    const readAt = fileReader({ openSync, readSync }, images);
    return fileSplit(manifest, ref.split, readAt(0, 24), statSync(images).size, await read(files.labels), readAt);
  }
  return readSplit(manifest, ref.split, await read(files.images), await read(files.labels));
}
