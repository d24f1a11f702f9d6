import type { z } from 'zod';
import type * as tfjs from '@tensorflow/tfjs';
import type { Batches } from '../runtime/batches';
import type { Dataset, DatasetRef } from '../runtime/dataset';
import type { ImageShape } from '../runtime/grid';
import type { Initializer } from '../runtime/init';
import type { GradNeeds, TF, Tensor } from '../runtime/ops';
import type { OptimizerUpdater } from '../runtime/optimizers';
import type { MonitorMeasure } from '../runtime/diagnostics';
import type { DrawSite, Stream } from '../runtime/random';
import type { Bounds } from './bounds';
import type { DatasetChoice } from './common';
import type { OpForms, OptimizerForms, SamplerForms, SourceForms } from './forms';
import type { SamplerNoise } from '../runtime/diffusion';
import type { Shape } from './shape';

/**
 * The contract every node kind fulfils. A kind is one object in one file:
 * ports, a zod params schema (type, defaults, inspector form and saved shape at
 * once, with each field's description and widget), a doc line with its shapes,
 * a pure shape inference, where it may live, a role that says how it takes
 * part in training, and its code forms per export target (`forms`, see
 * forms.ts). Kinds never import tfjs at run time: the `tf` namespace is
 * handed to them, so the editor can load the registry without pulling tfjs
 * into its bundle. Code outside lib/kinds asks kinds about their structure
 * through this contract and never by their names.
 */
export type { GradNeeds, TF, Tensor } from '../runtime/ops';
export type { Initializer } from '../runtime/init';
export type { OptimizerUpdater } from '../runtime/optimizers';
export type { Dataset, DatasetRef } from '../runtime/dataset';
export type { OpForms, OptimizerForms, SamplerForms, SourceForms } from './forms';
export type { SamplerNoise } from '../runtime/diffusion';
export type { DrawSite, Stream } from '../runtime/random';

/** The palette's grouping; never a role. */
export type Category = 'data' | 'layers' | 'networks' | 'diffusion' | 'losses' | 'optimizers';

/** Where a node may live: anywhere, only in the main graph (losses, optimizers) or only inside a network (its inputs and outputs). */
export type Placement = 'anywhere' | 'main' | 'network';

export interface PortSpec {
  id: string;
  label: string;
  /** What to connect when it is not connected, where a generic "connect a tensor" would not say. */
  fix?: string;
}

export interface NetworkSignature {
  id: string;
  name: string;
  inputs: readonly { port: string; label: string; shape: Shape }[];
  /** Output shapes are undefined while the network body has errors. */
  outputs: readonly { port: string; label: string; shape: Shape | undefined; bounds?: Bounds }[];
}

/** What a kind may ask about the graph around it: only network signatures. */
export interface GraphContext {
  network(id: string): NetworkSignature | undefined;
}

