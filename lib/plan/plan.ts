import { MNIST_CHOICE } from '../kinds/common';
import type { DrawPolicy, Monitor, OpKind, OptimizerKind, SamplerKind, SourceKind } from '../kinds/kind';
import type { Shape } from '../kinds/shape';
import type { TrainingBackend } from '../graph/schema';
import type { TrainingIdentity } from '../runtime/checkpoint';
import type { DatasetRef } from '../runtime/dataset';
import type { ImageShape } from '../runtime/grid';
import type { Initializer } from '../runtime/init';
import type { ExplosionGuardRule } from '../runtime/loop';
import type { EvaluationSettings } from '../runtime/scores';

/**
 * The TrainingPlan: everything about training a graph that can be decided
 * before any tensor exists, lowered once from the analysis. The compiler
 * interprets it and every export target prints it, so they compute the same
 * numbers with the same work by construction.
 *
 * Values are numbered per function (each network body, and the main graph).
 * Instructions run in order; each reads values produced before it.
 */
export type ValueId = number;

/**
 * How preview batches (sample grids, reconstructions, monitors) are drawn and
 * laid out: 16 rows in a 4x4 grid, as the seeds' figures; a graph with a
 * source of distinct preview rows (class labels) gets one grid row of 8 per
 * class instead (at most 16 rows).
 */
export interface PreviewLayout {
  count: number;
  columns: number;
}

export const SEED_LAYOUT: PreviewLayout = { count: 16, columns: 4 };
const ROW_COLUMNS = 8;
const MAX_ROWS = 16;

export function previewLayout(sources: readonly SourcePlan[]): PreviewLayout {
  const rows = Math.max(0, ...sources.map((s) => s.kind.previewRows?.(s.params) ?? 0));
  return rows > 1 ? { count: Math.min(rows, MAX_ROWS) * ROW_COLUMNS, columns: ROW_COLUMNS } : SEED_LAYOUT;
}

/** One value: which graph port it is, and its shape. */
export interface ValueInfo {
  node: string;
  port: string;
  /** What people call the node (its label, else its id). */
  label: string;
  shape: Shape;
}

/**
 * When a value inside a network body carries a gradient: when any of these
 * network inputs (by index) carries one, or when any of these networks trains
 * in the current optimizer step. Empty lists: never.
 */
export interface GradCondition {
  inputs: readonly number[];
  networks: readonly string[];
}

export interface WeightPlan {
  /** `network/node/weight` with the graph's ids: the variable's name in checkpoints, and what seeds its initial value. */
  name: string;
  network: string;
  node: string;
  /** The kind's name for it (W, b). */
  weight: string;
  /** The label of the node that owns it. */
  label: string;
  shape: number[];
  init: Initializer;
  fans: { fanIn: number; fanOut: number };
  /** False for state its kind updates (moving statistics): optimizers leave it alone. */
  trainable: boolean;
}

/** A data source or noise, wherever it sits in the graph: every source draws at the main level, from its own seeded stream. */
export interface SourcePlan {
  /** `<network>/<node>` with the graph's ids (an empty network for the main graph): the key of its random streams. */
  key: string;
  node: string;
  /** The network it sits in, when not the main graph. */
  network?: string;
  label: string;
  kind: SourceKind;
  params: unknown;
  draw: DrawPolicy;
  datasets: readonly DatasetRef[];
  /** Every output port with its shape (the batch dimension as null). */
  ports: readonly { port: string; shape: Shape }[];
}

interface InstrBase {
  /** The graph node it comes from. */
  node: string;
  label: string;
}

/** Draws the source's values: in a section once per iteration, in a step's body once per step (per-step sources). */
export interface SourceInstr extends InstrBase {
  type: 'source';
  source: SourcePlan;
  /**
   * Which of the source's draws in a training iteration this is (a step's
   * round r draws number `draw + r`): with the iteration, its position in the
   * source's stream. 0 in previews.
   */
  draw: number;
  /** The ports something reads, and their values. */
  outputs: Readonly<Record<string, ValueId>>;
}

