import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, DatasetRef } from '../runtime/dataset';
import { MANIFEST_FILE, parseManifest, readSplit, splitFiles } from '../runtime/dataset-folder';

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
  return readSplit(manifest, ref.split, await read(files.images), await read(files.labels));
}
