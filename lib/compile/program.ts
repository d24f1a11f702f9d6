import type * as tfjs from '@tensorflow/tfjs';
import { analyse, nodeLabel, type Analysis, type NodeInfo, type Scope } from '../graph/analyse';
import { formatProblem, type Problem } from '../graph/problems';
import type { GraphDoc, PortRef, Preview } from '../graph/schema';
import { concreteShape, type Shape } from '../graph/shape';
import type { OptimizerUpdater, Sampler, TF, Tensor } from '../kinds/kind';
import type { DataProvider, Split } from '../data/mnist';
import { createRng, streamSeed } from '../data/rng';
// The image helper is a runtime module (shipped verbatim with exports), not training code.
import { imageBatch, type ImageBatch } from '../train/grid';
import { ComputedValues } from './computed-values';
import { monitoredInputs, type MonitoredInput } from './monitors';
import { captureState, restoreState, type ProgramState } from './state';
import { createVariables, type WeightStore } from './variables';

/**
 * GraphDoc -> TrainingProgram. Knows nothing of React, workers or databases:
 * the same program trains in the browser worker, the Node CLI and the tests.
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
  /**
   * The iteration a resumed run continues from: training draws come from
   * streams seeded with it (replaying every earlier draw would take as long
   * as the training did); previews keep their fixed draws.
   */
  resumeAt?: number;
}

export type { ImageBatch } from '../train/grid';

export interface TrainingProgram {
  readonly backend: string;
  /** Display name of every loss an optimizer step reports, in schedule order. */
  readonly lossNames: readonly string[];
  readonly iteration: number;
  /** Runs one iteration of the schedule; returns each step's loss (before its update) unless `read` is false. */
  step(read?: boolean): Record<string, number> | undefined;
  /**
   * The same, reading the losses asynchronously: required on WebGPU in a
   * worker, where a synchronous read returns wrong values.
   */
  stepAsync(): Promise<Record<string, number>>;
  /** Generated images from a fixed draw of noise (when the graph names a samples preview). */
  samples(): Promise<ImageBatch | undefined>;
  /** Fixed inputs x and their reconstructions (when the graph names one). */
  reconstructions(): Promise<{ inputs: ImageBatch; outputs: ImageBatch } | undefined>;
  /** Names of the monitors, in order. */
  readonly monitorNames: readonly string[];
  /** Chart quantities from the loss kinds' monitors (a discriminator's mean output), on the fixed preview draws. */
  monitors(): Promise<Record<string, number>>;
  /** The samples preview with its sources' rows blended linearly from row `from` to row `to` (latent interpolation). */
  interpolation(from: number, to: number): Promise<ImageBatch | undefined>;
  /** The trainable weights by stable name `network/node/weight`. */
  weights(): ReadonlyMap<string, tfjs.Variable>;
  setWeights(values: ReadonlyMap<string, Tensor>): void;
  /** Everything a checkpoint needs to continue exactly: weights, optimizer slots and steps, the iteration. Tensors are live: read them before the next step. */
  state(): ProgramState;
  restore(state: ProgramState): void;
  dispose(): void;
}

export type { ProgramState } from './state';


export class CompileError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The graph has ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

/**
 * A value flowing through the interpreter: the tensor, whether the current
 * step needs its gradient, and a key naming the computation that produced it
 * (equal keys mean equal values within an iteration).
 */
interface Value {
  t: Tensor;
  grad: boolean;
  key: string;
}

interface SourceSlot {
  sampler: Sampler;
  preview: Sampler;
  draw: 'per-iteration' | 'per-step';
  shapes: Record<string, Shape>;
}

/** One evaluation of the graph: which networks train, where source values come from, what earlier steps computed. */
interface Pass {
  trainable: ReadonlySet<string>;
  source(scope: Scope, info: NodeInfo): Record<string, Tensor>;
  computed?: ComputedValues;
}

/** Preview batches (sample grids, reconstructions, monitors) hold 16 rows: the seeds' 4x4 grids. */
export const PREVIEW_COUNT = 16;

