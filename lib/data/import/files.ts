import { unzipSync } from 'fflate';
import { gunzipSync } from 'node:zlib';
import { DATASET_LIMITS } from '../limits';

/** One file of an import: its path as the user had it (folder/class/x.png, archive.zip/train.csv) and its bytes. */
export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

/** Why an import is refused: the message names the file (and row or entry) at fault. */
export class ImportError extends Error {}

export const fail = (message: string): never => {
  throw new ImportError(message);
};

/** Files that tools leave beside data (macOS resource forks, Finder and Explorer metadata): skipped, never data. */
const isClutter = (path: string) => /(^|\/)(__MACOSX\/|\.[^/]*$|Thumbs\.db$|desktop\.ini$)/i.test(path);

/**
 * The files of an import with archives unpacked: a .zip becomes its entries
 * (named zip/entry), a .gz its one inflated file (name without .gz). Sizes
 * are checked against the limits before anything is inflated (a zip's
 * directory, a gzip's bounded output).
 */
export function unpack(files: readonly InputFile[]): InputFile[] {
  const sent = files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
  if (sent > DATASET_LIMITS.uploadBytes) fail(`${sent} bytes sent: an import takes at most ${DATASET_LIMITS.uploadBytes} bytes`);
  let budget = DATASET_LIMITS.unpackedBytes;
  const out: InputFile[] = [];
  const add = (file: InputFile) => {
    if (isClutter(file.path)) return;
    if (out.length >= DATASET_LIMITS.files) fail(`more than ${DATASET_LIMITS.files} files: an import takes at most ${DATASET_LIMITS.files}`);
    out.push(file);
  };
  for (const file of files) {
    if (/\.zip$/i.test(file.path)) {
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(file.bytes, {
          filter(entry) {
            if (entry.name.endsWith('/') || isClutter(entry.name)) return false;
            budget -= entry.originalSize;
            if (budget < 0) fail(`${file.path}: unpacks to more than ${DATASET_LIMITS.unpackedBytes} bytes, the most an import may hold`);
            return true;
          },
        });
      } catch (error) {
        if (error instanceof ImportError) throw error;
        return fail(`${file.path}: not a readable zip archive (${(error as Error).message})`);
      }
      for (const [name, bytes] of Object.entries(entries)) add(gunzipped({ path: `${file.path}/${name}`, bytes }, (n) => (budget -= n)));
    } else add(gunzipped(file, (n) => (budget -= n)));
  }
  if (out.length === 0) fail('No files to import (an empty folder or archive?)');
  return out;
}

/** A .gz file inflated (at most the bytes left in the budget), any other file as it is. */
function gunzipped(file: InputFile, spend: (bytes: number) => number): InputFile {
  if (!/\.gz$/i.test(file.path)) return file;
  const left = spend(0);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(gunzipSync(file.bytes, { maxOutputLength: Math.max(1, left) }));
  } catch (error) {
    const message = (error as Error).message;
    return fail(/buffer|length|larger/i.test(message) ? `${file.path}: unpacks to more than the ${DATASET_LIMITS.unpackedBytes} bytes an import may hold` : `${file.path}: not a readable gzip file (${message})`);
  }
  spend(bytes.byteLength);
  return { path: file.path.replace(/\.gz$/i, ''), bytes };
}

/** The file name without its folders. */
export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Which split a file belongs to, by its name: test files say so (MNIST's `t10k-`, `x_test`, `test/`). */
export const splitOf = (path: string): 'train' | 'test' => (/(^|[^a-z])(t10k|test|testing)([^a-z]|$)/i.test(path) ? 'test' : 'train');
