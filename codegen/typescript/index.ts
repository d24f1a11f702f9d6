import { IndentationText, Project, QuoteKind, StructureKind, ts, type SourceFile, type StatementStructures } from 'ts-morph';
import { hasModes, hasRandomLayers, type TrainingPlan } from '../../lib/plan/plan';
import { commentLines, wrap } from '../text';
import { writeMain, writeSettings } from './main';
import { datasetsType, writeGenerate, writeIteration, writeModel, writePreviews } from './model';
import { indentCode } from './indent';
import { IMPORTS, TsNames } from './names';
import { writeNetwork, writeWeights } from './networks';

/** One in-memory ts-morph project, reused: creating it is most of the cost of a cold export. */
let project: Project | undefined;
let files = 0;

function tsProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, noLib: true },
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double, useTrailingCommas: true },
  });
  return project;
}


/** `type Step`: what a network call runs in, with what the graph's layers need of it. */
function stepType(plan: TrainingPlan): string {
  if (hasRandomLayers(plan)) {
    return [
      '/**',
      ' * The optimizer step a network call runs in: the weights, which networks it trains (their gradients are recorded), whether it is training',
      ' * (dropout drops, batch norm uses the batch\'s statistics) or an evaluation, and where random layers draw: the iteration\'s site,',
      ' * extended by each call down to the layer, so that every call draws its own mask, as in Netloom.',
      ' */',
      'type Step = { weights: Weights; trains: Record<keyof Weights, boolean>; training: boolean; site: DrawSite };',
    ].join('\n');
  }
  if (hasModes(plan)) {
    return '/** The optimizer step a network call runs in: the weights, which networks it trains (their gradients are recorded), and whether it is training (batch statistics) or an evaluation (moving ones). */\ntype Step = { weights: Weights; trains: Record<keyof Weights, boolean>; training: boolean };';
  }
  return '/** The optimizer step a network call runs in: the weights, and which networks it trains (their gradients are recorded). */\ntype Step = { weights: Weights; trains: Record<keyof Weights, boolean> };';
}

/** The generated train.ts, formatted. */
export function writeTrainFile(plan: TrainingPlan, names = new TsNames(plan)): string {
  let file: SourceFile | undefined;
  try {
    const fn = (structure: object) => ({ kind: StructureKind.Function, ...structure }) as StatementStructures;
    const statements: (string | StatementStructures)[] = [
      header(plan),
      IMPORTS.map(([from, what]) => `import ${what} from "${from}";`).join('\n'),
      ...writeSettings(names),
      '\n/** Tensor ops with fast gradients for the wasm backend (the same as Netloom uses). */',
      'const ops = opsFor(tf);',
      '\n/** Every layer output of a network call, and the layers of the networks it called: a later call with the same inputs and weights reuses them (`known`). */',
      'type Layers = { tensors: Record<string, Tensor>; calls: Record<string, Layers> };',
      '/** What a network call returns: its outputs, and its layers. */',
      'type Call<Output extends string> = { outputs: Record<Output, Tensor>; layers: Layers };',
      stepType(plan),
      'type Weights = ReturnType<typeof createWeights>;',
      'type Model = ReturnType<typeof createModel>;',
      'type LossTensors = Record<string, tf.Scalar>;',
      datasetsType(names),
      fn(writeWeights(names)),
      ...plan.networks.map((network) => fn(writeNetwork(names, network))),
      fn(writeModel(names)),
      '\n/** A variable list for an optimizer: every weight of the given networks, in layer order. */',
      'function variablesOf(...networks: Record<string, Record<string, tf.Variable>>[]): tf.Variable[] {',
      'return networks.flatMap((network) => Object.values(network).flatMap((layer) => Object.values(layer)));',
      '}',
      '\n/** A fixed batch for the grids: the sampler\'s first rows when it has them (a dataset), else one draw. */',
      'function previewBatch(sampler: batches.Batches): Record<string, Float32Array> {',
      'return batches.previewBatch(sampler, PREVIEW_COUNT);',
      '}',
      '\n/** One optimizer step: the loss and its gradients for `variables`, then the update. Returns the loss before the update, unread. */',
      'function minimize(optimizer: optimizers.OptimizerUpdater, variables: tf.Variable[], loss: () => Tensor): tf.Scalar {',
      'return tf.tidy(() => {',
      'const { value, grads } = tf.variableGrads(loss as () => tf.Scalar, variables);',
      'optimizer.apply(variables.map((v) => grads[v.name]));',
      'return value;',
      '});',
      '}',
      '\n/** Reads an iteration\'s losses in one transfer (a read per step would stall a GPU between steps). */',
      'async function readLosses(tensors: LossTensors): Promise<Losses> {',
      'const names = Object.keys(tensors);',
      'if (names.length === 0) return {};',
      'const stacked = tf.stack(Object.values(tensors));',
      'const values = await stacked.data();',
      'tf.dispose([stacked, ...Object.values(tensors)]);',
      'return Object.fromEntries(names.map((name, i) => [name, values[i]!]));',
      '}',
      fn(writeIteration(names)),
      fn(writePreviews(names)),
      ...(plan.quality && plan.previews.samples ? [fn(writeGenerate(names, plan.previews.samples))] : []),
      fn(writeMain(names)),
      '\nmain().catch((e: unknown) => {',
      'console.error(`error: ${e instanceof Error ? e.message : String(e)}`);',
      'process.exit(1);',
      '});',
    ];
    // Printed in one go from the structures (adding statements one by one re-parses the file each time: seconds for a large graph).
    // A new name each time: the language service that formats would otherwise see a stale version of the last file.
    file = tsProject().createSourceFile(`train-${++files}.ts`, { statements: statements as never });
    return indentCode(file.getFullText()).replace(/\n{3,}/g, '\n\n');
  } finally {
    file?.delete();
  }
}

function header(plan: TrainingPlan): string {
  const description = plan.description ? commentLines(plan.description).flatMap((line) => (line ? wrap(line) : [''])) : [];
  const lines = [
    `${commentLines(plan.name).join(' ')}: a training program exported from Netloom.`,
    ...(description.length ? ['', ...description] : []),
    '',
    'Run it with `npm install`, then `npm run train` (flags: `npm run train -- --help`). The numerics',
    '(ops with their gradients, TF1 optimizers, initialisers, the random streams of data order and noise) are Netloom\'s own,',
    'copied into runtime/; with the same seed and backend this trains exactly as the app does.',
  ];
  return `/**\n${lines.map((line) => (line ? ` * ${line}` : ' *')).join('\n')}\n */`;
}