export async function compile(doc: GraphDoc, options: CompileOptions): Promise<TrainingProgram> {
  const analysis = analyse(doc);
  if (!analysis.ok) throw new CompileError(analysis.errors);
  const { tf } = options;
  const seed = options.seed ?? doc.training.seed;
  const batchSize = options.batchSize ?? doc.training.batchSize;

  const splits = new Map<Split, Awaited<ReturnType<DataProvider['mnist']>>>();
  for (const scope of allScopes(analysis)) {
    for (const info of scope.nodes.values()) {
      if (info.kind?.role === 'source' && info.kind.dataset === 'mnist') {
        const split = (info.params as { split: Split }).split;
        if (!splits.has(split)) splits.set(split, await options.data.mnist(split));
      }
    }
  }

  const sources = new Map<string, SourceSlot>();
  for (const scope of allScopes(analysis)) {
    for (const info of scope.nodes.values()) {
      if (info.kind?.role !== 'source') continue;
      const key = scopedKey(scope, info.node.id);
      const env = (stream: 'train' | 'preview') => {
        const rng = createRng(streamSeed(seed, stream, key, options.resumeAt));
        return { tf, random: rng.random, normal: rng.normal, mnist: (split: Split) => splits.get(split)! };
      };
      sources.set(key, {
        sampler: info.kind.sampler(info.params, env('train')),
        preview: info.kind.sampler(info.params, env('preview')),
        draw: info.kind.draw(info.params),
        shapes: info.outShapes,
      });
    }
  }

  const store = createVariables(tf, analysis, seed);
  const updaters = new Map<string, { updater: OptimizerUpdater; variables: tfjs.Variable[] }>();
  for (const optimizer of analysis.optimizers) {
    const variables = optimizer.networks.flatMap((network) => store.ofNetwork(network));
    updaters.set(optimizer.node, { updater: optimizer.kind.updater(tf, optimizer.params, variables), variables });
  }

  return new Program(tf, doc, analysis, store, sources, updaters, batchSize, options.feed);
}

function allScopes(analysis: Analysis): Scope[] {
  return [analysis.main, ...analysis.networks.values()];
}

const scopedKey = (scope: Scope, node: string) => `${scope.network ?? ''}/${node}`;


/** One entry of the schedule, resolved once at compile time. */
interface ScheduledStep {
  loss: PortRef;
  lossName: string;
  trainable: ReadonlySet<string>;
  repeat: number;
  updater: OptimizerUpdater;
  variables: tfjs.Variable[];
}

class Program implements TrainingProgram {
  iteration = 0;
  readonly lossNames: string[];
  private previewCache = new Map<string, Record<string, Tensor>>();
  private schedule: ScheduledStep[];
  private monitored: MonitoredInput[];

  constructor(
    private tf: TF,
    private doc: GraphDoc,
    private analysis: Analysis,
    private store: WeightStore,
    private sources: Map<string, SourceSlot>,
    private updaters: Map<string, { updater: OptimizerUpdater; variables: tfjs.Variable[] }>,
    private batchSize: number,
    private feed: CompileOptions['feed'],
  ) {
    this.schedule = analysis.schedule.map(({ optimizer, repeat }) => {
      const info = analysis.optimizers.find((o) => o.node === optimizer)!;
      const lossName = nodeLabel(analysis.main.nodes.get(info.loss.node)!);
      return { loss: info.loss, lossName, trainable: new Set(info.networks), repeat, ...updaters.get(optimizer)! };
    });
    this.lossNames = [...new Set(this.schedule.map((s) => s.lossName))];
    this.monitored = monitoredInputs(analysis.main);
  }

  get backend() {
    return this.tf.getBackend();
  }

  step(read = true): Record<string, number> | undefined {
    const losses = this.iterate();
    try {
      return read ? Object.fromEntries(losses.map(([name, t]) => [name, t.dataSync()[0]!])) : undefined;
    } finally {
      losses.forEach(([, t]) => t.dispose());
    }
  }

  async stepAsync(): Promise<Record<string, number>> {
    const losses = this.iterate();
    const stacked = this.tf.stack(losses.map(([, t]) => t));
    losses.forEach(([, t]) => t.dispose());
    try {
      const values = await stacked.data();
      return Object.fromEntries(losses.map(([name], i) => [name, values[i]!]));
    } finally {
      stacked.dispose();
    }
  }

  /** Runs one iteration of the schedule; returns each step's loss tensor (the caller disposes them). */
  private iterate(): [string, Tensor][] {
    const tf = this.tf;
    const perIteration = new Map<string, Record<string, Tensor>>();
    const computed = new ComputedValues();
    const losses: [string, Tensor][] = [];
    let finished = false;
    try {
      for (const { loss: target, lossName, trainable, repeat, updater, variables } of this.schedule) {
        for (let r = 0; r < repeat; r++) {
          const perStep = new Map<string, Record<string, Tensor>>();
          const pass: Pass = {
            trainable,
            source: (scope, node) => this.draw(scope, node, perIteration, perStep),
            computed,
          };
          try {
            const loss = tf.tidy(() => {
              const { value, grads } = tf.variableGrads(() => this.evaluate(pass, target).t as tfjs.Scalar, variables);
              updater.apply(variables.map((v) => grads[v.name]));
              // A copy: the value itself may be cached for later steps and released with them.
              return tf.clone(value);
            });
            // A repeated step reports its last loss.
            const earlier = losses.findIndex(([name]) => name === lossName);
            if (earlier >= 0) losses.splice(earlier, 1)[0]![1].dispose();
            losses.push([lossName, loss]);
          } finally {
            disposeAll(perStep);
          }
        }
      }
      finished = true;
    } finally {
      computed.dispose();
      disposeAll(perIteration);
      if (!finished) losses.forEach(([, t]) => t.dispose());
    }
    this.iteration += 1;
    return losses;
  }

