import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileOptions, type TrainingProgram } from '../../../lib/compile/program';
import { stream, uniforms } from '../../../lib/runtime/random';
import { getTemplate } from '../../../lib/templates';
import { decodeCheckpoint, encodeCheckpoint, parseCheckpoint, unzipCheckpoint, zipCheckpoint } from '../../../lib/train/checkpoint';
import { mnistData, wasm } from '../../helpers';

/**
 * Feeds every source from a stream keyed by how many draws came before, so a
 * second program can take over the stream exactly where the first stopped.
 */
function countingFeed(counts = new Map<string, number>()): { feed: NonNullable<CompileOptions['feed']>; counts: Map<string, number> } {
  return {
    counts,
    feed: ({ node, port, shape }) => {
      const key = `${node}:${port}`;
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      return uniforms(stream(0, key), { iteration: n, draw: 0 }, shape.reduce((a, b) => a * b, 1));
    },
  };
}

const steps = (program: TrainingProgram, n: number) => Array.from({ length: n }, () => program.step()!);

describe('program state, monitors and interpolation', () => {
  beforeAll(wasm);

  it('resumes exactly from a checkpoint: weights, optimizer slots and steps', async () => {
    const doc = getTemplate('gan')!.doc;
    const a = countingFeed();
    const original = await compile(doc, { tf, data: mnistData, batchSize: 16, feed: a.feed });
    steps(original, 3);
    const zip = zipCheckpoint(await encodeCheckpoint(tf, doc.name, original.state()));
    const counts = new Map(a.counts);
    const continued = steps(original, 3);

    const opened = unzipCheckpoint(zip);
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.value.manifest.iteration).toBe(3);
    expect(Object.values(opened.value.manifest.optimizerSteps)).toEqual([3, 3]);
    const resumedProgram = await compile(doc, { tf, data: mnistData, batchSize: 16, feed: countingFeed(counts).feed });
    const held = tf.memory().numTensors;
    const state = decodeCheckpoint(tf, opened.value);
    resumedProgram.restore(state);
    state.tensors.forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(held);
    expect(resumedProgram.iteration).toBe(3);
    expect(steps(resumedProgram, 3)).toEqual(continued);

    // Weights alone are not enough: fresh optimizer slots change the losses.
    const weightsOnly = await compile(doc, { tf, data: mnistData, batchSize: 16, feed: countingFeed(new Map(counts)).feed });
    weightsOnly.setWeights(new Map([...original.weights()].map(([name]) => [name, resumedWeights(opened.value, name)])));
    const differs = steps(weightsOnly, 3);
    expect(differs[2]).not.toEqual(continued[2]);
    [original, resumedProgram, weightsOnly].forEach((p) => p.dispose());
  });

  it('continues every random stream exactly after a resume: data order, noise, labels and dropout masks are functions of the iteration', async () => {
    // cgan draws data, noise and class labels; gan-leaky-tuned draws dropout masks in every D call.
    for (const id of ['cgan', 'gan-leaky-tuned']) {
      const doc = getTemplate(id)!.doc;
      const uninterrupted = await compile(doc, { tf, data: mnistData, batchSize: 8, seed: 9 });
      const all = steps(uninterrupted, 6);
      const first = await compile(doc, { tf, data: mnistData, batchSize: 8, seed: 9 });
      steps(first, 3);
      const checkpoint = unzipCheckpoint(zipCheckpoint(await encodeCheckpoint(tf, doc.name, first.state())));
      if (!checkpoint.ok) throw new Error(checkpoint.error);
      const resumed = await compile(doc, { tf, data: mnistData, batchSize: 8, seed: 9 });
      const state = decodeCheckpoint(tf, checkpoint.value);
      resumed.restore(state);
      state.tensors.forEach((t) => t.dispose());
      expect(steps(resumed, 3), id).toEqual(all.slice(3));
      [uninterrupted, first, resumed].forEach((p) => p.dispose());
    }
  });

  it('refuses a checkpoint from another graph, naming what is missing', async () => {
    const gan = await compile(getTemplate('gan')!.doc, { tf, data: mnistData });
    const ali = await compile(getTemplate('ali')!.doc, { tf, data: mnistData });
    expect(() => ali.restore(gan.state())).toThrow(/lacks weight\(s\) .*different graph/);
    gan.dispose();
    ali.dispose();
  });

  it('checks a checkpoint\'s integrity: a flipped byte, another optimizer, a zip that would inflate too far, a half-fitting state', async () => {
    const doc = getTemplate('gan')!.doc;
    const gan = await compile(doc, { tf, data: mnistData, batchSize: 8 });
    gan.step();
    const encoded = await encodeCheckpoint(tf, doc.name, gan.state());
    expect(encoded.manifest).toMatchObject({ structure: expect.stringMatching(/^[0-9a-f]{16}$/), optimizerKinds: { D_solver: 'adadelta', G_solver: 'adam' } });

    const flipped = new Uint8Array(encoded.weights);
    flipped[1234] = flipped[1234]! ^ 0x40;
    expect(parseCheckpoint(encoded.manifest, flipped)).toEqual({ ok: false, error: expect.stringMatching(/^weights\.bin is damaged: its CRC-32 is \d+, checkpoint\.json says \d+$/) });

    // The same graph with Adam in place of Adadelta for D: same slot layout, another rule.
    const changed = structuredClone(doc);
    changed.nodes.find((n) => n.id === 'D_solver')!.kind = 'adam';
    const adam = await compile(changed, { tf, data: mnistData, batchSize: 8 });
    const before = await adam.weights().get('D/D_h1/W')!.data();
    const state = decodeCheckpoint(tf, encoded);
    expect(() => adam.restore(state)).toThrow(/the checkpoint's optimizer "D_solver" is adadelta, this graph's is adam/);
    // All or nothing: a refused restore changed no weight.
    expect(await adam.weights().get('D/D_h1/W')!.data()).toEqual(before);
    state.tensors.forEach((t) => t.dispose());

    // A zip whose directory says checkpoint.json inflates to a gigabyte is refused before anything is inflated.
    const zip = zipCheckpoint(encoded);
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let at = 0; at < zip.length - 4; at++) {
      const signature = view.getUint32(at, true);
      if (signature === 0x04034b50) view.setUint32(at + 22, 2 ** 30, true); // local header: uncompressed size
      if (signature === 0x02014b50) view.setUint32(at + 24, 2 ** 30, true); // central directory: uncompressed size
    }
    expect(unzipCheckpoint(zip)).toEqual({ ok: false, error: expect.stringMatching(/would unzip to 1073741824 bytes; a checkpoint holds at most/) });
    gan.dispose();
    adam.dispose();
  });

  it('rejects a damaged checkpoint file with a clear message', () => {
    expect(unzipCheckpoint(new Uint8Array([1, 2, 3]))).toEqual({ ok: false, error: 'The checkpoint is not a zip file' });
  });

  it("monitors a discriminator's mean output for real and generated data, once each", async () => {
    const program = await compile(getTemplate('gan')!.doc, { tf, data: mnistData });
    const monitors = await program.monitors();
    expect(Object.keys(monitors).sort()).toEqual(['mean σ(D_fake)', 'mean σ(D_real)']);
    for (const value of Object.values(monitors)) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(1);
    }
    const held = tf.memory().numTensors;
    await program.monitors();
    expect(tf.memory().numTensors).toBe(held);
    program.dispose();
  });

  it('steps a graph with nothing to train yet (no schedule), reporting no losses and drawing its samples', async () => {
    // Fuzz: stepAsync stacked zero losses and threw.
    const doc = structuredClone(getTemplate('gan')!.doc);
    doc.training.schedule = [];
    const program = await compile(doc, { tf, data: mnistData, batchSize: 2 });
    expect(program.lossNames).toEqual([]);
    expect(program.step()).toEqual({});
    expect(await program.stepAsync()).toEqual({});
    expect((await program.samples())!.count).toBe(16);
    program.dispose();
  });

  it('interpolates samples whose noise is partly shared by the batch, blending only the rows of what is drawn per sample', async () => {
    // Fuzz: interpolation reshaped every source's draw into 16 rows and threw on a draw the batch shares.
    const doc = structuredClone(getTemplate('gan')!.doc);
    doc.nodes.push(
      { id: 'eps', kind: 'noise', params: { shape: [100], perSample: false }, position: { x: 0, y: 0 } },
      { id: 'z', kind: 'reparameterize', params: {}, position: { x: 0, y: 0 } },
    );
    const intoG = doc.edges.find((e) => e.target.node === 'G_sample')!;
    doc.edges = doc.edges.filter((e) => e !== intoG);
    doc.edges.push(
      { id: 'r1', source: intoG.source, target: { node: 'z', port: 'mean' } },
      { id: 'r2', source: intoG.source, target: { node: 'z', port: 'logvar' } },
      { id: 'r3', source: { node: 'eps', port: 'z' }, target: { node: 'z', port: 'eps' } },
      { id: 'r4', source: { node: 'z', port: 'z' }, target: intoG.target },
    );
    const program = await compile(doc, { tf, data: mnistData, batchSize: 2 });
    expect((await program.interpolation(3, 9))!.count).toBe(16);
    program.dispose();
  });

  it('interpolates between two samples: the ends are those samples', async () => {
    const program = await compile(getTemplate('gan')!.doc, { tf, data: mnistData });
    steps(program, 2);
    const samples = (await program.samples())!;
    const line = (await program.interpolation(3, 9))!;
    const image = (batch: typeof samples, i: number) => Array.from(batch.pixels.subarray(i * 784, (i + 1) * 784));
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);
    expect(near(image(line, 0), image(samples, 3))).toBe(true);
    expect(near(image(line, 15), image(samples, 9))).toBe(true);
    expect(near(image(line, 7), image(samples, 3))).toBe(false);
    await expect(program.interpolation(0, 16)).rejects.toThrow(/rows are 0-15/);
    program.dispose();
  });
});

function resumedWeights(checkpoint: Parameters<typeof decodeCheckpoint>[1], name: string) {
  const state = decodeCheckpoint(tf, checkpoint);
  const wanted = state.tensors.get(name)!;
  state.tensors.forEach((t, n) => n !== name && t.dispose());
  return wanted;
}
