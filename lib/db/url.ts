import path from 'node:path';

/**
 * Where the database lives: DATABASE_URL (a `file:` path or a remote libSQL
 * URL such as `libsql://...`), else an embedded SQLite file under data/.
 */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(process.cwd(), 'data', 'netloom.db')}`;
}

/**
 * Where datasets' files live: NETLOOM_DATA_DIR, else a `datasets` folder
 * beside the SQLite file (so a test's temporary database has its own), else
 * data/datasets.
 */
export function datasetsDir(): string {
  if (process.env.NETLOOM_DATA_DIR) return path.resolve(process.env.NETLOOM_DATA_DIR);
  const url = databaseUrl();
  const file = url.startsWith('file:') ? url.slice('file:'.length) : undefined;
  return file ? path.join(path.dirname(path.resolve(file)), 'datasets') : path.join(process.cwd(), 'data', 'datasets');
}
