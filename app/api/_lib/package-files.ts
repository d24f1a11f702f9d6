import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads a file shipped by an installed package, for route handlers. The
 * server bundle rewrites require.resolve, so packages are found from the
 * app's root (where `next start` runs) instead.
 */
export function readPackageFile(pkg: string, ...file: string[]): Promise<Buffer> {
  return readFile(path.join(/*turbopackIgnore: true*/ process.cwd(), 'node_modules', pkg, ...file));
}
