import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';
import type { TrainEvent } from '../../../lib/train/protocol';
import { TrainingSession } from '../../../lib/train/session';
import { mnistData, wasm } from '../../helpers';
import { nodeClassifier } from '../../../lib/data/classifier';
import { tinyDiffusion } from '../../fixtures/diffusion';

/** A session as the worker runs it, with wasm in Node standing in for the browser's backend. */
function harness() {
  const events: TrainEvent[] = [];
  /** Checkpoints the session saved itself (the `checkpoint` command), by run. */
  const saved: { runId: string; iteration: number }[] = [];
  const waiters: { test: (e: TrainEvent) => boolean; resolve: (e: TrainEvent) => void }[] = [];
  const session = new TrainingSession({
    post(event) {
      events.push(event);
      for (const w of waiters.splice(0)) (w.test(event) ? w.resolve(event) : waiters.push(w));
    },
    selectBackend: async () => ({ tf: await wasm(), backend: 'wasm', probes: [{ name: 'wasm', available: true }] }),
    data: mnistData,
    classifier: () => nodeClassifier(tf),
    png: async ({ width, height, pixels }) => {
      const png = new PNG({ width, height, colorType: 0, inputColorType: 0 });
      png.data = Buffer.from(pixels);
      return new Blob([new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0 }))], { type: 'image/png' });
    },
    saveCheckpoint: async (runId, checkpoint) => {
      saved.push({ runId, iteration: checkpoint.manifest.iteration });
      return { id: `checkpoint-${saved.length}`, iteration: checkpoint.manifest.iteration };
    },
  });
  const next = (test: (e: TrainEvent) => boolean) => new Promise<TrainEvent>((resolve) => waiters.push({ test, resolve }));
  const of = <T extends TrainEvent['type']>(type: T) => events.filter((e): e is Extract<TrainEvent, { type: T }> => e.type === type);
  const steps = () => of('progress').flatMap((p) => p.points.map((point) => point.step));
  return { session, events, next, of, steps, saved };
}

const gan = getTemplate('gan')!.doc;
const settings = { batchSize: 32, iterations: 7, seed: 5, sampleEvery: 3 };

