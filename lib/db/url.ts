import path from 'node:path';

/**
 * Where the database lives: DATABASE_URL (a `file:` path or a remote libSQL
 * URL such as `libsql://...`), else an embedded SQLite file under data/.
 */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(process.cwd(), 'data', 'netloom.db')}`;
}
