import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import { getTemplate } from '../../../lib/templates';
import { decodeCheckpoint, parseCheckpoint } from '../../../lib/train/checkpoint';
import { close, mnistData, wasm } from '../../helpers';
import { jsonLines, trainExported, workspace, writeExport } from '../../fixtures/workspace';

/**
 * The exported script's checkpoints are Netloom checkpoints: a resumed run
 * continues exactly as the app's program does from the same checkpoint
 * (weights, optimizer slots and update counts, iteration, resumed data streams).
 */
describe('exported checkpoints', () => {
  beforeAll(wasm);

  it('resume exactly as the compiled program resumes from them', async () => {
    const doc = getTemplate('gan')!.doc;
    const dir = await writeExport(await workspace(), doc);
    const common = ['--seed', '4', '--backend', 'wasm', '--json', '--batch-size', '16'];
    jsonLines(await trainExported(dir, '--iterations', '4', '--checkpoint-every', '2', '--out', 'first', ...common));
    const resumed = jsonLines(await trainExported(dir, '--resume', 'first/checkpoint', '--iterations', '7', '--log-every', '1', '--out', 'second', ...common));
    expect(resumed.filter((l) => l.step !== undefined && l.losses).map((l) => l.step)).toEqual([4, 5, 6]);

    const checkpoint = path.join(dir, 'first', 'checkpoint');
    const parsed = parseCheckpoint(await readFile(path.join(checkpoint, 'checkpoint.json'), 'utf8'), new Uint8Array(await readFile(path.join(checkpoint, 'weights.bin'))));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.manifest).toMatchObject({ iteration: 4, graph: doc.name, optimizerSteps: { D_solver: 4, G_solver: 4 } });
    // Every draw is a function of its iteration: the program restored at iteration 4 draws what the resumed export draws.
    const program = await compile(doc, { tf, data: mnistData, seed: 4, batchSize: 16 });
    const state = decodeCheckpoint(tf, parsed.value);
    program.restore(state);
    state.tensors.forEach((t) => t.dispose());
    for (const line of resumed.filter((l) => l.step !== undefined && l.losses)) {
      const expected = program.step()!;
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, expected[name]!, 1e-5), `${line.step} ${name}`).toBe(true);
    }
    program.dispose();
  });

  it('refuse a checkpoint of another graph, naming what is missing', async () => {
    const ali = await writeExport(await workspace(), getTemplate('ali')!.doc);
    jsonLines(await trainExported(ali, '--iterations', '1', '--backend', 'wasm', '--json', '--out', 'out'));
    const gan = await writeExport(await workspace(), getTemplate('gan')!.doc);
    const run = await trainExported(gan, '--resume', path.join(ali, 'out', 'checkpoint'), '--iterations', '2', '--backend', 'wasm');
    expect(run.code).toBe(1);
    // One checkpoint format for app and export: the same refusal as the app's, naming every missing weight.
    expect(run.stderr).toMatch(/error: the checkpoint lacks weight\(s\) G\/G_h1\/W, .*: it was saved from a different graph/);
  });
});