describe('training session (the worker)', () => {
  beforeAll(wasm);

  it('trains to completion: every loss of every iteration, pictures, a final checkpoint', async () => {
    const { session, of, steps } = harness();
    await session.handle({ type: 'start', doc: gan, settings, backend: 'auto', checkpointSeconds: 3600 });
    expect(of('backend')[0]!.backend).toBe('wasm');
    expect(of('started')[0]).toMatchObject({ lossNames: ['D_loss', 'G_loss'], monitorNames: ['mean σ(D_real)', 'mean σ(D_fake)'], iteration: 0, total: 7 });
    expect(steps()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(of('status').map((s) => s.status)).toEqual(['running', 'completed']);
    // Pictures before iterations 0, 3, 6 and after the last (7): indexes 0, 1, 2, 3.
    expect(of('picture').map((p) => [p.picture.index, p.picture.step])).toEqual([[0, 0], [1, 3], [2, 6], [3, 7]]);
    const png = of('picture')[0]!.picture.png;
    expect(png.type).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(await png.arrayBuffer()))).toMatchObject({ width: 4 * 28 + 6, height: 4 * 28 + 6 });
    expect(of('checkpoint').map((c) => c.checkpoint.manifest.iteration)).toEqual([7]);

    // The same losses as the compiled program the CLI runs, with the same seed and batch size.
    const program = await compile(gan, { tf, data: mnistData, seed: 5, batchSize: 32 });
    const expected = Array.from({ length: 7 }, () => program.step()!);
    program.dispose();
    const points = of('progress').flatMap((p) => p.points);
    expect(points.map((p) => ({ D_loss: p.values.D_loss, G_loss: p.values.G_loss }))).toEqual(expected);
    const monitored = points.filter((p) => 'mean σ(D_real)' in p.values);
    expect(monitored.length).toBeGreaterThan(0);
  });

  it('scores the samples at the evaluation cadence on a fixed batch, as points of their own, without changing the losses', async () => {
    const { session, of } = harness();
    const scored = { ...settings, evaluation: { every: 3, samples: 64 } };
    await session.handle({ type: 'start', doc: gan, settings: scored, backend: 'wasm', checkpointSeconds: 3600 });
    const started = of('started')[0]!;
    expect(started.scoreNames).toEqual(['Fréchet distance', 'class entropy (bits)', 'confidence', 'diversity']);
    expect(started.scoreNote).toMatch(/64 samples with 64 MNIST test digits through the bundled MNIST classifier/);
    const points = of('progress').flatMap((p) => p.points);
    const scores = points.filter((p) => 'Fréchet distance' in p.values);
    expect(scores.map((p) => p.step)).toEqual([0, 3, 6, 7]);
    for (const { values } of scores) {
      expect(values['Fréchet distance']).toBeGreaterThan(0);
      expect(values['class entropy (bits)']).toBeGreaterThanOrEqual(0);
      expect(values['class entropy (bits)']).toBeLessThanOrEqual(Math.log2(10));
      expect(values.confidence).toBeGreaterThan(0.1);
    }
    // Scoring draws from a stream of its own: the losses are the unscored run's.
    const plain = harness();
    await plain.session.handle({ type: 'start', doc: gan, settings, backend: 'wasm', checkpointSeconds: 3600 });
    const losses = (events: typeof points) => events.filter((p) => 'D_loss' in p.values).map((p) => [p.values.D_loss, p.values.G_loss]);
    expect(losses(points)).toEqual(losses(plain.of('progress').flatMap((p) => p.points)));
  });

  it('says why a run has no scores: off, or nothing to compare the samples with', async () => {
    const off = harness();
    await off.session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 1, evaluation: { every: 0, samples: 10 } }, backend: 'wasm', checkpointSeconds: 3600 });
    expect(off.of('started')[0]).toMatchObject({ scoreNames: [], scoreNote: expect.stringMatching(/off/) });
    const noPreview = harness();
    const doc = { ...gan, training: { ...gan.training, previews: { samples: 'none' as const } } };
    await noPreview.session.handle({ type: 'start', doc, settings: { ...settings, iterations: 1, evaluation: { every: 1, samples: 10 } }, backend: 'wasm', checkpointSeconds: 3600 });
    expect(noPreview.of('started')[0]).toMatchObject({ scoreNames: [], scoreNote: expect.stringMatching(/no samples preview/) });
    expect(noPreview.of('status').at(-1)!.status).toBe('completed');
  });

  it("reports a diffusion sampler's progress for the grid and for the scores, ending each at 1; a GAN's sampling says nothing", async () => {
    const diffusion = harness();
    const doc = tinyDiffusion({ samplerSteps: 3 });
    await diffusion.session.handle({ type: 'start', doc, settings: { batchSize: 8, iterations: 2, seed: 1, sampleEvery: 2, evaluation: { every: 2, samples: 8 } }, backend: 'auto', checkpointSeconds: 3600 });
    const sampling = diffusion.of('sampling');
    // Two grids (before iterations 0 and 2) and two scorings (at 0 and at 2), each told it is done.
    expect(sampling.filter((e) => e.fraction === 1).map((e) => e.what).sort()).toEqual(['samples', 'samples', 'scores', 'scores']);
    expect(sampling.every((e) => e.fraction > 0 && e.fraction <= 1)).toBe(true);
    const quiet = harness();
    await quiet.session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 2 }, backend: 'auto', checkpointSeconds: 3600 });
    expect(quiet.of('sampling')).toEqual([]);
  });

  it('pictures reconstructions x beside P(Q(x)) for a model with an encoder', async () => {
    const { session, of } = harness();
    await session.handle({ type: 'start', doc: getTemplate('ali')!.doc, settings: { ...settings, iterations: 2, sampleEvery: 1 }, backend: 'wasm', checkpointSeconds: 3600 });
    const reconstructions = of('picture').filter((p) => p.kind === 'reconstructions');
    expect(reconstructions.map((p) => p.picture.index)).toEqual([0, 1, 2]);
    // 16 pairs in 8 columns: 4 rows of x, P(Q(x)), x, P(Q(x)), ...
    const png = PNG.sync.read(Buffer.from(await reconstructions[0]!.picture.png.arrayBuffer()));
    expect([png.width, png.height]).toEqual([8 * 28 + 14, 4 * 28 + 6]);
  });

  it('pauses, steps one iteration, resumes and stops, checkpointing when it pauses and stops', async () => {
    const { session, next, of, steps } = harness();
    const started = session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 1_000_000 }, backend: 'wasm', checkpointSeconds: 3600 });
    await next((e) => e.type === 'progress');
    await session.handle({ type: 'pause' });
    const paused = of('status').at(-1)!;
    expect(paused.status).toBe('paused');
    const before = steps().length;
    expect(before).toBe(paused.iteration);
    expect(of('checkpoint').at(-1)!.checkpoint.manifest.iteration).toBe(paused.iteration);
    await session.handle({ type: 'step' });
    expect(steps().length).toBe(before + 1);
    void session.handle({ type: 'resume' });
    await next((e) => e.type === 'progress');
    await session.handle({ type: 'stop' });
    await started;
    const stopped = of('status').at(-1)!;
    expect(stopped.status).toBe('stopped');
    expect(stopped.iteration).toBeGreaterThan(before + 1);
    expect(steps()).toEqual(Array.from({ length: stopped.iteration }, (_, i) => i));
    expect(of('checkpoint').at(-1)!.checkpoint.manifest.iteration).toBe(stopped.iteration);
  });

  it('saves a checkpoint the page asks for (it is being left) between iterations, no older than the iteration shown, while training goes on', async () => {
    const { session, next, of, saved } = harness();
    const started = session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 1_000_000 }, backend: 'wasm', checkpointSeconds: 3600 });
    await next((e) => e.type === 'progress');
    const shown = of('progress').at(-1)!.iteration;
    await session.handle({ type: 'checkpoint', runId: 'run-1' });
    const answer = (await next((e) => e.type === 'checkpoint-saved')) as Extract<TrainEvent, { type: 'checkpoint-saved' }>;
    expect(saved).toEqual([{ runId: 'run-1', iteration: answer.iteration }]);
    expect(answer.iteration).toBeGreaterThanOrEqual(shown);
    // Saved by the session, not sent to the page as a periodic one; and the run trains on.
    expect(of('checkpoint')).toEqual([]);
    await next((e) => e.type === 'progress' && e.iteration > answer.iteration);
    expect(of('status').at(-1)!.status).toBe('running');

    // Paused: the pause's checkpoint holds that iteration, so none is made again; after a step, one is.
    await session.handle({ type: 'pause' });
    const paused = of('status').at(-1)!.iteration;
    await session.handle({ type: 'checkpoint', runId: 'run-1' });
    expect(saved).toHaveLength(1);
    await session.handle({ type: 'step' });
    await session.handle({ type: 'checkpoint', runId: 'run-1' });
    expect(saved.at(-1)).toEqual({ runId: 'run-1', iteration: paused + 1 });
    await session.handle({ type: 'stop' });
    await started;
  });

  it('runs quick commands one after another: no iteration twice, none skipped, pictures once each', async () => {
    const { session, next, of, steps } = harness();
    const started = session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 1_000_000, sampleEvery: 2 }, backend: 'wasm', checkpointSeconds: 3600 });
    await next((e) => e.type === 'progress');
    await session.handle({ type: 'pause' });
    const clicks = [session.handle({ type: 'step' }), session.handle({ type: 'step' }), session.handle({ type: 'step' }), session.handle({ type: 'resume' })];
    const stopped = session.handle({ type: 'stop' });
    await Promise.all([...clicks, stopped, started]);
    expect(of('status').at(-1)!.status).toBe('stopped');
    const last = of('status').at(-1)!.iteration;
    expect(steps()).toEqual(Array.from({ length: last }, (_, i) => i));
    const indexes = of('picture').map((p) => p.picture.index);
    expect(new Set(indexes).size).toBe(indexes.length);
  });

  it('resumes a run from its checkpoint, continuing the iteration count', async () => {
    const first = harness();
    await first.session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 4 }, backend: 'wasm', checkpointSeconds: 3600 });
    const checkpoint = first.of('checkpoint')[0]!.checkpoint;
    const second = harness();
    await second.session.handle({ type: 'start', doc: gan, settings, backend: 'wasm', checkpointSeconds: 3600, resume: checkpoint });
    expect(second.of('started')[0]!.iteration).toBe(4);
    expect(second.steps()).toEqual([4, 5, 6]);
    expect(second.of('picture').map((p) => p.picture.index)).toEqual([2, 3]);
    // Resuming is deterministic: the same checkpoint gives the same losses again.
    const third = harness();
    await third.session.handle({ type: 'start', doc: gan, settings, backend: 'wasm', checkpointSeconds: 3600, resume: checkpoint });
    const losses = (h: ReturnType<typeof harness>) => h.of('progress').flatMap((p) => p.points.map((point) => [point.values.D_loss, point.values.G_loss]));
    expect(losses(third)).toEqual(losses(second));
  });

  it('holds no more tensors after a run and a failed resume than before', async () => {
    const tfjs = await wasm();
    const before = tfjs.memory().numTensors;
    const first = harness();
    await first.session.handle({ type: 'start', doc: gan, settings: { ...settings, iterations: 2 }, backend: 'wasm', checkpointSeconds: 3600 });
    const checkpoint = first.of('checkpoint')[0]!.checkpoint;
    // A gan checkpoint does not fit ali: the start fails, naming why, and the new program is released.
    await first.session.handle({ type: 'start', doc: getTemplate('ali')!.doc, settings, backend: 'wasm', checkpointSeconds: 3600, resume: checkpoint });
    expect(first.of('status').at(-1)).toMatchObject({ status: 'failed', message: expect.stringMatching(/different graph/) });
    expect(tfjs.memory().numTensors).toBe(before);
  });

  it('stops a diverging run, naming the loss and the iteration, without a checkpoint of the bad weights', async () => {
    const doc: GraphDoc = structuredClone(gan);
    const dLoss = doc.nodes.find((n) => n.label === 'D_loss')!;
    dLoss.params = { ...dLoss.params, weights: [1e39, 1] };
    const { session, of } = harness();
    await session.handle({ type: 'start', doc, settings, backend: 'wasm', checkpointSeconds: 3600 });
    const last = of('status').at(-1)!;
    expect(last.status).toBe('diverged');
    expect(last.message).toMatch(/^D_loss became (Infinity|NaN) at iteration 0; training stopped/);
    expect(of('checkpoint')).toEqual([]);
  });

  it('reports a graph with errors as a failed start that says why', async () => {
    const doc: GraphDoc = structuredClone(gan);
    doc.edges = doc.edges.slice(1);
    const { session, of } = harness();
    await session.handle({ type: 'start', doc, settings, backend: 'wasm', checkpointSeconds: 3600 });
    expect(of('status').at(-1)).toMatchObject({ status: 'failed', message: expect.stringMatching(/problem/) });
  });
});