  /** Draws (or takes from the feed) a source's values, once per iteration or per step. */
  private draw(scope: Scope, info: NodeInfo, perIteration: Map<string, Record<string, Tensor>>, perStep: Map<string, Record<string, Tensor>>) {
    const key = scopedKey(scope, info.node.id);
    const slot = this.sources.get(key)!;
    const cache = slot.draw === 'per-step' ? perStep : perIteration;
    let values = cache.get(key);
    if (!values) {
      const drawn = this.feed ? undefined : slot.sampler.next(this.batchSize);
      values = {};
      for (const [port, shape] of Object.entries(slot.shapes)) {
        const concrete = concreteShape(shape, this.batchSize);
        const data = this.feed?.({ node: info.node.id, port, shape: concrete }) ?? (drawn ?? slot.sampler.next(this.batchSize))[port]!;
        values[port] = this.tf.keep(this.tf.tensor(data, concrete));
      }
      cache.set(key, values);
    }
    return values;
  }

  /** Lazily evaluates one port of the main graph, computing only what it depends on. */
  private evaluate(pass: Pass, ref: PortRef, memo = new Map<string, Record<string, Value>>()): Value {
    return this.port(pass, this.analysis.main, memo, new Map(), ref);
  }

  private port(pass: Pass, scope: Scope, memo: Map<string, Record<string, Value>>, args: Map<string, Value>, ref: PortRef): Value {
    let outputs = memo.get(ref.node);
    if (!outputs) {
      outputs = this.node(pass, scope, memo, args, scope.nodes.get(ref.node)!);
      memo.set(ref.node, outputs);
    }
    return outputs[ref.port]!;
  }

  private node(pass: Pass, scope: Scope, memo: Map<string, Record<string, Value>>, args: Map<string, Value>, info: NodeInfo): Record<string, Value> {
    const kind = info.kind!;
    const inputs = new Map<string, Value>();
    for (const [port, source] of scope.incoming.get(info.node.id) ?? []) inputs.set(port, this.port(pass, scope, memo, args, source));
    switch (kind.role) {
      case 'source': {
        const values = pass.source(scope, info);
        return Object.fromEntries(Object.entries(values).map(([port, t]) => [port, { t, grad: false, key: `t${t.id}` }]));
      }
      case 'network-input':
        return { out: args.get(info.node.id)! };
      case 'call':
        return this.call(pass, kind.network(info.params), inputs);
      case 'op': {
        const trains = scope.network !== undefined && pass.trainable.has(scope.network);
        const inputGrad = [...inputs.values()].some((v) => v.grad);
        const weights = this.store.ofNode(scope.network, info.node.id);
        const grad = inputGrad || (trains && Object.keys(weights).length > 0);
        const key = this.computationKey(pass, scope, info, inputs, weights);
        const known = pass.computed?.get(key);
        let result = known;
        if (!known || grad) {
          result = kind.compute({
            tf: this.tf,
            params: info.params,
            inputs: Object.fromEntries([...inputs].map(([port, v]) => [port, v.t])),
            weights,
            needsGrad: { inputs: inputGrad, weights: trains },
            known,
          });
          if (!known) pass.computed?.set(key, result, this.tf);
        }
        return Object.fromEntries(Object.entries(result!).map(([port, t]) => [port, { t, grad, key: `${key}.${port}` }]));
      }
      case 'network-output':
      case 'optimizer':
        throw new Error(`${kind.kind} "${nodeLabel(info)}" has no value to evaluate`);
    }
  }

  /** Names what a node computes: the node, its inputs' keys and the versions of its weights. */
  private computationKey(pass: Pass, scope: Scope, info: NodeInfo, inputs: Map<string, Value>, weights: Record<string, tfjs.Variable>): string {
    if (!pass.computed) return '';
    const ins = [...inputs].map(([port, v]) => `${port}=${v.key}`).join(',');
    const ws = Object.values(weights).map((w) => this.store.version(w)).join(',');
    return pass.computed.intern(`${scope.network ?? ''}/${info.node.id}(${ins})[${ws}]`);
  }

