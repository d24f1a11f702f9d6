import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lib/compile/program';
import { analyse } from '../../lib/graph/analyse';
import { formatBytes } from '../../lib/graph/memory';
import type { GraphDoc } from '../../lib/graph/schema';
import { templates } from '../../lib/templates';
import { passingDoc, syntheticData } from '../fixtures/fuzz';
import { peakBytes } from '../fixtures/memory';
import { fanOutGraph } from '../fixtures/fan-out';
import { cpu } from '../helpers';
import { budget } from '../fixtures/budget';

/**
 * The analysis's memory estimate against what training really allocates:
 * the most bytes tfjs (cpu backend) holds at once over an iteration, each
 * buffer counted once, for every template and for random graphs that pass
 * analysis, at two batch sizes. None exceeds its estimate by more than 1.5x
 * (the estimate bounds training), and the estimate stays near: at most 3x a
 * template's peak, and the random graphs' 3x at the median.
 */
const BOUND = 1.5;
const data = syntheticData(64);

async function measure(doc: GraphDoc, batchSize: number) {
  const sized = { ...doc, training: { ...doc.training, batchSize } };
  const estimate = analyse(sized).memory.total;
  const program = await compile(sized, { tf, data, seed: 1, batchSize });
  try {
    return { estimate, peak: await peakBytes(tf, () => program.step(false)) };
  } finally {
    program.dispose();
  }
}

const shown = (m: { estimate: number; peak: number }) => `estimate ${formatBytes(m.estimate)}, peak ${formatBytes(m.peak)} (${(m.peak / m.estimate).toFixed(2)}x)`;

describe('the memory estimate', () => {
  beforeAll(cpu);

  it('bounds what every template allocates in an iteration, and stays near it', async () => {
    const lines: string[] = [];
    for (const template of templates) {
      const slice = budget(template.doc, { iterations: 1, batch: 16 });
      const measured = await measure(slice.doc, slice.batch);
      lines.push(`${template.id}: ${shown(measured)}`);
      expect(measured.peak, `${template.id}: ${shown(measured)}`).toBeLessThanOrEqual(BOUND * measured.estimate);
      expect(measured.estimate, `${template.id}: ${shown(measured)}`).toBeLessThanOrEqual(3 * measured.peak);
    }
    console.log(`templates at batch 16:\n  ${lines.join('\n  ')}`);
  });

  it('bounds what random graphs that pass analysis allocate, at batch 3 and 16', async () => {
    const ratios: number[] = [];
    for (const [i, doc] of fc.sample(passingDoc, { seed: 7, numRuns: 60 }).entries()) {
      for (const batch of [3, 16]) {
        const measured = await measure(doc, batch);
        ratios.push(measured.peak / measured.estimate);
        expect(measured.peak, `random graph ${i} at batch ${batch}: ${shown(measured)}`).toBeLessThanOrEqual(BOUND * measured.estimate);
      }
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(`${ratios.length} random graphs: peak / estimate from ${ratios[0]!.toFixed(2)} to ${ratios.at(-1)!.toFixed(2)}, median ${median.toFixed(2)}`);
    expect(median).toBeGreaterThan(1 / 3);
  });

  it("counts each call's weight gradients: a network called 16 times holds 16 of them", async () => {
    // Chained: calls of one network on one value would run as one pass, holding one gradient.
    const fanOut = fanOutGraph({ calls: 16, units: 512, optimizer: 'sgd', chained: true });
    const measured = await measure(fanOut, 16);
    console.log(`16 calls of a 512x512 dense layer: ${shown(measured)}`);
    expect(measured.peak).toBeLessThanOrEqual(BOUND * measured.estimate);
    expect(measured.estimate).toBeLessThanOrEqual(3 * measured.peak);
  });
});