/** Applies a layer or loss. G is GradCondition in a network body, boolean in the main graph (where the step is known). */
export interface ApplyInstr<G> extends InstrBase {
  type: 'apply';
  kind: OpKind;
  params: unknown;
  inputs: Readonly<Record<string, ValueId>>;
  inShapes: Readonly<Record<string, Shape>>;
  outputs: Readonly<Record<string, ValueId>>;
  /** The node's weights, by the kind's name for them. */
  weights: Readonly<Record<string, WeightPlan>>;
  /** Which gradients to record: of the inputs, and of the weights. */
  needs: { inputs: G; weights: G };
}

/** Applies a network to values. */
export interface CallInstr<G> extends InstrBase {
  type: 'call';
  network: NetworkPlan;
  /** One value per input of the network, in its order. */
  args: readonly ValueId[];
  /** Whether each argument carries a gradient. */
  grads: readonly G[];
  /** One value per output of the network, in its order. */
  outputs: readonly ValueId[];
  /** The gradient of the sum of the first output with respect to the first argument, when the call asks for it (computed with the gradients it needs to be differentiated again). */
  inputGradient?: ValueId;
  /**
   * Main graph only: the same call ran earlier in the iteration with the same
   * inputs and weights; this one records gradients over the layer outputs
   * computed then instead of recomputing them.
   */
  reuse: boolean;
}

/** One of the calls a batched call stands for. */
export interface JoinedCall {
  node: string;
  label: string;
  args: readonly ValueId[];
  outputs: readonly ValueId[];
}

/**
 * Calls of one network in one step, on batches of their own (a
 * discriminator on real and on generated images), run as one pass over
 * their arguments joined along the batch axis; each output is split back
 * into the rows of each call. Fewer, larger kernels for the same numbers:
 * the network's rows do not interact (see batching.ts). Node and label
 * are the first call's.
 */
export interface BatchedCallInstr extends InstrBase {
  type: 'batched-call';
  network: NetworkPlan;
  calls: readonly JoinedCall[];
  /** Whether each joined argument carries a gradient (where any call's does). */
  grads: readonly boolean[];
}

/**
 * Generates by running a network many times (a diffusion sampler): in
 * evaluations only, never recording gradients. Where it draws noise of its
 * own is the context's (a preview, a chunk of samples).
 */
export interface SampleInstr extends InstrBase {
  type: 'sample';
  kind: SamplerKind;
  params: unknown;
  network: NetworkPlan;
  inputs: Readonly<Record<string, ValueId>>;
  outputs: Readonly<Record<string, ValueId>>;
}

export type BodyInstr = ApplyInstr<GradCondition> | CallInstr<GradCondition>;
export type MainInstr = SourceInstr | ApplyInstr<boolean> | CallInstr<boolean> | BatchedCallInstr | SampleInstr;

export interface NetworkInput {
  label: string;
  shape: Shape;
  value: ValueId;
  /** A graph input: the call port it arrives on. */
  port?: string;
  /** A source inside the network (or a network it calls): drawn at the main level and passed in, so every call shares one draw. */
  source?: { plan: SourcePlan; port: string };
}

export interface NetworkOutput {
  port: string;
  label: string;
  shape: Shape;
  value: ValueId;
  grad: GradCondition;
}

export interface NetworkPlan {
  id: string;
  name: string;
  /** Graph inputs first, then the sources it draws from. */
  inputs: readonly NetworkInput[];
  outputs: readonly NetworkOutput[];
  /** What the outputs depend on, in order. */
  body: readonly BodyInstr[];
  values: readonly ValueInfo[];
  /** This network's own weights (shared by every call), in the order optimizers list them. */
  weights: readonly WeightPlan[];
  /** Networks whose weights a call of it reads: itself and every network it calls. */
  reads: ReadonlySet<string>;
}

export interface OptimizerPlan {
  node: string;
  label: string;
  kind: OptimizerKind;
  params: unknown;
  networks: readonly string[];
  /** The weights it updates: each network's, in the order given. */
  variables: readonly WeightPlan[];
}

