import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate, templates } from '../../../lib/templates';
import { close } from '../../helpers';
import { aliDecodingThroughDec, ganSamplingInside } from '../../fixtures/nested';
import { FIXED_NAMES } from '../../../codegen/typescript/names';
import { everyNameDoc, hostileDoc } from '../../fixtures/hostile';
import { jsonLines, jsonLinesOfBoth, trainCompiled, trainExported, workspace, writeExport } from '../../fixtures/workspace';
import { budget } from '../../fixtures/budget';

/**
 * The exported script and `npm run train` on the compiled program, same
 * graph, seed and backend (wasm): the same losses at every iteration.
 */
async function compare(graph: string, exportedDir: string, iterations: number, seed: number, extra: string[] = []) {
  const args = ['--seed', String(seed), '--backend', 'wasm', '--json', '--log-every', '1', ...extra];
  // Both at once, a process each (2 cores): half the wall time.
  const [exported, compiled] = await jsonLinesOfBoth(trainExported(exportedDir, '--iterations', String(iterations), '--out', path.join(exportedDir, 'out'), ...args), trainCompiled('--graph', graph, '--steps', String(iterations), '--out', path.join(exportedDir, 'cli-out'), ...args));
  const steps = (lines: ReturnType<typeof jsonLines>) => lines.filter((line) => line.step !== undefined && line.losses);
  expect(steps(exported).map((l) => l.step)).toEqual([...Array(iterations).keys()]);
  expect(steps(exported).length).toBe(steps(compiled).length);
  for (const [i, line] of steps(exported).entries()) {
    const reference = steps(compiled)[i]!.losses;
    expect(Object.keys(line.losses)).toEqual(Object.keys(reference));
    for (const [name, value] of Object.entries(line.losses)) {
      expect(close(value, reference[name]!, 1e-5), `iteration ${i}, ${name}: exported ${value}, compiled ${reference[name]}`).toBe(true);
    }
  }
  return exported;
}

describe('exported projects train like the compiled program', () => {
  it.each(['gan', 'ali'])('%s: 20 iterations, same losses as npm run train (wasm, seed 5)', async (id) => {
    const dir = await writeExport(await workspace(), getTemplate(id)!.doc);
    const lines = await compare(id, dir, 20, 5);
    expect(lines.at(-1)).toMatchObject({ done: true, backend: 'wasm', seed: 5, steps: 20 });
    const out = (await readdir(path.join(dir, 'out'))).sort();
    expect(out).toEqual(expect.arrayContaining(['000.png', '001.png', 'checkpoint', 'summary.json']));
  });

  // dcgan's scores read G through batch norm's moving statistics: equal only if the export moves them as the app does.
  it.each(['gan', 'dcgan'])('%s: the same quality scores as npm run train --eval-every, from the classifier and held-out digits it carries', async (id) => {
    const dir = await writeExport(await workspace(), getTemplate(id)!.doc);
    const args = ['--seed', '3', '--backend', 'wasm', '--json', '--eval-every', '2', '--eval-samples', '64'];
    const [exported, compiled] = await jsonLinesOfBoth(trainExported(dir, '--iterations', '3', '--out', path.join(dir, 'out'), ...args), trainCompiled('--graph', id, '--steps', '3', '--out', path.join(dir, 'cli-out'), ...args));
    const scores = (lines: ReturnType<typeof jsonLines>) => lines.flatMap((l) => (l.scores && l.step !== undefined ? [[l.step, l.scores] as const] : []));
    expect(scores(exported).map(([step]) => step)).toEqual([0, 2, 3]);
    expect(scores(exported).length).toBe(scores(compiled).length);
    for (const [i, [, score]] of scores(exported).entries()) {
      const reference = scores(compiled)[i]![1];
      expect(Object.keys(score)).toEqual(['frechet', 'diversity', 'entropy', 'confidence']);
      for (const [name, value] of Object.entries(score)) expect(close(value as number, reference[name as keyof typeof reference] as number, 1e-4), `${name} at ${i}`).toBe(true);
    }
    expect(await readdir(path.join(dir, 'quality'))).toEqual(['model.json', 'weights.bin']);
    expect(await readdir(path.join(dir, 'data', 'mnist'))).toEqual(expect.arrayContaining(['test-images.idx', 'test-labels.idx']));
  });

  it.each(templates.map((t) => t.id))('%s: 20 iterations at batch 32 (a sampled graph\'s slice), same losses and the same sample grids as npm run train (wasm, seed 7)', async (id) => {
    const slice = budget(getTemplate(id)!.doc, { iterations: 20, batch: 32 });
    const dir = await writeExport(await workspace(), slice.doc);
    const graph = path.join(dir, 'graph.json');
    await writeFile(graph, JSON.stringify(slice.doc));
    await compare(graph, dir, slice.iterations, 7, ['--batch-size', String(slice.batch), '--sample-every', String(slice.iterations / 2), ...slice.flags]);
    // The grids before iterations 0 and 10 and after the last: the same noise through the same weights, the same pictures.
    const grids = (await readdir(path.join(dir, 'out'))).filter((f) => f.endsWith('.png')).sort();
    expect(grids.filter((f) => /^\d{3}\.png$/.test(f) || /^recon-/.test(f)).length).toBeGreaterThanOrEqual(3);
    for (const file of grids) expect(await readFile(path.join(dir, 'out', file)), file).toEqual(await readFile(path.join(dir, 'cli-out', file)));
  });

  it.each([
    ['gan with d_steps 3 and one noise draw per iteration', 'gan', (doc: GraphDoc) => {
      doc.nodes.find((n) => n.id === 'Z')!.params.draw = 'per-iteration';
      doc.training.schedule[0]!.repeat = 3;
    }],
    ['ali with the G step before the D step', 'ali', (doc: GraphDoc) => doc.training.schedule.reverse()],
    // Each round of a repeated step draws dropout masks of its own.
    ['gan-leaky-tuned (dropout in D) with d_steps 2', 'gan-leaky-tuned', (doc: GraphDoc) => {
      doc.training.schedule[0]!.repeat = 2;
    }],
  ] as const)('%s: same losses as npm run train', async (_name, id, change) => {
    const doc = structuredClone(getTemplate(id)!.doc);
    change(doc);
    const dir = await writeExport(await workspace(), doc);
    const file = path.join(dir, 'graph.json');
    await writeFile(file, JSON.stringify(doc));
    await compare(file, dir, 4, 9);
  });

  it.each([
    ['a GAN whose noise is drawn inside the network that calls G', ganSamplingInside],
    ['ALI whose decoder calls P from another network', aliDecodingThroughDec],
    ['ALI with every name the generated train.ts declares as a network name and a node label', () => everyNameDoc(FIXED_NAMES)],
  ] as const)('%s: same losses as npm run train', async (_name, make) => {
    const doc = make();
    const dir = await writeExport(await workspace(), doc);
    const file = path.join(dir, 'graph.json');
    await writeFile(file, JSON.stringify(doc));
    await compare(file, dir, 4, 9);
  });

  it('a graph with hostile names exports, runs and trains exactly as the graph says', async () => {
    const dir = await writeExport(await workspace(), hostileDoc());
    const file = path.join(dir, 'hostile.json');
    await writeFile(file, JSON.stringify(hostileDoc()));
    const lines = await compare(file, dir, 3, 2);
    expect(Object.keys(lines.find((l) => l.losses)!.losses)).toEqual(['D_loss `${1}`', '"); process.exit(5); ("']);
  });
});
