import { randomBytes } from 'node:crypto';
import { access, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { readDatasetManifest } from '../data/folder';
import { splitFiles } from '../runtime/dataset-folder';
import { db } from './client';
import { datasetsDir } from './url';

/**
 * Where a dataset's files live, and how a write or delete stays whole when
 * the process is killed. A dataset's folder is `<datasets>/<id>`; it is only
 * ever made or removed by renaming a temporary folder `<id>.part-<pid>-<tag>`
 * (the writing process's id in its name), in this order:
 *
 * - import: write the part folder, create the row, rename the part into place;
 * - delete: rename the folder to a part, delete the row, remove the part.
 *
 * So after a kill, a part whose writer is gone is finished when its row exists
 * and its folder does not (the import got as far as the row; the delete did
 * not), and removed otherwise. `recoverDatasets` does that at start.
 */
export const folderOf = (id: string) => path.join(datasetsDir(), id);

/** A new temporary folder name for dataset `id`, owned by this process. */
export const partOf = (id: string) => `${folderOf(id)}.part-${process.pid}-${randomBytes(4).toString('hex')}`;

/** `<id>.part-<pid>-<tag>`, or `<id>.part-<tag>` as imports before pids in part names wrote them. */
const PART = /^([a-z0-9]{1,64})\.part-(?:(\d+)-)?[0-9a-f]+$/;

const exists = (file: string) => access(file).then(() => true, () => false);

/** Whether process `pid` still runs (on this machine): a live writer's part is left alone. */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A folder holding every file its manifest names (what an import writes before it creates the row). */
async function complete(dir: string): Promise<boolean> {
  try {
    const manifest = await readDatasetManifest(dir);
    const splits = Object.keys(manifest.splits) as ('train' | 'test')[];
    const files = splits.flatMap((split) => Object.values(splitFiles(split)));
    return (await Promise.all(files.map((file) => exists(path.join(dir, file))))).every(Boolean);
  } catch {
    return false;
  }
}

/** Bytes of the files in a folder. */
async function folderBytes(dir: string): Promise<number> {
  const sizes = await Promise.all((await readdir(dir)).map(async (file) => (await stat(path.join(dir, file))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

export interface Recovered {
  /** Datasets whose interrupted import (or delete) was finished. */
  finished: string[];
  /** Temporary folders removed. */
  removed: string[];
  /** Rows removed: an interrupted import with nothing to finish. */
  rows: string[];
}

/**
 * Finishes or rolls back what a killed import or delete left, so that the
 * library lists only datasets whose files are whole and the disk holds no
 * half-written folder. Safe beside a running import: the parts of live
 * processes are left alone.
 */
export async function recoverDatasets(): Promise<Recovered> {
  const dir = datasetsDir();
  const recovered: Recovered = { finished: [], removed: [], rows: [] };
  const live = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = PART.exec(name);
    if (!match) continue;
    const [, id, pid] = match as unknown as [string, string, string | undefined];
    if (pid !== undefined && alive(Number(pid))) {
      live.add(id);
      continue;
    }
    const part = path.join(dir, name);
    const row = await db().dataset.findUnique({ where: { id }, select: { id: true } });
    if (row && !(await exists(folderOf(id))) && (await complete(part))) {
      await rename(part, folderOf(id));
      recovered.finished.push(id);
    } else {
      await rm(part, { recursive: true, force: true });
      recovered.removed.push(name);
    }
  }
  // Imports before this order wrote the row first, with 0 bytes, then the folder: finish those that have it, drop the others.
  for (const { id } of await db().dataset.findMany({ where: { bytes: 0 }, select: { id: true } })) {
    if (live.has(id)) continue;
    if (await complete(folderOf(id))) {
      await db().dataset.update({ where: { id }, data: { bytes: await folderBytes(folderOf(id)) } });
      recovered.finished.push(id);
    } else {
      await db().dataset.deleteMany({ where: { id, bytes: 0 } });
      await rm(folderOf(id), { recursive: true, force: true });
      recovered.rows.push(id);
    }
  }
  return recovered;
}

/** What a recovery did, in a sentence (empty when nothing was interrupted). */
export function recoveryLine({ finished, removed, rows }: Recovered): string {
  const parts = [
    finished.length && `finished ${finished.length} interrupted import(s) or delete(s) (${finished.join(', ')})`,
    removed.length && `removed ${removed.length} half-written folder(s)`,
    rows.length && `dropped ${rows.length} dataset(s) whose import never wrote its files (${rows.join(', ')})`,
  ].filter(Boolean);
  return parts.length ? `Datasets: ${parts.join('; ')}` : '';
}
