import { IndentationText, Project, QuoteKind, StructureKind, ts, type StatementStructures } from 'ts-morph';
import { Namer } from '../names';
import { IMPORTS, MODULE_NAMES, type Plan } from '../plan';
import { commentLines, wrap } from '../text';
import { mnistSplits, writeIteration, writeModel, writePreviews } from './iteration';
import { writeMain, writeSettings } from './main';
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


/** The generated train.ts, formatted. */
export function writeTrainFile(plan: Plan): string {
  const module = new Namer(undefined, MODULE_NAMES);
  plan.networks.forEach((network) => module.claim(network.fn));
  // A new name each time: the language service that formats would otherwise see a stale version of the last file.
  const file = tsProject().createSourceFile(`train-${++files}.ts`, '');
  try {
    const fn = (structure: object) => ({ kind: StructureKind.Function, ...structure }) as StatementStructures;
    const statements: (string | StatementStructures)[] = [
      header(plan),
      IMPORTS.map(([from, what]) => `import ${what} from "${from}";`).join('\n'),
      ...writeSettings(plan),
      '\n/** Tensor ops with fast gradients for the wasm backend (the same as Netloom uses). */',
      'const ops = opsFor(tf);',
      '\n/** Outputs of a network\'s layers, by layer: a later call with the same inputs and weights reuses them (`known`). */',
      'type Layers = Record<string, Tensor>;',
      '/** What a network call returns: its outputs, and every layer\'s output. */',
      'type Call<Output extends string> = { outputs: Record<Output, Tensor>; layers: Layers };',
      '/** The optimizer step a network call runs in: the weights, and which networks it trains (their gradients are recorded). */',
      `type Step = { weights: Weights; trains: Record<keyof Weights, boolean> };`,
      'type Weights = ReturnType<typeof createWeights>;',
      'type Model = ReturnType<typeof createModel>;',
      'type Losses = Record<string, number>;',
      'type LossTensors = Record<string, tf.Scalar>;',
      `type Mnist = { ${mnistSplits(plan).map((split) => `${split}: MnistSplit`).join('; ')} };`,
      fn(writeWeights(plan)),
      ...plan.networks.map((network) => fn(writeNetwork(plan, network))),
      fn(writeModel(plan)),
      '\n/** A variable list for an optimizer: every weight of the given networks, in layer order. */',
      'function variablesOf(...networks: Record<string, Record<string, tf.Variable>>[]): tf.Variable[] {',
      'return networks.flatMap((network) => Object.values(network).flatMap((layer) => Object.values(layer)));',
      '}',
      '\n/** A fixed batch for the grids: the sampler\'s first rows when it has them (MNIST), else one draw. */',
      'function previewBatch(sampler: batches.Batches): Record<string, Float32Array> {',
      'return sampler.fixed?.(PREVIEW_COUNT) ?? sampler.next(PREVIEW_COUNT);',
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
      'const stacked = tf.stack(Object.values(tensors));',
      'const values = await stacked.data();',
      'tf.dispose([stacked, ...Object.values(tensors)]);',
      'return Object.fromEntries(names.map((name, i) => [name, values[i]!]));',
      '}',
      fn(writeIteration(plan, module)),
      fn(writePreviews(plan, module)),
      fn(writeMain(plan)),
      '\nmain().catch((e: unknown) => {',
      'console.error(`error: ${e instanceof Error ? e.message : String(e)}`);',
      'process.exit(1);',
      '});',
    ];
    file.addStatements(statements as never);
    file.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: ts.SemicolonPreference.Insert });
    return file.getFullText().replace(/\n{3,}/g, '\n\n');
  } finally {
    file.delete();
  }
}

function header(plan: Plan): string {
  const description = plan.doc.description ? commentLines(plan.doc.description).flatMap((line) => (line ? wrap(line) : [''])) : [];
  const lines = [
    `${commentLines(plan.doc.name).join(' ')}: a training program exported from Netloom.`,
    ...(description.length ? ['', ...description] : []),
    '',
    'Run it with `npm install`, then `npm run train` (flags: `npm run train -- --help`). The numerics',
    '(ops with their gradients, TF1 optimizers, initialisers, data order, noise) are Netloom\'s own,',
    'copied into runtime/; with the same seed and backend this trains exactly as the app does.',
  ];
  return `/**\n${lines.map((line) => (line ? ` * ${line}` : ' *')).join('\n')}\n */`;
}
