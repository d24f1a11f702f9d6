import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Dataset, DatasetRef } from '../runtime/dataset';
import { MNIST_FILES, mnistSplit } from '../runtime/mnist';

/**
 * The datasets the graph reads, from files in a folder. MNIST is read from its
 * four IDX files, downloaded (gzipped, from a public mirror) when they are
 * missing; offline, the error says which files to put where.
 */
export const MNIST_MIRRORS = ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];

export async function loadDataset(dir: string, ref: DatasetRef): Promise<Dataset> {
  if (ref.id !== 'mnist') throw new Error(`unknown dataset "${ref.id}"`);
  const files = MNIST_FILES[ref.split];
  return mnistSplit(await readOrDownload(dir, files.images), await readOrDownload(dir, files.labels), ref.split);
}

async function readOrDownload(dir: string, file: string): Promise<Uint8Array> {
  const target = path.join(dir, file);
  try {
    return new Uint8Array(await readFile(target));
  } catch {
    // missing: fetch it below
  }
  const failures: string[] = [];
  for (const mirror of MNIST_MIRRORS) {
    try {
      process.stdout.write(`Downloading ${file} from ${mirror} ...\n`);
      const response = await fetch(`${mirror}${file}.gz`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(gunzipSync(new Uint8Array(await response.arrayBuffer())));
      await mkdir(dir, { recursive: true });
      // Write then rename, so an interrupted download never leaves a truncated file behind.
      await writeFile(`${target}.part`, bytes);
      await rename(`${target}.part`, target);
      return bytes;
    } catch (e) {
      failures.push(`${mirror}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
    }
  }
  throw new Error(
    `MNIST file ${file} is not in ${path.resolve(dir)} and could not be downloaded:\n  ${failures.join('\n  ')}\n` +
      `Put the four uncompressed IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, ` +
      `t10k-labels-idx1-ubyte) in that folder, or pass --data with a folder that has them.`,
  );
}