export interface StepPlan {
  optimizer: OptimizerPlan;
  /** The scalar it minimises. */
  loss: ValueId;
  lossName: string;
  /** Rounds per iteration (d_steps). */
  repeat: number;
  /** Networks whose weights this step updates. */
  trains: ReadonlySet<string>;
  /** What the step computes itself, in order; everything else it reads from the sections before it. */
  body: readonly MainInstr[];
}

/** A port shown as a 4x4 grid, evaluated on fixed draws with no gradients. */
export interface PreviewPlan {
  value: ValueId;
  range: '0..1' | '-1..1';
  /** How its values are drawn: height, width and channels of one image. */
  image: ImageShape;
  body: readonly MainInstr[];
}

/**
 * What the quality scores compare the samples with: held-out images of the
 * dataset they imitate (the first data source drawing images of their shape),
 * through the bundled MNIST classifier where that dataset is MNIST, else as
 * pooled pixels.
 */
export interface QualityPlan {
  reference: DatasetRef;
  features: 'mnist-classifier' | 'pixels';
}

/** The quality plan for samples of this image shape, when some data source draws such images. */
export function qualityPlan(sources: readonly SourcePlan[], samples: PreviewPlan | undefined): QualityPlan | undefined {
  if (!samples) return undefined;
  const same = (a: ImageShape, b: ImageShape) => a.height === b.height && a.width === b.width && a.channels === b.channels;
  for (const source of sources) {
    const image = source.kind.imageShape?.(source.params);
    const dataset = source.datasets[0];
    if (!image || !dataset || !same(image, samples.image)) continue;
    const mnist = dataset.id === MNIST_CHOICE.id && same(image, MNIST_CHOICE);
    return { reference: { id: dataset.id, split: 'test' }, features: mnist ? 'mnist-classifier' : 'pixels' };
  }
  return undefined;
}

/** Whether some layer computes differently in training and evaluation (exports then pass `training` to every network call). */
export const hasModes = (plan: Pick<TrainingPlan, 'networks'>): boolean => plan.networks.some((n) => n.body.some((i) => i.type === 'apply' && i.kind.modes === true));

/** Whether some layer draws random numbers while training (exports then key each call's draws by the iteration and the calls down to it). */
export const hasRandomLayers = (plan: Pick<TrainingPlan, 'networks'>): boolean => plan.networks.some((n) => n.body.some((i) => i.type === 'apply' && i.kind.random === true));

export interface MonitorPlan {
  name: string;
  value: ValueId;
  monitor: Monitor;
}

export interface TrainingPlan {
  name: string;
  description: string;
  settings: { batchSize: number; iterations: number; seed: number; sampleEvery: number; backend: TrainingBackend; guard?: ExplosionGuardRule; evaluation: EvaluationSettings };
  /** Callees before callers. */
  networks: readonly NetworkPlan[];
  weights: readonly WeightPlan[];
  /** Every source the main level draws (those inside networks included). */
  sources: readonly SourcePlan[];
  datasets: readonly DatasetRef[];
  optimizers: readonly OptimizerPlan[];
  /** The main graph's values. */
  values: readonly ValueInfo[];
  /**
   * Values shared between steps: section k runs just before step k, with no
   * gradients, and holds what no step in between changes (section 0: at the
   * start of the iteration).
   */
  sections: readonly (readonly MainInstr[])[];
  steps: readonly StepPlan[];
  previews: { samples?: PreviewPlan; reconstructions?: { inputs: PreviewPlan; outputs: PreviewPlan }; layout: PreviewLayout };
  /** How generated samples are scored (absent: no samples preview, or no data of their shape to compare with). */
  quality?: QualityPlan;
  /** Charted beside the losses, from one evaluation on the fixed preview draws. */
  monitors: { values: readonly MonitorPlan[]; body: readonly MainInstr[] };
  /** Each loss a step reports, once, in schedule order. */
  lossNames: readonly string[];
  /** How many times a training iteration draws from each source, by source key. */
  drawsPerIteration: Readonly<Record<string, number>>;
  /** What checkpoints record and check: a hash of the weights and optimizers, and each optimizer's kind. */
  identity: TrainingIdentity;
}
