import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Files of this repository that exports ship verbatim (lib/runtime, the
 * TypeScript support modules, PyTorch's netloom/), each listed and read once.
 * Paths are from the repository root: exports run there (the CLI, tests and the app).
 */
export const fromRoot = (file: string) => path.join(/*turbopackIgnore: true*/ process.cwd(), file);

const texts = new Map<string, string>();
const listings = new Map<string, string[]>();

/** The modules of a folder of this repository (by extension), sorted. */
export function shippedModules(dir: string, extension = '.ts'): string[] {
  const key = `${dir}\0${extension}`;
  let listing = listings.get(key);
  if (!listing) {
    listing = readdirSync(fromRoot(dir)).filter((f) => f.endsWith(extension)).sort();
    listings.set(key, listing);
  }
  return listing;
}

/** A file of this repository, as text. */
export function sourceText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) {
    text = readFileSync(fromRoot(file), 'utf8');
    texts.set(file, text);
  }
  return text;
}