  /** Runs a network body on the given inputs; its weights are the network's own, shared by every call. */
  private call(pass: Pass, networkId: string, inputs: Map<string, Value>): Record<string, Value> {
    const body = this.analysis.networks.get(networkId)!;
    const memo = new Map<string, Record<string, Value>>();
    const outputs: Record<string, Value> = {};
    for (const output of body.signature.outputs) {
      const source = body.incoming.get(output.port)!.get('in')!;
      outputs[output.port] = this.port(pass, body, memo, inputs, source);
    }
    return outputs;
  }

  async samples(): Promise<ImageBatch | undefined> {
    const preview = this.doc.training.previews.samples;
    return preview ? this.preview(preview, preview) : undefined;
  }

  async reconstructions(): Promise<{ inputs: ImageBatch; outputs: ImageBatch } | undefined> {
    const preview = this.doc.training.previews.reconstructions;
    if (!preview) return undefined;
    return { inputs: await this.preview(preview.input, preview), outputs: await this.preview(preview, preview) };
  }

  async interpolation(from: number, to: number): Promise<ImageBatch | undefined> {
    const preview = this.doc.training.previews.samples;
    if (!preview) return undefined;
    for (const row of [from, to]) {
      if (!Number.isInteger(row) || row < 0 || row >= PREVIEW_COUNT) throw new Error(`interpolation rows are 0-${PREVIEW_COUNT - 1}, got ${row}`);
    }
    const tf = this.tf;
    const t = tf.tidy(() => tf.reshape(tf.linspace(0, 1, PREVIEW_COUNT), [PREVIEW_COUNT, 1]));
    try {
      return await this.preview(preview, preview, (scope, info) => {
        const fixed = this.previewSource(scope, info);
        return Object.fromEntries(
          Object.entries(fixed).map(([port, values]) => {
            const rows = tf.reshape(values, [PREVIEW_COUNT, -1]);
            const a = tf.slice(rows, [from, 0], [1, -1]);
            const b = tf.slice(rows, [to, 0], [1, -1]);
            return [port, tf.reshape(tf.add(a, tf.mul(tf.sub(b, a), t)), values.shape)];
          }),
        );
      });
    } finally {
      t.dispose();
    }
  }

  get monitorNames(): string[] {
    return this.monitored.map((m) => m.name);
  }

  async monitors(): Promise<Record<string, number>> {
    if (this.monitored.length === 0) return {};
    const tf = this.tf;
    const pass: Pass = { trainable: new Set(), source: (scope, info) => this.previewSource(scope, info) };
    const memo = new Map<string, Record<string, Value>>();
    const values = tf.tidy(() => tf.stack(this.monitored.map(({ ref, monitor }) => monitor.compute(tf, this.evaluate(pass, ref, memo).t))));
    try {
      const numbers = await values.data();
      return Object.fromEntries(this.monitored.map(({ name }, i) => [name, numbers[i]!]));
    } finally {
      values.dispose();
    }
  }

  /** Evaluates a port at batch 16 from fixed source draws (or the given ones), with no gradients. */
  private preview(ref: PortRef, { range }: Pick<Preview, 'range'>, source: Pass['source'] = (scope, info) => this.previewSource(scope, info)): Promise<ImageBatch> {
    const pass: Pass = { trainable: new Set(), source };
    return imageBatch(this.tf as typeof tfjs, range, () => this.evaluate(pass, ref).t);
  }

  private previewSource(scope: Scope, info: NodeInfo): Record<string, Tensor> {
    const key = scopedKey(scope, info.node.id);
    let values = this.previewCache.get(key);
    if (!values) {
      const slot = this.sources.get(key)!;
      const drawn = slot.preview.fixed?.(PREVIEW_COUNT) ?? slot.preview.next(PREVIEW_COUNT);
      values = {};
      for (const [port, shape] of Object.entries(slot.shapes)) {
        values[port] = this.tf.keep(this.tf.tensor(drawn[port]!, concreteShape(shape, PREVIEW_COUNT)));
      }
      this.previewCache.set(key, values);
    }
    return values;
  }

  weights(): ReadonlyMap<string, tfjs.Variable> {
    return this.store.byName;
  }

  setWeights(values: ReadonlyMap<string, Tensor>): void {
    this.store.assign(values);
  }

  state(): ProgramState {
    return captureState(this.iteration, this.store, this.updaters);
  }

  restore(state: ProgramState): void {
    restoreState(state, this.store, this.updaters);
    this.iteration = state.iteration;
  }

  dispose(): void {
    for (const { updater } of this.updaters.values()) updater.dispose();
    disposeAll(this.previewCache);
    this.store.dispose();
  }
}

function disposeAll(cache: Map<string, Record<string, Tensor>>) {
  for (const values of cache.values()) for (const t of Object.values(values)) t.dispose();
  cache.clear();
}
