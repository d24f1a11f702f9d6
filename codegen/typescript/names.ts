import type { MainInstr, NetworkPlan, OptimizerPlan, SourcePlan, TrainingPlan, WeightPlan } from '../../lib/plan/plan';
import { Namer } from '../names';

/**
 * The identifiers of one exported train.ts, decided once from the plan: each
 * network's function, its inputs, outputs and weight groups, the keys of the
 * sources and optimizers in the model. Every writer asks here, so a name is
 * the same wherever it appears.
 */

/** The generated train.ts's imports: module, and what it binds. */
export const IMPORTS: [string, string][] = [
  ['node:fs/promises', '{ mkdir, writeFile }'],
  ['node:path', 'path'],
  ['@tensorflow/tfjs', '* as tf'],
  ['./runtime/batches', '* as batches'],
  ['./runtime/dataset', '{ type Dataset }'],
  ['./runtime/grid', '{ concatBatches, imageBatch, imageGrid, pairs, type ImageBatch }'],
  ['./runtime/diagnostics', '{ Diagnostician, diagnosisLine, type Diagnosis }'],
  ['./runtime/diffusion', '* as diffusion'],
  ['./runtime/scores', '{ scoreLine, type QualityScores }'],
  ['./runtime/init', '{ initialValue, type Initializer }'],
  ['./runtime/loop', '{ doneLine, logLine, runLoop, type Losses, type Trainable }'],
  ['./runtime/ops', '{ opsFor, type Tensor }'],
  ['./runtime/optimizers', '* as optimizers'],
  ['./runtime/random', '{ iterationSite, nodeSite, roundSite, sourceStream, weightStream, type DrawSite }'],
  ['./support/backend', '{ useBackend }'],
  ['./support/checkpoint', '{ readCheckpoint, restoreCheckpoint, saveCheckpoint }'],
  ['./support/datasets', '{ loadDataset }'],
  ['./support/png', '{ writePng }'],
  ['./support/quality', '{ createEvaluator }'],
  ['./support/settings', '{ readSettings, usage, type Defaults }'],
];

/** The names an import clause binds: `{ a, type B }` -> a, B; `* as x` and `x` -> x. */
const bound = (clause: string) => clause.replace(/[{}]|\* as |\btype /g, '').split(',').map((name) => name.trim()).filter(Boolean);

/** Names the generated train.ts declares at module level or imports; graph names never take them. */
export const MODULE_NAMES = [
  ...IMPORTS.flatMap(([, clause]) => bound(clause)),
  'ops', 'Layers', 'Call', 'Step', 'Weights', 'Model', 'LossTensors', 'Datasets', 'createWeights', 'createModel', 'variablesOf',
  'minimize', 'readLosses', 'trainIteration', 'writeGrids', 'main', 'GRAPH_NAME', 'DEFAULTS', 'ITERATIONS', 'BATCH_SIZE', 'SEED',
  'SAMPLE_EVERY', 'LOG_EVERY', 'CHECKPOINT_EVERY', 'BACKEND', 'GUARD', 'OUT_DIR', 'DATA_DIR', 'PREVIEW_COUNT', 'previewBatch',
  'EVAL_EVERY', 'EVAL_SAMPLES', 'generateSamples',
];

/** Parameter names of every network function. */
export const NETWORK_PARAMS = { step: 'step', grad: 'grad', known: 'known', weights: 'w' } as const;

/**
 * Every identifier the generator's own code declares anywhere in train.ts:
 * module names and imports, function parameters and locals. No name from the
 * graph takes one of them, in any scope, so any name compiles. A test parses
 * every generated file and fails on a declared name missing here.
 */
export const FIXED_NAMES: readonly string[] = [
  ...MODULE_NAMES,
  ...Object.values(NETWORK_PARAMS),
  // createWeights, createModel
  'seed', 'weight', 'name', 'shape', 'init', 'fans', 'trainable', 'source', 'weights', 'variables', 'datasets', 'resumeAt',
  // generateSamples
  'count', 'draws', 'chunks', 'done', 'rows',
  // variablesOf, previewBatch, minimize, readLosses
  'networks', 'network', 'layer', 'sampler', 'optimizer', 'loss', 'value', 'grads', 'v', 'tensors', 'names', 'stacked', 'values', 'i',
  // trainIteration, writeGrids
  'model', 'batchSize', 'losses', 'noTraining', 'round', 'site', 'dir', 'index', 'writes', 'samples', 'inputs', 'outputs',
  // main
  'settings', 'backend', 'note', 'resume', 'trained', 'checkpointDir', 'log', 'line', 'json', 'from', 'iteration', 'program', 'summary', 'result', 'entry', 'e',
  'reference', 'evaluator', 'diagnostician', 'scores', 'diagnoses', 'score', 'scored', 'diagnosis',
];

