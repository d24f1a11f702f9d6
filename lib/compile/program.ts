import type * as tfjs from '@tensorflow/tfjs';
import { analyse } from '../graph/analyse';
import { formatProblem, type Problem } from '../graph/problems';
import type { GraphDoc } from '../graph/schema';
import { concreteShape, isBatched } from '../kinds/shape';
import { lower } from '../plan/lower';
import type { PreviewLayout, PreviewPlan, QualityPlan, SourcePlan, TrainingPlan } from '../plan/plan';
import { captureState, restoreState, type TrainingState } from '../runtime/checkpoint';
import { datasetKey, type DataProvider, type Dataset } from '../runtime/dataset';
import { concatBatches, GENERATE_CHUNK, imageBatch, type ImageBatch } from '../runtime/grid';
import type { Losses } from '../runtime/loop';
import type { MonitorMeasure } from '../runtime/diagnostics';
import type { TF, Tensor } from '../runtime/ops';
import type { OptimizerUpdater } from '../runtime/optimizers';
import { iterationSite, roundSite, sourceStream, type DrawAt, type DrawSite, type SourcePurpose } from '../runtime/random';
import { previewBatch, type Batches } from '../runtime/batches';
import { samplerNoise } from '../runtime/diffusion';
import { Frame, runMain, type Context } from './interpret';
import { assignWeights, createVariables } from './variables';

/**
 * GraphDoc -> TrainingProgram: interprets the graph's TrainingPlan with tfjs.
 * Knows nothing of React, workers or databases: the same program trains in
 * the browser worker, the Node CLI and the tests.
 */
export interface CompileOptions {
  tf: TF;
  data: DataProvider;
  /** Defaults to the document's training settings. */
  seed?: number;
  batchSize?: number;
  /**
   * Supplies a source's values instead of drawing them (tests feed a
   * reference program and the compiled one the same batches). Return
   * undefined to draw as usual.
   */
  feed?: (request: { node: string; port: string; shape: number[] }) => Float32Array | undefined;
  /** Training draws computed ahead on another thread (the CLI's: lib/train/draws-ahead.ts). */
  drawsAhead?: DrawsAhead;
}

/**
 * Training draws a helper thread computes ahead of the iteration that reads
 * them: a source's values at a position in its training stream, exactly what
 * the source's own sampler draws there, or undefined to draw them here.
 */
export interface DrawsAhead {
  take(source: string, at: DrawAt): Readonly<Record<string, Float32Array>> | undefined;
}

export type { ImageBatch } from '../runtime/grid';
export type { TrainingState } from '../runtime/checkpoint';

export interface TrainingProgram {
  readonly backend: string;
  /** Display name of every loss an optimizer step reports, in schedule order. */
  readonly lossNames: readonly string[];
  readonly iteration: number;
  /** Runs one iteration of the schedule; returns each step's loss (before its update) unless `read` is false. */
  step(read?: boolean): Losses | undefined;
  /**
   * The same, reading the losses asynchronously: required on WebGPU in a
   * worker, where a synchronous read returns wrong values.
   */
  stepAsync(): Promise<Losses>;
  /** How many preview rows are drawn, and the columns of their grids (the reconstructions' grid has twice as many: x beside x'). */
  readonly previewLayout: PreviewLayout;
  /** Generated images from a fixed draw of noise (when the graph names a samples preview); `onProgress` hears how far a sampler has got. */
  samples(onProgress?: Progress): Promise<ImageBatch | undefined>;
  /** Fixed inputs x and their reconstructions (when the graph names one). */
  reconstructions(): Promise<{ inputs: ImageBatch; outputs: ImageBatch } | undefined>;
  /**
   * `count` new images from the samples preview (values in [0, 1]), drawn with
   * fresh noise from a stream of their own (the same for a seed), in chunks
   * so that any count fits in memory. Undefined when the graph names no samples preview.
   * `fixed`: the same noise at every call instead (the batch quality scores
   * are computed on, so that scores follow the model and not the draw).
   */
  generate(count: number, options?: { fixed?: boolean; onProgress?: Progress }): Promise<ImageBatch | undefined>;
  /** How generated samples are scored, when they can be (see QualityPlan). */
  readonly quality: QualityPlan | undefined;
  /** Names of the monitors, in order. */
  readonly monitorNames: readonly string[];
  /** What each monitor measures, by name (how to chart and diagnose it). */
  readonly monitorMeasures: ReadonlyMap<string, MonitorMeasure>;
  /** Chart quantities from the loss kinds' monitors (a discriminator's mean output), on the fixed preview draws. */
  monitors(): Promise<Losses>;
  /** The samples preview with its sources' rows blended linearly from row `from` to row `to` (latent interpolation). */
  interpolation(from: number, to: number): Promise<ImageBatch | undefined>;
  /** The trainable weights by stable name `network/node/weight`. */
  weights(): ReadonlyMap<string, tfjs.Variable>;
  setWeights(values: ReadonlyMap<string, Tensor>): void;
  /** Everything a checkpoint needs to continue exactly: weights, optimizer slots and steps, the iteration. Tensors are live: read them before the next step. */
  state(): TrainingState;
  restore(state: TrainingState): void;
  dispose(): void;
}

