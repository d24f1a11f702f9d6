import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DATASET_LIMITS, type ImportLimits } from '../limits';
import { ImportError, type InputFile } from './files';

/**
 * The files at `target` as an import takes them, read from disk only as far
 * as the import asks: a file by its name, a folder's files (recursively) by
 * their path from the folder's parent, so the folder's own name and its class
 * subfolders stay in each path. Stops at the import's limits on files and
 * bytes while walking.
 */
export async function readInputFiles(target: string, limits: ImportLimits = DATASET_LIMITS): Promise<InputFile[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new ImportError(`${target}: no such file or folder`);
  if (info.isFile()) return [diskFile(path.basename(target), path.resolve(target), info.size)];
  const base = path.dirname(path.resolve(target));
  const out: InputFile[] = [];
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (out.length >= limits.files) throw new ImportError(`${target}: more than ${limits.files} files; an import takes at most ${limits.files}`);
        const size = (await stat(full)).size;
        bytes += size;
        if (bytes > limits.uploadBytes) throw new ImportError(`${target}: more than ${limits.uploadBytes} bytes; an import takes at most ${limits.uploadBytes}`);
        out.push(diskFile(path.relative(base, full).split(path.sep).join('/'), full, size));
      }
    }
  };
  await walk(path.resolve(target));
  return out;
}

/** A file on disk, read at an offset when asked. */
function diskFile(name: string, full: string, size: number): InputFile {
  return {
    path: name,
    size,
    async read(offset, length) {
      const handle = await open(full, 'r');
      try {
        const want = Math.max(0, Math.min(length, size - offset));
        const buffer = new Uint8Array(want);
        let done = 0;
        while (done < want) {
          const { bytesRead } = await handle.read(buffer, done, want - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      } finally {
        await handle.close();
      }
    },
  };
}