export interface NetworkNames {
  /** The function, and its key in `weights` and `trains`. */
  fn: string;
  /** Its body's names: its inputs are taken, its layers take theirs as they are written. */
  locals: Namer;
  /** Per input (graph inputs, then sources): the parameter, local variable and `grad` key. */
  inputs: string[];
  /** Per output: its key in `outputs`. */
  outputs: string[];
  /** Per node that owns weights: its key in `weights.<fn>`. */
  groups: Map<string, string>;
  /** Per weight: its key in its group. */
  weights: Map<WeightPlan, string>;
}

export class TsNames {
  /** Names at module level; every function's names are its children, so none shadows a module name or a name of the generator's own. */
  readonly module = new Namer(undefined, FIXED_NAMES);
  private networks = new Map<string, NetworkNames>();
  private sources = new Map<string, string>();
  private optimizers = new Map<string, string>();
  /** Base names of the main graph's nodes and of the sources drawn there, made unique in each function that uses them. */
  private nodes = new Map<string, string>();
  private drawn = new Map<string, string>();

  constructor(readonly plan: TrainingPlan) {
    for (const network of plan.networks) {
      const fn = this.module.name(network.name, 'network');
      const locals = this.module.child();
      const outputs = new Namer();
      const groups = new Namer();
      const names: NetworkNames = {
        fn,
        locals,
        inputs: network.inputs.map((input) => locals.name(input.label, 'input')),
        outputs: network.outputs.map((output) => outputs.name(output.label, 'output')),
        groups: new Map(),
        weights: new Map(),
      };
      for (const weight of network.weights) {
        if (!names.groups.has(weight.node)) names.groups.set(weight.node, groups.name(weight.label));
      }
      for (const node of names.groups.keys()) {
        const keys = new Namer();
        for (const weight of network.weights.filter((w) => w.node === node)) names.weights.set(weight, keys.name(weight.weight, 'weight'));
      }
      this.networks.set(network.id, names);
    }
    const sourceNamer = new Namer();
    for (const source of plan.sources) this.sources.set(source.key, sourceNamer.name(source.label, 'source'));
    // In graph order (the order of their values), so that names read like the graph.
    const mainNamer = this.module.child();
    const instructions = [...plan.sections.flat(), ...plan.steps.flatMap((s) => s.body), ...previewBodies(plan)];
    // A batched call names each call it stands for.
    const named = instructions.flatMap((instr) =>
      instr.type === 'batched-call'
        ? instr.calls.map((call) => ({ names: this.nodes, key: call.node, label: call.label, outputs: call.outputs }))
        : [{ names: instr.type === 'source' ? this.drawn : this.nodes, key: instr.type === 'source' ? instr.source.key : instr.node, label: instr.label, outputs: Object.values(instr.outputs) }],
    );
    for (const { names, key, label } of named.sort((a, b) => Math.min(...a.outputs) - Math.min(...b.outputs))) {
      if (!names.has(key)) names.set(key, mainNamer.name(label));
    }
    const optimizerNamer = this.module.child();
    for (const optimizer of plan.optimizers) this.optimizers.set(optimizer.node, optimizerNamer.name(optimizer.label, 'optimizer'));
  }

  network(network: NetworkPlan): NetworkNames {
    return this.networks.get(network.id)!;
  }

  source(source: SourcePlan): string {
    return this.sources.get(source.key)!;
  }

  optimizer(optimizer: OptimizerPlan): string {
    return this.optimizers.get(optimizer.node)!;
  }

  /** The base name of a main-graph node, or of a source drawn there (by its stream key: a source inside a network may share its node id with a main-graph node). */
  mainName(instr: MainInstr): string {
    return instr.type === 'source' ? this.drawn.get(instr.source.key)! : this.callName(instr.node);
  }

  /** The name of a main-graph node's value (a call's, a layer's). */
  callName(node: string): string {
    return this.nodes.get(node)!;
  }
}

function previewBodies(plan: TrainingPlan) {
  const { samples, reconstructions } = plan.previews;
  return [samples, reconstructions?.inputs, reconstructions?.outputs].flatMap((p) => p?.body ?? []);
}
