import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DATASET_LIMITS } from '../limits';
import { ImportError, type InputFile } from './files';

/**
 * The files at `target` as an import takes them: a file by its name, a
 * folder's files (recursively) by their path from the folder's parent, so
 * the folder's own name and its class subfolders stay in each path. Stops
 * at the import limits instead of reading everything first.
 */
export async function readInputFiles(target: string): Promise<InputFile[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new ImportError(`${target}: no such file or folder`);
  if (info.isFile()) return [{ path: path.basename(target), bytes: new Uint8Array(await readFile(target)) }];
  const base = path.dirname(path.resolve(target));
  const out: InputFile[] = [];
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (out.length >= DATASET_LIMITS.files) throw new ImportError(`${target}: more than ${DATASET_LIMITS.files} files; an import takes at most ${DATASET_LIMITS.files}`);
        const data = new Uint8Array(await readFile(full));
        bytes += data.byteLength;
        if (bytes > DATASET_LIMITS.uploadBytes) throw new ImportError(`${target}: more than ${DATASET_LIMITS.uploadBytes} bytes; an import takes at most ${DATASET_LIMITS.uploadBytes}`);
        out.push({ path: path.relative(base, full).split(path.sep).join('/'), bytes: data });
      }
    }
  };
  await walk(path.resolve(target));
  return out;
}
