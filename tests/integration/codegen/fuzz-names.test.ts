import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { analyse } from '../../../lib/graph/analyse';
import type { GraphDoc } from '../../../lib/graph/schema';
import { hostile, hostileDoc, hostileName, merged, plausibleDoc, syntheticDataFiles } from '../../fixtures/fuzz';
import { exec, TSC, workspace, writeExport } from '../../fixtures/workspace';

/**
 * Random hostile names (fast-check strings of any code point, quotes,
 * backticks, comment ends, template holes, line separators, keywords, the
 * generated code's own identifiers) as every id, network name and node label
 * of random graphs: the TypeScript exporter generates code for each without
 * throwing, and one export holding many such graphs side by side type-checks
 * with tsc --strict (one tsc run: it is the slow part).
 */
const SEED = 20_240_611;

/** Hands out the sampled names in turn. */
function names(seed: number, count: number): { next: () => string; all: string[] } {
  const all = fc.sample(hostileName, { seed, numRuns: count });
  let i = 0;
  return { next: () => all[i++ % all.length]!, all };
}

describe('hostile names from fast-check', () => {
  it('never make the exporter throw', () => {
    fc.assert(
      fc.property(hostileDoc, (doc) => {
        const project = exportProject(doc);
        // Names never make a graph invalid, so the ones that pass analysis export.
        if (analyse(doc).ok) expect(project.ok).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  describe('in one export of many graphs', () => {
    let root: string;
    let doc: GraphDoc;

    beforeAll(async () => {
      const graphs = fc.sample(plausibleDoc, { seed: SEED, numRuns: 40 }).filter((g) => analyse(g).ok).slice(0, 12);
      const pool = names(SEED, 400);
      doc = hostile(merged(graphs), pool.next);
      root = await workspace();
      await writeExport(path.join(root, 'fuzz'), doc, syntheticDataFiles());
      const config = JSON.parse(await readFile(path.join(root, 'fuzz', 'tsconfig.json'), 'utf8'));
      await writeFile(path.join(root, 'tsconfig.json'), JSON.stringify({ ...config, include: ['fuzz/**/*.ts'] }));
    });

    it('hold many names, every one of them hostile, and pass analysis', () => {
      const labels = [...doc.nodes, ...doc.networks.flatMap((n) => n.nodes)].map((n) => n.label);
      expect(labels.length).toBeGreaterThan(100);
      expect(analyse(doc).errors).toEqual([]);
    });

    it('type-check with tsc --strict --noEmit', async () => {
      const result = await exec(TSC, ['-p', 'tsconfig.json', '--strict', '--noEmit'], root);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    });
  });
});
