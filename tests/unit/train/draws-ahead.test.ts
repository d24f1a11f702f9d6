import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';
import { startDrawsAhead } from '../../../lib/train/draws-ahead';
import { tinyDiffusion } from '../../fixtures/diffusion';
import { mnistData, wasm } from '../../helpers';

/**
 * Draws computed ahead on a helper thread are the draws the program makes
 * itself: a program taking them trains to the same losses, iteration by
 * iteration, through a jump back to an earlier checkpoint too.
 */
describe('training draws computed ahead on a helper thread', () => {
  beforeAll(wasm);

  it.each<[string, GraphDoc]>([
    ['gan (noise drawn per step, MNIST batches)', getTemplate('gan')!.doc],
    ['cgan (class labels, a second noise)', getTemplate('cgan')!.doc],
    ['a diffusion graph (timesteps, image-sized noise, the schedule drawn here)', tinyDiffusion({ conditional: true })],
  ])('%s: the same losses as drawing them on the training thread, through a jump back', async (_name, doc) => {
    const options = { tf, data: mnistData, seed: 4, batchSize: 16 };
    const ahead = await startDrawsAhead(doc, { data: mnistData, seed: 4, batchSize: 16 });
    expect(ahead).toBeDefined();
    const here = await compile(doc, options);
    const there = await compile(doc, { ...options, drawsAhead: ahead });
    try {
      const run = (program: typeof here, n: number) => Array.from({ length: n }, () => program.step()!);
      const saved = here.state();
      expect(run(there, 6)).toEqual(run(here, 6));
      // Back to iteration 0 (a resumed run): the helper starts again from there.
      there.restore(saved);
      here.restore(saved);
      expect(run(there, 3)).toEqual(run(here, 3));
      // All but the first iteration after each start came from the helper.
      expect(ahead!.served.ahead).toBeGreaterThan(ahead!.served.here);
    } finally {
      here.dispose();
      there.dispose();
      ahead!.dispose();
    }
  });
});
