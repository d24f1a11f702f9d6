import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Dataset, DatasetRef, InMemoryDataset } from '../runtime/dataset';
import { checkSplitFiles, MANIFEST_FILE, parseManifest, readSplit, splitFiles, type DatasetManifest } from '../runtime/dataset-folder';
import { idxBytes, idxHeader } from '../runtime/idx';
import { fail, ImportError } from './import/files';
import type { PlannedSplit } from './import/split';

/**
 * Dataset folders on disk (see lib/runtime/dataset-folder.ts): written as an
 * import decodes them, never all in memory, then read back through the
 * library's own checks; read back checked.
 */
export type Splits = { train: Dataset; test?: Dataset };

/** What writing a dataset folder found in it: its bytes, and what the Datasets page shows of it. */
export interface WrittenDataset {
  bytes: number;
  classCounts: { train: number[]; test?: number[] };
  /** Darkest and brightest pixel, 0-255. */
  range: [number, number];
}

/**
 * Writes a planned dataset into a new folder `part` (a temporary name beside
 * its final one): the manifest, each split's IDX files with its pixels as
 * they come (a split whose data ends early or runs long is refused, naming its
 * source), and a preview of the first training images; then reads the files
 * back through the library's own checks, so that what an import stores is
 * what the library, the CLI and exports accept. A failed write removes the
 * folder and throws (an ImportError where the data is at fault).
 */
export async function writeDatasetFolder(part: string, manifest: DatasetManifest, splits: { train: PlannedSplit; test?: PlannedSplit }): Promise<WrittenDataset> {
  try {
    await mkdir(part, { recursive: true });
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeFile(path.join(part, MANIFEST_FILE), manifestText);
    let bytes = Buffer.byteLength(manifestText);
    const range: [number, number] = [255, 0];
    const classCounts: WrittenDataset['classCounts'] = { train: [] };
    for (const split of ['train', 'test'] as const) {
      const data = splits[split];
      if (!data) continue;
      const written = await writeSplitFiles(part, split, data, range, split === 'train');
      bytes += written.bytes;
      classCounts[split] = Array.from({ length: data.classes }, (_, k) => data.labels.filter((l) => l === k).length);
      if (written.preview) {
        const png = previewPng({ ...data, count: Math.min(data.count, PREVIEW_COLUMNS * PREVIEW_ROWS), images: written.preview });
        await writeFile(path.join(part, 'preview.png'), png);
        bytes += png.byteLength;
      }
    }
    await checkFolder(part);
    return { bytes, classCounts, range };
  } catch (error) {
    await rm(part, { recursive: true, force: true });
    throw error;
  }
}

/** One split's image file (written a chunk at a time, as its pixels come) and label file; the first images kept for the preview. */
async function writeSplitFiles(dir: string, split: 'train' | 'test', data: PlannedSplit, range: [number, number], keepPreview: boolean) {
  const names = splitFiles(split);
  const item = data.height * data.width * data.channels;
  const expected = data.count * item;
  const preview = keepPreview ? new Uint8Array(Math.min(data.count, PREVIEW_COLUMNS * PREVIEW_ROWS) * item) : undefined;
  const dims = data.channels === 1 ? [data.count, data.height, data.width] : [data.count, data.height, data.width, data.channels];
  const header = idxHeader(dims);
  const handle = await open(path.join(dir, names.images), 'w');
  let at = 0;
  try {
    await handle.write(header);
    for await (const chunk of data.pixels()) {
      if (at + chunk.byteLength > expected) fail(`${data.source}: more pixel values than its ${data.count} images of ${data.height}x${data.width}x${data.channels} (${expected}): its shape and its data disagree`);
      if (preview && at < preview.byteLength) preview.set(chunk.subarray(0, preview.byteLength - at), at);
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i]!;
        if (v < range[0]) range[0] = v;
        if (v > range[1]) range[1] = v;
      }
      await handle.write(chunk);
      at += chunk.byteLength;
    }
  } finally {
    await handle.close();
  }
  if (at !== expected) fail(`${data.source}: ${at} pixel values for ${data.count} images of ${data.height}x${data.width}x${data.channels} (${expected}): its shape and its data disagree`);
  const labels = idxBytes([data.count], data.labels);
  await writeFile(path.join(dir, names.labels), labels);
  return { bytes: header.byteLength + expected + labels.byteLength, preview };
}

/** A written folder read back as the library reads it: its manifest, and each split's headers and labels (not its pixels). */
async function checkFolder(dir: string): Promise<void> {
  try {
    const manifest = await readDatasetManifest(dir);
    for (const split of ['train', 'test'] as const) {
      if (manifest.splits[split] === undefined) continue;
      const names = splitFiles(split);
      const images = await open(path.join(dir, names.images), 'r');
      try {
        const head = new Uint8Array(24);
        await images.read(head, 0, head.length, 0);
        checkSplitFiles(manifest, split, head, (await images.stat()).size, new Uint8Array(await readFile(path.join(dir, names.labels))));
      } finally {
        await images.close();
      }
    }
  } catch (error) {
    throw new ImportError(`cannot be stored as a dataset: ${(error as Error).message}`);
  }
}

export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  return parseManifest(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'), path.join(dir, MANIFEST_FILE));
}

export async function readDatasetSplit(dir: string, split: DatasetRef['split']): Promise<InMemoryDataset> {
  const manifest = await readDatasetManifest(dir);
  const files = splitFiles(split);
  return readSplit(manifest, split, await readFile(path.join(dir, files.images)), await readFile(path.join(dir, files.labels)));
}

const PREVIEW_COLUMNS = 8;
const PREVIEW_ROWS = 4;
const GAP = 2;

/** The checkerboard that RGBA images are shown over in the preview, so that transparency shows (light squares of 4 pixels). */
const checker = (x: number, y: number) => ((x >> 2) + (y >> 2)) % 2 === 0 ? 255 : 204;

/** The first items of a split as a grid (RGB PNG), for the Datasets page: RGBA over a checkerboard. */
function previewPng(data: Pick<Dataset, 'count' | 'height' | 'width' | 'channels'> & { images: Uint8Array }): Uint8Array {
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
        const alpha = data.channels === 4 ? data.images[from + 3]! / 255 : 1;
        const under = checker(x, y);
        for (let c = 0; c < 3; c++) png.data[to + c] = Math.round(data.images[from + (data.channels >= 3 ? c : 0)]! * alpha + under * (1 - alpha));
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