/** Thrown by `inferShape` to report a problem on one of the node's ports. */
export class ShapeError extends Error {
  constructor(
    readonly port: string | undefined,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

export const shapeError = (port: string | undefined, message: string, fix?: string): never => {
  throw new ShapeError(port, message, fix);
};

export interface WeightSpec {
  name: string;
  shape: number[];
  init: Initializer;
  /** Fan-in and fan-out for the Glorot/Xavier families (default: first two dims). */
  fans?: { fanIn: number; fanOut: number };
  /** False for state the kind updates itself (batch norm's moving statistics): no optimizer touches it; checkpoints keep it. */
  trainable?: false;
}

/**
 * A kind's own test case, which the registry's conformance test runs: params,
 * the shapes of its inputs, and the networks a call example needs.
 */
export interface KindExample {
  params: Record<string, unknown>;
  inputs: Record<string, Shape>;
  networks?: readonly NetworkSignature[];
}

export interface ComputeArgs<P> {
  tf: TF;
  params: P;
  inputs: Readonly<Record<string, Tensor>>;
  weights: Readonly<Record<string, Tensor>>;
  needsGrad: GradNeeds;
  /** A forward pass of a training iteration (true), or an evaluation: previews, samples, scores (false or absent). */
  training?: boolean;
  /** Where a random kind draws in this training forward pass (ops.dropout takes it); absent in evaluations. */
  drawSite?: DrawSite;
  /**
   * This node's outputs, already computed for these exact inputs and weights
   * earlier in the iteration. A kind may return them instead of recomputing,
   * provided it still records the gradients `needsGrad` asks for.
   */
  known?: Readonly<Record<string, Tensor>>;
}

interface KindBase<P> {
  kind: string;
  category: Category;
  title: string;
  /** One line with input and output shapes, shown in the palette. */
  doc: string;
  params: z.ZodType<P, any>;
  placement: Placement;
  example: KindExample;
  /** The params that say what the node does, in a few words shown on it ("target 1 (real)"). */
  summary?(params: P): string;
  /** Params for a node just added to a graph with these networks (defaults apply to the rest). */
  initialParams?(graph: { networks: readonly { id: string; name: string }[] }): Record<string, unknown>;
  inputs(params: P, ctx: GraphContext): PortSpec[];
  outputs(params: P, ctx: GraphContext): PortSpec[];
  /** Pure: output shapes from input shapes, or a ShapeError naming the port. */
  inferShape(params: P, inputs: Readonly<Record<string, Shape>>, ctx: GraphContext): Record<string, Shape>;
}

/**
 * What a node changes to output another shape: the params it sets (as saved;
 * those already so are left as they are) and the shapes its inputs must then
 * have (their current shapes where they stay).
 */
export interface Refit {
  params: Record<string, unknown>;
  inputs: Record<string, Shape>;
}

/**
 * How a node comes to output `wanted` on `port` instead of what it outputs
 * now, given its inputs' current shapes; undefined where no params of its
 * give that shape. Fitting a graph to a dataset (lib/graph/fit.ts) walks
 * these back from a value that must take the data's shape.
 */
export type RefitFn<P> = (params: P, inputs: Readonly<Record<string, Shape>>, port: string, wanted: Shape) => Refit | undefined;

/** Values an op's forward and backward passes hold per value of its larger side, unless it says otherwise (OpKind.memory). */
export const DEFAULT_MEMORY = 4;

/** An op's memory figure (OpKind.memory) for these params and input shapes. */
export const memoryOf = <P>(kind: OpKind<P>, params: P, inputs: Readonly<Record<string, Shape>>): number =>
  typeof kind.memory === 'function' ? kind.memory(params, inputs) : (kind.memory ?? DEFAULT_MEMORY);

/** Layers and losses: tensors in, tensors out, maybe owning weights. */
export interface OpKind<P = any> extends KindBase<P> {
  role: 'op';
  /** A loss: its one output is the scalar an optimizer minimises (it lives in the main graph). */
  loss?: true;
  /**
   * How a loss reduces over the batch: a mean, or a sum (which grows with the
   * batch, so a process holding 1/N of it counts N times when gradients are
   * averaged across processes). Absent: linear in its inputs (weighted sums).
   */
  batchReduction?(params: P): 'mean' | 'sum';
  weights?(params: P, inputs: Readonly<Record<string, Shape>>): WeightSpec[];
  /** How it outputs another shape (absent: it cannot; see RefitFn). */
  refit?: RefitFn<P>;
  /**
   * Groups of input ports that must have one shape (a loss's prediction and
   * target): where they differ, fitting a graph to its data makes the values
   * that can change take the shape of the one that cannot.
   */
  sameShape?: readonly (readonly string[])[];
  /**
   * Values its forward and backward passes hold at once, per value of its
   * larger side (its inputs or its outputs): its outputs, their gradients and
   * its kernels' temporaries, without the gradients of its inputs and weights
   * (counted where those are). For the memory estimate; DEFAULT_MEMORY when
   * absent. A function of its params and input shapes where the figure is not
   * one number (attention's [hw, hw] matrices grow with the positions); it
   * must answer for any shapes, a port missing too (a node with errors).
   * tests/unit/kinds/memory.test.ts measures every kind's.
   */
  memory?: number | ((params: P, inputs: Readonly<Record<string, Shape>>) => number);
  compute(args: ComputeArgs<P>): Record<string, Tensor>;
  /** Its code forms, one per export target (lib/kinds/forms.ts): the code of `compute` and of `update`. */
  forms: OpForms<P>;
  /**
   * Its gradient can itself be differentiated in tfjs (a critic's input
   * gradient is trained through: WGAN-GP). Absent: not known to be, and a
   * call that takes an input gradient through it is refused.
   */
  twiceDifferentiable?(params: P): boolean;
  /**
   * Each row of its outputs depends only on the same row of its inputs: the
   * batch's rows never meet (dense layers, convolutions, activations). Calls
   * of a network made only of such layers may run as one pass over their
   * batches joined. Absent: rows may meet (batch norm's batch statistics).
   */
  rowwise?: true;
  /** It computes differently in training iterations and in evaluations (batch norm's batch or moving statistics): it reads `training`. */
  modes?: true;
  /**
   * It draws random numbers in training iterations (dropout's mask): its
   * forms get `drawSite`, which names the iteration, the round and the calls
   * down to the node, so that the app and every export draw the same
   * numbers. Such kinds live inside networks and have modes.
   */
  random?: true;
  /**
   * New values of its state (its weights that are not trainable: batch
   * norm's moving statistics) after a training forward pass, taken when the
   * optimizer step trains the node's network: the statistics follow the
   * batches the network learns from. Its forms then have `update` too.
   */
  update?(args: ComputeArgs<P>): Record<string, Tensor>;
  /** What values each output can take, given its inputs' (omitted: unknown). */
  bounds?(params: P, inputs: Readonly<Record<string, Bounds | undefined>>): Record<string, Bounds | undefined>;
  /**
   * Inputs that must lie within bounds (log-loss needs probabilities): what
   * such values are called ("probabilities"), and what else to do than
   * confine the values fed ("use sigmoid cross-entropy on the logits instead").
   */
  requires?: Readonly<Record<string, { bounds: Bounds; what: string; otherwise: string }>>;
  /**
   * The change of params, in words, that keeps its output within `wanted`
   * ("its activation to sigmoid"), where it has one; analysis proposes it to
   * the layer that feeds an input needing bounds.
   */
  confine?(params: P, wanted: Bounds): string | undefined;
  /**
   * A quantity worth charting beside the loss, computed from one input: for
   * a discriminator's loss, the mean probability it gives (D(x), D(G(z))).
   */
  monitor?: Monitor;
}

export interface Monitor {
  /** The input port it reads. */
  input: string;
  /** What it measures: a probability (charted on the 0..1 axis; diagnostics watch a discriminator that wins outright), or the fraction of latent units in use. */
  measures: MonitorMeasure;
  /** Chart name, given the label of the node feeding that input. */
  describe(source: string): string;
  compute(tf: TF, input: Tensor): Tensor;
}

export type DrawPolicy = 'per-iteration' | 'per-step';

export interface SourceEnv {
  tf: TF;
  /** The source's stream for this purpose (training, previews...): every value it draws comes from it. */
  stream: Stream;
  /** How many times an iteration draws from it (a per-step source once per step and round): where each draw's data starts. */
  drawsPerIteration: number;
  /** One of the datasets the source declared, loaded. */
  dataset(ref: DatasetRef): Dataset;
}

/** Something that draws a fresh batch: data sets and noise. */
export type Sampler = Batches;

export interface SourceKind<P = any> extends KindBase<P> {
  role: 'source';
  /** The datasets it reads (none for noise), loaded before training starts. */
  datasets(params: P): DatasetRef[];
  draw(params: P): DrawPolicy;
  /** What values each port draws (omitted: unknown). */
  bounds?(params: P): Record<string, Bounds | undefined>;
  /** It draws the same values every time (a schedule's table): no stream changes them. */
  constant?: true;
  /** How it draws another shape (absent: it cannot, as a dataset cannot; see RefitFn). */
  refit?: RefitFn<P>;
  /** Distinct rows of its preview draws (a label per class): sample grids then show one row per value. */
  previewRows?(params: P): number;
  /** It draws class labels, one-hot on `port` among `count` classes: samples it conditions can say which class each was asked to be. */
  classes?(params: P): { port: string; count: number };
  /** The shape of one image it draws (height, width, channels), where it draws images: grids of values of its size show them so. */
  imageShape?(params: P): ImageShape;
  /** The range of the values it draws, where it is data (grids show them black to white). */
  valueRange?(params: P): '0..1' | '-1..1';
  /** The same params (as saved) reading this dataset instead, for sources that read a library dataset (the CLI's --dataset). */
  withDataset?(params: Record<string, unknown>, choice: DatasetChoice): Record<string, unknown>;
  sampler(params: P, env: SourceEnv): Sampler;
  /** Its code forms, one per export target (lib/kinds/forms.ts): the code of `sampler`. */
  forms: SourceForms<P>;
}

export interface OptimizerKind<P = any> extends KindBase<P> {
  role: 'optimizer';
  /** The input port that takes the loss it minimises. */
  lossPort: string;
  /** Values it keeps per weight value (Adam's two moments): for the memory estimate. */
  slots: number;
  /**
   * Values an update holds at once per value of the group it updates, besides
   * the weights, their gradients and the slots (lib/runtime/optimizers.ts
   * updates large variables one by one and small ones together): for the
   * memory estimate. tests/unit/kinds/optimizer-memory.test.ts measures it.
   */
  temporaries: number;
  /** Ids of the networks whose weights this optimizer updates. */
  networks(params: P): readonly string[];
  /** The same params (as saved) updating these networks instead. */
  withNetworks(params: Record<string, unknown>, networks: readonly string[]): Record<string, unknown>;
  updater(tf: TF, params: P, variables: readonly tfjs.Variable[]): OptimizerUpdater;
  /** Its code forms, one per export target (lib/kinds/forms.ts): the code of `updater`. */
  forms: OptimizerForms<P>;
}

/** Structural kinds: a network's inputs and outputs, and a call of a network. */
export interface NetworkInputKind<P = any> extends KindBase<P> {
  role: 'network-input';
  /** The output port that carries the network's argument inside its body. */
  port: string;
  declaredShape(params: P): Shape;
  /** Params of an input taking one item of this shape (without the batch dimension). */
  create(itemShape: readonly number[]): Record<string, unknown>;
}
export interface NetworkOutputKind<P = any> extends KindBase<P> {
  role: 'network-output';
  /** The input port whose value the network returns. */
  port: string;
}
export interface CallKind<P = any> extends KindBase<P> {
  role: 'call';
  network(params: P): string;
  /**
   * The output port that carries the gradient of the sum of the network's
   * first output with respect to its first input, when the call asks for it
   * (WGAN-GP's penalty reads it; training then differentiates that gradient).
   */
  inputGradient(params: P): string | undefined;
  /** Its values of the parameters of a block it calls (lib/graph/blocks.ts). */
  args(params: P): Readonly<Record<string, number>>;
  /** The same params (as saved) calling another network. */
  withNetwork(params: Record<string, unknown>, network: string): Record<string, unknown>;
  /** Params of a call of this network. */
  create(network: string): Record<string, unknown>;
}

/**
 * Iterative generation: runs a network many times, in evaluations only
 * (sample grids, scores, samples), never in a training step. It lives in
 * the main graph; the network it runs is named by its params, as a call's.
 */
export interface SamplerKind<P = any> extends KindBase<P> {
  role: 'sampler';
  network(params: P): string;
  /** How it generates another shape (see RefitFn). */
  refit?: RefitFn<P>;
  /** Params of a sampler running this network. */
  create(network: string): Record<string, unknown>;
  /**
   * The generated values, given its inputs and the network as a function
   * (its first output, given the network's inputs in order). `noise`: where
   * it draws fresh noise of its own (an ancestral sampler's).
   */
  sample(args: {
    tf: TF;
    params: P;
    inputs: Readonly<Record<string, Tensor>>;
    network: (args: readonly Tensor[]) => Tensor;
    noise: SamplerNoise;
    /** Told after each of its steps: progress for whoever waits. */
    onStep?: (done: number, steps: number) => void;
  }): Record<string, Tensor>;
  /** Its code forms, one per export target (lib/kinds/forms.ts): the code of `sample`. */
  forms: SamplerForms<P>;
}

export type NodeKind = OpKind | SourceKind | OptimizerKind | NetworkInputKind | NetworkOutputKind | CallKind | SamplerKind;

/** The kinds that print themselves in an export (their `forms`); a network's inputs, outputs and calls are the plan's structure, which each target's writer prints. */
export type FormedKind = OpKind | SourceKind | OptimizerKind | SamplerKind;

type Spec<S extends z.ZodType, K> = Omit<K, 'params' | 'role' | 'placement' | 'loss'> & { params: S };

/**
 * Per-role constructors: the params type of every method is the schema's
 * output type. A random op lives inside networks: its draws are keyed by the
 * calls down to it.
 */
export const defineOp = <S extends z.ZodType>(k: Spec<S, OpKind<z.output<S>>>): OpKind<z.output<S>> =>
  ({ placement: k.random ? 'network' : 'anywhere', ...k, role: 'op' }) as OpKind<z.output<S>>;
/** A loss: an op whose scalar output optimizers minimise; it lives in the main graph. */
export const defineLoss = <S extends z.ZodType>(k: Spec<S, OpKind<z.output<S>>>): OpKind<z.output<S>> =>
  ({ ...k, role: 'op', loss: true, placement: 'main' }) as OpKind<z.output<S>>;
export const defineSource = <S extends z.ZodType>(k: Spec<S, SourceKind<z.output<S>>>): SourceKind<z.output<S>> =>
  ({ placement: 'anywhere', ...k, role: 'source' }) as SourceKind<z.output<S>>;
export const defineSampler = <S extends z.ZodType>(k: Spec<S, SamplerKind<z.output<S>>>): SamplerKind<z.output<S>> =>
  ({ ...k, role: 'sampler', placement: 'main' }) as SamplerKind<z.output<S>>;
export const defineOptimizer = <S extends z.ZodType>(k: Spec<S, OptimizerKind<z.output<S>>>): OptimizerKind<z.output<S>> =>
  ({ ...k, role: 'optimizer', placement: 'main' }) as OptimizerKind<z.output<S>>;

export const port = (id: string, label = id, fix?: string): PortSpec => (fix ? { id, label, fix } : { id, label });

/** The network a node runs, where it runs one (a call, a sampler). */
export const networkOf = (kind: NodeKind | undefined, params: unknown): string | undefined =>
  (kind?.role === 'call' || kind?.role === 'sampler') && params !== undefined ? kind.network(params) : undefined;

/** A node kind that is a loss (optimizers minimise its output). */
export const isLoss = (kind: NodeKind | undefined): boolean => kind?.role === 'op' && kind.loss === true;