export class CompileError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The graph has ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}


/** A source's samplers, one per purpose, each on a stream of its own. */
type SourceStreams = Record<SourcePurpose, Batches>;

export async function compile(doc: GraphDoc, options: CompileOptions): Promise<TrainingProgram> {
  const analysis = analyse(doc);
  if (!analysis.ok) throw new CompileError(analysis.errors);
  const plan = lower(analysis);
  const { tf } = options;
  const seed = options.seed ?? plan.settings.seed;

  const datasets = new Map<string, Dataset>();
  for (const ref of plan.datasets) {
    const dataset = await options.data.dataset(ref);
    if (dataset.count === 0) throw new Error(`dataset ${datasetKey(ref)} is empty: there is nothing to train on`);
    datasets.set(datasetKey(ref), dataset);
  }
  const streams = new Map<string, SourceStreams>();
  for (const source of plan.sources) {
    const sampler = (purpose: SourcePurpose) =>
      source.kind.sampler(source.params, {
        tf,
        stream: sourceStream(seed, purpose, source.key),
        drawsPerIteration: purpose === 'train' ? (plan.drawsPerIteration[source.key] ?? 1) : 1,
        dataset: (ref) => datasets.get(datasetKey(ref))!,
      });
    streams.set(source.key, { train: sampler('train'), preview: sampler('preview'), samples: sampler('samples'), evaluation: sampler('evaluation') });
  }

  const variables = createVariables(tf, plan.weights, seed);
  const updaters = new Map<string, OptimizerUpdater>();
  for (const optimizer of plan.optimizers) {
    updaters.set(optimizer.node, optimizer.kind.updater(tf, optimizer.params, optimizer.variables.map((w) => variables.get(w.name)!)));
  }
  return new Program(tf, plan, variables, updaters, streams, options.batchSize ?? plan.settings.batchSize, options.feed, seed, options.drawsAhead);
}

/** The class of each row of one-hot labels (its largest value). */
function classOfRows(oneHot: Float32Array, classes: number): Uint8Array {
  const rows = oneHot.length / classes;
  return Uint8Array.from({ length: rows }, (_, row) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (oneHot[row * classes + c]! > oneHot[row * classes + best]!) best = c;
    return best;
  });
}

/** How far a slow evaluation has got, from 0 to 1 (a sampler's steps). */
export type Progress = (fraction: number) => void;

/** Samples generated in bulk: at most this many per call. */
export const MAX_GENERATED = 100_000;

class Program implements TrainingProgram {
  iteration = 0;
  /** Chunks of samples generated in bulk so far: each chunk draws anew (the samples stream's next iteration). */
  private generated = 0;
  private previewDraws = new Map<string, Record<string, Tensor>>();
  /** Each step's optimizer and variables, resolved once. */
  private schedule: { updater: OptimizerUpdater; variables: tfjs.Variable[] }[];

  constructor(
    private tf: TF,
    private plan: TrainingPlan,
    private variables: Map<string, tfjs.Variable>,
    private updaters: Map<string, OptimizerUpdater>,
    private streams: Map<string, SourceStreams>,
    private batchSize: number,
    private feed: CompileOptions['feed'],
    private seed: number,
    private drawsAhead: DrawsAhead | undefined,
  ) {
    this.schedule = plan.steps.map((step) => ({
      updater: updaters.get(step.optimizer.node)!,
      variables: step.optimizer.variables.map((w) => variables.get(w.name)!),
    }));
  }

  get backend() {
    return this.tf.getBackend();
  }

  get lossNames() {
    return this.plan.lossNames;
  }

  get quality() {
    return this.plan.quality;
  }

  get monitorMeasures() {
    return new Map(this.plan.monitors.values.map((m) => [m.name, m.monitor.measures]));
  }

  get monitorNames() {
    return this.plan.monitors.values.map((m) => m.name);
  }

  step(read = true): Losses | undefined {
    const losses = this.iterate();
    try {
      return read ? Object.fromEntries(losses.map(([name, t]) => [name, t.dataSync()[0]!])) : undefined;
    } finally {
      losses.forEach(([, t]) => t.dispose());
    }
  }

