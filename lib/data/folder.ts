import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Dataset, DatasetRef } from '../runtime/dataset';
import { MANIFEST_FILE, parseManifest, readSplit, splitFiles, writeSplit, type DatasetManifest } from '../runtime/dataset-folder';

/**
 * Dataset folders on disk (see lib/runtime/dataset-folder.ts): written whole
 * or not at all, read back checked.
 */
export type Splits = { train: Dataset; test?: Dataset };

/** A dataset folder's files by name, ready to write. */
export type DatasetFiles = ReadonlyMap<string, Uint8Array>;

/**
 * The files of a dataset folder, read back through the library's own reader
 * before anything is stored: what an import stores is what the library, the
 * CLI and exports accept (an error here says which file and field the reader
 * refuses, and nothing is written).
 */
export function datasetFiles(manifest: DatasetManifest, splits: Splits): DatasetFiles {
  const files = new Map<string, Uint8Array>();
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  files.set(MANIFEST_FILE, new TextEncoder().encode(manifestText));
  const checked = parseManifest(manifestText);
  for (const split of ['train', 'test'] as const) {
    const data = splits[split];
    if (!data) continue;
    const names = splitFiles(split);
    const idx = writeSplit(data);
    readSplit(checked, split, idx.images, idx.labels);
    files.set(names.images, idx.images);
    files.set(names.labels, idx.labels);
  }
  files.set('preview.png', previewPng(splits.train));
  return files;
}

/** Bytes of a folder's files. */
export const filesBytes = (files: DatasetFiles) => [...files.values()].reduce((n, bytes) => n + bytes.byteLength, 0);

/** Writes the files into a new folder `part` (a temporary name beside its final one); a failed write removes it. */
export async function writeDatasetFolder(part: string, files: DatasetFiles): Promise<void> {
  try {
    await mkdir(part, { recursive: true });
    for (const [name, bytes] of files) await writeFile(path.join(part, name), bytes);
  } catch (error) {
    await rm(part, { recursive: true, force: true });
    throw error;
  }
}

export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  return parseManifest(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'), path.join(dir, MANIFEST_FILE));
}

export async function readDatasetSplit(dir: string, split: DatasetRef['split']): Promise<Dataset> {
  const manifest = await readDatasetManifest(dir);
  const files = splitFiles(split);
  return readSplit(manifest, split, await readFile(path.join(dir, files.images)), await readFile(path.join(dir, files.labels)));
}

/** Items per class, and the darkest and brightest pixel (0-255). */
export function splitStats(data: Dataset): { classCounts: number[]; range: [number, number] } {
  const classCounts = new Array<number>(data.classes).fill(0);
  for (const label of data.labels) classCounts[label]!++;
  let min = 255;
  let max = 0;
  for (const v of data.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { classCounts, range: [min, max] };
}

const PREVIEW_COLUMNS = 8;
const PREVIEW_ROWS = 4;
const GAP = 2;

/** The first items of a split as a grid (RGB PNG), for the Datasets page. */
export function previewPng(data: Dataset): Uint8Array {
  const count = Math.min(data.count, PREVIEW_COLUMNS * PREVIEW_ROWS);
  const rows = Math.ceil(count / PREVIEW_COLUMNS);
  const columns = Math.min(count, PREVIEW_COLUMNS);
  const png = new PNG({ width: columns * (data.width + GAP) - GAP, height: rows * (data.height + GAP) - GAP });
  png.data.fill(255);
  const item = data.height * data.width * data.channels;
  for (let i = 0; i < count; i++) {
    const left = (i % PREVIEW_COLUMNS) * (data.width + GAP);
    const top = Math.floor(i / PREVIEW_COLUMNS) * (data.height + GAP);
    for (let y = 0; y < data.height; y++) {
      for (let x = 0; x < data.width; x++) {
        const from = i * item + (y * data.width + x) * data.channels;
        const to = ((top + y) * png.width + left + x) * 4;
        for (let c = 0; c < 3; c++) png.data[to + c] = data.images[from + (data.channels === 3 ? c : 0)]!;
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
