import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The floors, bottom up: a module imports only from floors below its own, or
 * from its own folder. lib/runtime is shipped verbatim with every export, so
 * it imports nothing but its own files, tfjs and ml-matrix (the
 * quality scores' eigendecompositions), which every export lists.
 */
const FLOORS: [folder: string, floor: number][] = [
  ['lib/runtime', 0],
  ['lib/kinds', 1],
  ['lib/data', 2],
  ['lib/result.ts', 1],
  ['lib/graph', 2],
  ['lib/plan', 3],
  ['lib/templates', 3],
  ['lib/compile', 4],
  ['codegen', 4],
  ['lib/train', 5],
  ['lib/db', 6],
  ['lib/auth', 7],
  ['cli', 8],
  ['app', 8],
  ['proxy.ts', 8],
  ['instrumentation.ts', 8],
];
const RUNTIME_PACKAGES = ['@tensorflow/tfjs', 'ml-matrix'];
const ROOT = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : files(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

const floorOf = (file: string) => FLOORS.find(([folder]) => file === folder || file.startsWith(`${folder}/`));

/** Every module a file names in an import, an export-from or a dynamic import. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3])!,
  );
}

/** A repository path for a relative or `@/` import; undefined for a package. */
function target(file: string, spec: string): string | undefined {
  if (spec.startsWith('@/')) return spec.slice(2);
  if (spec.startsWith('.')) return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
  return undefined;
}

const sources = FLOORS.filter(([folder]) => !folder.endsWith('.ts')).flatMap(([folder]) => files(folder));

describe('the floors', () => {
  it('finds the modules of every floor', () => {
    for (const [folder] of FLOORS) expect(sources.some((f) => f === folder || f.startsWith(`${folder}/`)) || folder.endsWith('.ts'), folder).toBe(true);
    expect(sources.length).toBeGreaterThan(100);
  });

  it.each(sources)('%s imports only from floors below it or its own folder', (file) => {
    const [folder, floor] = floorOf(file)!;
    for (const spec of imports(file)) {
      const to = target(file, spec);
      if (to === undefined) {
        if (folder === 'lib/runtime') expect(RUNTIME_PACKAGES, `${file} imports the package ${spec}`).toContain(spec);
        continue;
      }
      const other = floorOf(to) ?? floorOf(`${to}.ts`);
      if (!other) continue; // package.json and other files at the root
      const [otherFolder, otherFloor] = other;
      expect(otherFolder === folder || otherFloor < floor, `${file} (${folder}, floor ${floor}) imports ${spec} (${otherFolder}, floor ${otherFloor})`).toBe(true);
    }
  });
});