  async stepAsync(): Promise<Losses> {
    const losses = this.iterate();
    // A schedule with no steps (nothing trains yet) reports no losses: there is nothing to stack.
    if (losses.length === 0) return {};
    const stacked = this.tf.stack(losses.map(([, t]) => t));
    losses.forEach(([, t]) => t.dispose());
    try {
      const values = await stacked.data();
      return Object.fromEntries(losses.map(([name], i) => [name, values[i]!]));
    } finally {
      stacked.dispose();
    }
  }

  /**
   * One iteration of the schedule inside one tidy: each section's shared
   * values, then each step's rounds. Returns each step's loss (a repeated
   * step its last round's), which the caller disposes.
   */
  private iterate(): [string, Tensor][] {
    const tf = this.tf;
    const losses = tf.tidy(() => {
      const frame = new Frame();
      const reported = new Map<string, Tensor>();
      const site = iterationSite(this.seed, this.iteration);
      const shared = this.context(new Set(), (source, draw) => this.drawTraining(source, draw), site);
      this.plan.steps.forEach((step, s) => {
        runMain(this.plan.sections[s]!, frame, shared);
        const { updater, variables } = this.schedule[s]!;
        for (let round = 0; round < step.repeat; round++) {
          // Each round draws anew: its sources the next numbers, its random layers at a site of their own.
          const ctx = this.context(step.trains, (source, draw) => this.drawTraining(source, draw + round), roundSite(site, round));
          const loss = tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => {
              const own = frame.child();
              runMain(step.body, own, ctx);
              return own.get(step.loss) as tfjs.Scalar;
            }, variables);
            updater.apply(variables.map((v) => grads[v.name]));
            return value;
          });
          // A repeated step (or a loss two steps minimise) reports its last value, in the order the losses first appear.
          reported.get(step.lossName)?.dispose();
          reported.set(step.lossName, loss);
        }
      });
      return [...reported.values()];
    });
    this.iteration += 1;
    return this.plan.lossNames.map((name, i) => [name, losses[i]!]);
  }

  /** `site`: a training iteration's forward pass, with where its random layers draw; absent: an evaluation (previews, monitors, samples). */
  private context(trains: ReadonlySet<string>, draw: Context['draw'], site?: DrawSite, purpose: SourcePurpose = site ? 'train' : 'preview', iteration = site?.iteration ?? 0): Context {
    return {
      tf: this.tf,
      trains,
      draw,
      training: site !== undefined,
      site,
      variable: (weight) => this.variables.get(weight.name)!,
      samplerNoise: (node) => samplerNoise(this.seed, purpose, node, iteration),
    };
  }

  /** Draw number `draw` of this iteration from a source's training stream (or the test feed's values). */
  private drawTraining(source: SourcePlan, draw: number): Record<string, Tensor> {
    let drawn: Record<string, Float32Array> | undefined;
    const values: Record<string, Tensor> = {};
    for (const { port, shape } of source.ports) {
      const concrete = concreteShape(shape, this.batchSize);
      const data = this.feed?.({ node: source.node, port, shape: concrete }) ?? (drawn ??= this.trainingDraw(source.key, { iteration: this.iteration, draw }))[port]!;
      values[port] = this.tf.tensor(data, concrete);
    }
    return values;
  }

  /** A source's training draw: computed ahead on another thread where it was, else drawn here. */
  private trainingDraw(key: string, at: DrawAt): Readonly<Record<string, Float32Array>> {
    return this.drawsAhead?.take(key, at) ?? this.streams.get(key)!.train.draw(at, this.batchSize);
  }

  /** The fixed draw of a source that every preview reads (the first digits, one draw of noise), made once. */
  private drawPreview(source: SourcePlan): Record<string, Tensor> {
    let values = this.previewDraws.get(source.key);
    if (!values) {
      const { count } = this.plan.previews.layout;
      const drawn = previewBatch(this.streams.get(source.key)!.preview, count);
      values = {};
      for (const { port, shape } of source.ports) values[port] = this.tf.keep(this.tf.tensor(drawn[port]!, concreteShape(shape, count)));
      this.previewDraws.set(source.key, values);
    }
    return values;
  }

  get previewLayout(): PreviewLayout {
    return this.plan.previews.layout;
  }

  async samples(onProgress?: Progress): Promise<ImageBatch | undefined> {
    const preview = this.plan.previews.samples;
    return preview && this.preview(preview, undefined, 'preview', 0, onProgress && ((done, steps) => onProgress(done / steps)));
  }

  async generate(count: number, { fixed = false, onProgress }: { fixed?: boolean; onProgress?: Progress } = {}): Promise<ImageBatch | undefined> {
    const preview = this.plan.previews.samples;
    if (!preview) return undefined;
    if (!Number.isInteger(count) || count < 1 || count > MAX_GENERATED) throw new Error(`samples: from 1 to ${MAX_GENERATED}, got ${count}`);
    const chunks: ImageBatch[] = [];
    for (let done = 0; done < count; done += GENERATE_CHUNK) {
      const rows = Math.min(GENERATE_CHUNK, count - done);
      // Chunk c of the fixed batch is the evaluation stream's iteration c, every time; fresh samples take the samples stream's next iteration.
      const iteration = fixed ? done / GENERATE_CHUNK : this.generated++;
      let classes: Uint8Array | undefined;
      const images = await this.preview(
        preview,
        (source) => {
          const drawn = this.streams.get(source.key)![fixed ? 'evaluation' : 'samples'].draw({ iteration, draw: 0 }, rows);
          const labels = source.kind.classes?.(source.params);
          if (labels && drawn[labels.port]) classes ??= classOfRows(drawn[labels.port]!, labels.count);
          return Object.fromEntries(source.ports.map(({ port, shape }) => [port, this.tf.tensor(drawn[port]!, concreteShape(shape, rows))]));
        },
        fixed ? 'evaluation' : 'samples',
        iteration,
        onProgress && ((step, steps) => onProgress((done + (rows * step) / steps) / count)),
      );
      chunks.push({ ...images, classes });
    }
    return concatBatches(chunks);
  }

  async reconstructions(): Promise<{ inputs: ImageBatch; outputs: ImageBatch } | undefined> {
    const preview = this.plan.previews.reconstructions;
    return preview && { inputs: await this.preview(preview.inputs), outputs: await this.preview(preview.outputs) };
  }

  async interpolation(from: number, to: number): Promise<ImageBatch | undefined> {
    const preview = this.plan.previews.samples;
    if (!preview) return undefined;
    const { count } = this.plan.previews.layout;
    for (const row of [from, to]) {
      if (!Number.isInteger(row) || row < 0 || row >= count) throw new Error(`interpolation rows are 0-${count - 1}, got ${row}`);
    }
    const tf = this.tf;
    return this.preview(preview, (source) => {
      const t = tf.reshape(tf.linspace(0, 1, count), [count, 1]);
      const drawn = this.drawPreview(source);
      return Object.fromEntries(
        source.ports.map(({ port, shape }) => {
          const values = drawn[port]!;
          // A draw the batch shares has no rows to blend between: it stays as drawn.
          if (!isBatched(shape)) return [port, values];
          const rows = tf.reshape(values, [count, -1]);
          const a = tf.slice(rows, [from, 0], [1, -1]);
          const b = tf.slice(rows, [to, 0], [1, -1]);
          return [port, tf.reshape(tf.add(a, tf.mul(tf.sub(b, a), t)), values.shape)];
        }),
      );
    });
  }

  async monitors(): Promise<Losses> {
    const { values: monitored, body } = this.plan.monitors;
    if (monitored.length === 0) return {};
    const tf = this.tf;
    const values = tf.tidy(() => {
      const frame = new Frame();
      runMain(body, frame, this.context(new Set(), (source) => this.drawPreview(source)));
      return tf.stack(monitored.map(({ value, monitor }) => monitor.compute(tf, frame.get(value))));
    });
    try {
      const numbers = await values.data();
      return Object.fromEntries(monitored.map(({ name }, i) => [name, numbers[i]!]));
    } finally {
      values.dispose();
    }
  }

  /** Evaluates a preview at batch 16 from fixed source draws (or the given ones), with no gradients. */
  private preview(
    preview: PreviewPlan,
    draw: Context['draw'] = (source) => this.drawPreview(source),
    purpose: SourcePurpose = 'preview',
    iteration = 0,
    onSamplerStep?: Context['onSamplerStep'],
  ): Promise<ImageBatch> {
    return imageBatch(
      this.tf as typeof tfjs,
      preview.range,
      () => {
        const frame = new Frame();
        runMain(preview.body, frame, { ...this.context(new Set(), draw, undefined, purpose, iteration), onSamplerStep });
        return frame.get(preview.value);
      },
      preview.image,
    );
  }

  weights(): ReadonlyMap<string, tfjs.Variable> {
    return this.variables;
  }

  setWeights(values: ReadonlyMap<string, Tensor>): void {
    assignWeights(this.variables, values);
  }

  state(): TrainingState {
    return captureState(this.iteration, this.variables, Object.fromEntries(this.updaters), this.plan.identity);
  }

  restore(state: TrainingState): void {
    restoreState(state, this.variables, Object.fromEntries(this.updaters), this.plan.identity);
    this.iteration = state.iteration;
  }

  dispose(): void {
    for (const updater of this.updaters.values()) updater.dispose();
    for (const values of this.previewDraws.values()) for (const t of Object.values(values)) t.dispose();
    this.previewDraws.clear();
    this.variables.forEach((v) => v.dispose());
  }
}
