import { describe, expect, it } from 'vitest';
import { compile } from '../../lib/compile/program';
import { getTemplate } from '../../lib/templates';
import { handwrittenAli, handwrittenGan, type Feed } from '../reference/handwritten';
import { feedStreams } from '../reference/feeds';
import { close, mnistData, trainSplit, wasm } from '../helpers';

/**
 * With identical initial weights, data batches and noise, the compiled
 * templates reproduce the seed programs written by hand in plain tfjs (with
 * TF1's optimizer semantics), loss for loss.
 */
const ITERATIONS = 12;

const cases = [
  { id: 'gan', reference: handwrittenGan },
  { id: 'ali', reference: handwrittenAli },
] as const;

describe.each(cases)('$id reproduces the hand-written seed program', ({ id, reference }) => {
  it(`matches D_loss and G_loss for ${ITERATIONS} iterations to 1e-5`, async () => {
    const tf = await wasm();
    const mnist = await trainSplit();
    const programStreams = feedStreams(mnist);
    const program = await compile(getTemplate(id)!.doc, {
      tf,
      data: mnistData,
      feed: ({ node, port, shape }) => {
        if (port === 'labels') return new Float32Array(shape.reduce((a, b) => a * b, 1));
        return node === 'X' ? programStreams.images(shape) : programStreams.uniform(shape);
      },
    });
    const referenceStreams = feedStreams(mnist);
    const feed: Feed = (name, shape) => (name === 'X' ? referenceStreams.images(shape) : referenceStreams.uniform(shape));
    const handwritten = reference(program.weights(), feed, 'tf1');
    const history: Record<string, number>[] = [];
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        const ours = program.step()!;
        history.push(ours);
        const theirs = handwritten.step();
        for (const name of ['D_loss', 'G_loss']) {
          const a = ours[name]!;
          const b = theirs[name]!;
          expect(Number.isFinite(a), `${name} finite at ${i}`).toBe(true);
          expect(close(a, b), `iteration ${i} ${name}: compiled ${a}, hand-written ${b}`).toBe(true);
        }
      }
      // Training must actually move the losses: agreement between frozen programs would prove nothing.
      expect(close(history[0]!.G_loss!, history[ITERATIONS - 1]!.G_loss!, 1e-3)).toBe(false);
    } finally {
      program.dispose();
      handwritten.dispose();
    }
  });
});
