import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lib/compile/program';
import { templates } from '../../lib/templates';
import { mnistData, wasm } from '../helpers';
import { budget } from '../fixtures/budget';

/** Every seed template trains on real MNIST: finite, moving losses, no tensor leak, previews of 16 digits. */
describe.each(templates.map((t) => [t.id, t] as const))('template %s', (id, template) => {
  beforeAll(wasm);

  it('trains 30 iterations (a sampled graph\'s slice) on MNIST with finite losses and a flat tensor count', async () => {
    const slice = budget(template.doc, { iterations: 30, batch: template.doc.training.batchSize });
    const program = await compile(slice.doc, { tf, data: mnistData });
    try {
      const first = program.step()!;
      expect(Object.keys(first).sort()).toEqual([...program.lossNames].sort());
      program.step();
      const tensors = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < slice.iterations - 2; i++) {
        last = program.step()!;
        for (const [name, value] of Object.entries(last)) expect(Number.isFinite(value), `${id} ${name} at ${i}`).toBe(true);
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(program.iteration).toBe(slice.iterations);
      const moved = Object.keys(first).some((name) => Math.abs(first[name]! - last[name]!) > 1e-4 * Math.abs(first[name]!));
      expect(moved, `${id} losses did not change: ${JSON.stringify(first)} -> ${JSON.stringify(last)}`).toBe(true);

      const samples = await program.samples();
      const recon = await program.reconstructions();
      expect(samples || recon).toBeTruthy();
      // The seeds' 4x4 grids, or a row of 8 per class for conditional models.
      const { count } = program.previewLayout;
      expect(count).toBe(template.doc.nodes.some((n) => n.kind === 'labels') ? 10 * 8 : 16);
      for (const batch of [samples, recon?.inputs, recon?.outputs]) {
        if (!batch) continue;
        expect(batch).toMatchObject({ count, width: 28, height: 28, channels: 1 });
        expect(batch.pixels.length).toBe(count * 784);
        expect(batch.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
      // Previews come from a fixed draw (cached once): asking again gives the same images and holds no more tensors.
      const held = tf.memory().numTensors;
      if (samples) expect((await program.samples())!.pixels).toEqual(samples.pixels);
      await program.reconstructions();
      program.step();
      expect(tf.memory().numTensors).toBe(held);
    } finally {
      program.dispose();
    }
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const { doc } = budget(template.doc, { iterations: 2, batch: template.doc.training.batchSize });
    const run = async (seed: number) => {
      const program = await compile(doc, { tf, data: mnistData, seed });
      const losses = [program.step()!, program.step()!];
      program.dispose();
      return losses;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });
});

describe('compiled programs release what they hold', () => {
  it('returns the tensor count to where it was after dispose', async () => {
    await wasm();
    const before = tf.memory().numTensors;
    const program = await compile(templates[0]!.doc, { tf, data: mnistData });
    program.step();
    await program.samples();
    await program.reconstructions();
    program.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
