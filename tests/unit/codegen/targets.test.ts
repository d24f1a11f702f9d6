import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { ALL_TARGETS, exportTarget } from '../../../codegen/targets';
import { download, findTarget, TARGET_CATALOG } from '../../../codegen/targets/catalog';
import { HARNESSES } from '../../../codegen/targets/harnesses';
import { kinds } from '../../../lib/kinds/registry';
import { templates } from '../../../lib/templates';

/**
 * The registry of export targets (codegen/targets): the catalog the browser
 * lists and the writers agree, every target has its harness, and no code
 * outside codegen/targets tells targets apart by name: adding a target is
 * its folder, its lines in the registry and a form per kind.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FOLDERS = ['app', 'bench', 'cli', 'codegen', 'lib', 'scripts', 'tests'];
const FILES = ['proxy.ts', 'instrumentation.ts', 'next.config.js', 'playwright.config.ts', 'prisma.config.ts', 'vitest.config.mts'];
const REGISTRY = 'codegen/targets/';

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : sources(relative);
    return /\.(tsx?|mts|m?js)$/.test(entry.name) ? [relative] : [];
  });
}

/** `=== 'id'`, `'id' !==`, `case 'id':`, with any quote: code that does something for one target by its name. */
function comparisons(text: string, id: string): string[] {
  // The n-th quote group of the pattern, closed by the same quote.
  const quoted = (n: number) => `(['"\`])${id}\\${n}`;
  const pattern = new RegExp(`[!=]==?\\s*${quoted(1)}|${quoted(2)}\\s*[!=]==?|\\bcase\\s+${quoted(3)}\\s*:`, 'g');
  return [...text.matchAll(pattern)].map((m) => m[0]);
}

describe('the export targets', () => {
  it('have ids fit for a flag, a query and a key of forms, each once', () => {
    const ids = TARGET_CATALOG.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it('list one writer and one harness per entry of the catalog, in its order', () => {
    expect(ALL_TARGETS.map((t) => t.id)).toEqual(TARGET_CATALOG.map((t) => t.id));
    for (const about of TARGET_CATALOG) {
      const target = exportTarget(about.id)!;
      expect({ ...about, next: undefined }).toEqual({ id: target.id, title: target.title, description: target.description, writes: target.writes, suffix: target.suffix, network: target.network, next: undefined });
      expect(HARNESSES[about.id], about.id).toBeDefined();
    }
    // Ids come from requests: a name no target has, Object.prototype's included, is no target.
    for (const id of ['jax', 'constructor', '__proto__', 'toString']) {
      expect(findTarget(id)).toBeUndefined();
      expect(exportTarget(id)).toBeUndefined();
      const refused = exportProject(templates[0]!.doc, id as never);
      expect(refused.ok || refused.error).toMatch(/^There is no export target/);
    }
  });

  it('print every kind as TypeScript, the default: no kind lacks the form every other target falls back on', () => {
    const [first] = ALL_TARGETS;
    for (const kind of kinds) if (kind.role === 'op' || kind.role === 'source' || kind.role === 'optimizer') expect(first!.hasForm(kind), kind.kind).toBe(true);
  });

  it('name their downloads after the graph and their suffix', () => {
    for (const about of TARGET_CATALOG) {
      const { file } = download(about, 'My GAN!');
      expect(file).toBe(about.writes === 'project' ? `my-gan${about.suffix}.zip` : `my-gan${about.suffix}`);
    }
  });

  it('are never compared by name outside codegen/targets', () => {
    const files = [...FOLDERS.flatMap(sources), ...FILES];
    expect(files.length).toBeGreaterThan(300);
    const found = files
      .filter((file) => !file.startsWith(REGISTRY))
      .flatMap((file) => {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        return TARGET_CATALOG.flatMap((t) => comparisons(text, t.id).map((match) => `${file}: ${match}`));
      });
    expect(found).toEqual([]);
    // The scan finds what it looks for (written so that this file has none).
    const id = 'torch';
    expect(comparisons(`if (target === '${id}') x; case "${id}": y; \`${id}\` !== t; '${id}s' === t`, id)).toHaveLength(3);
  });
});
