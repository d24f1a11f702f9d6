import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import { datasetKey } from '../../lib/runtime/dataset';
import { SEED_LAYOUT } from '../../lib/plan/plan';
import { objectLiteral } from '../../lib/kinds/common';
import { stringLiteral } from '../text';
import type { TsNames } from './names';

/** The project's backend where Node has it (wasm, cpu), else the fastest found. */
const nodeBackend = (backend: string) => (backend === 'wasm' || backend === 'cpu' ? backend : 'auto');

/** The graph's training settings as named constants (each has a flag). */
export function writeSettings(names: TsNames): string[] {
  const { name, settings: t } = names.plan;
  const { layout } = names.plan.previews;
  return [
    `\n/** The graph's name, recorded in checkpoints. */`,
    `const GRAPH_NAME = ${stringLiteral(name)};`,
    '\n// Training settings, from the graph. Each one has a flag: npm run train -- --help',
    `const ITERATIONS = ${t.iterations};`,
    `const BATCH_SIZE = ${t.batchSize};`,
    `const SEED = ${t.seed};`,
    `const SAMPLE_EVERY = ${t.sampleEvery};`,
    `const LOG_EVERY = ${Math.min(t.sampleEvery, 100)};`,
    `const CHECKPOINT_EVERY = ${t.sampleEvery};`,
    `const BACKEND = ${stringLiteral(nodeBackend(t.backend))};`,
    ...(t.guard
      ? [`/** Stop when a loss stays above ${t.guard.factor} × its running median for ${t.guard.patience} iterations in a row. */`, `const GUARD = ${objectLiteral({ ...t.guard })};`]
      : []),
    'const OUT_DIR = "out";',
    'const DATA_DIR = "data";',
    layout.columns === SEED_LAYOUT.columns ? '/** Rows of the fixed preview batches: the seeds\' 4x4 grids. */' : `/** Rows of the fixed preview batches: one grid row of ${layout.columns} per class. */`,
    `const PREVIEW_COUNT = ${layout.count};`,
    '\nconst DEFAULTS: Defaults = {',
    '  iterations: ITERATIONS,',
    '  batchSize: BATCH_SIZE,',
    '  seed: SEED,',
    '  sampleEvery: SAMPLE_EVERY,',
    '  logEvery: LOG_EVERY,',
    '  checkpointEvery: CHECKPOINT_EVERY,',
    '  backend: BACKEND,',
    '  out: OUT_DIR,',
    '  data: DATA_DIR,',
    '};',
  ];
}

/** `main`: settings, backend, data, model, then the runtime's training loop with its logs, grids and checkpoints. */
export function writeMain(names: TsNames): OptionalKind<FunctionDeclarationStructure> {
  const { plan } = names;
  const datasets = plan.datasets.map((ref) => `${stringLiteral(datasetKey(ref))}: await loadDataset(settings.data, ${objectLiteral({ ...ref })})`);
  return {
    name: 'main',
    isAsync: true,
    returnType: 'Promise<void>',
    statements: [
      'const settings = readSettings(process.argv.slice(2), DEFAULTS);',
      'if (settings === "help") {',
      'console.log(usage(DEFAULTS));',
      'return;',
      '}',
      'const backend = await useBackend(settings.backend);',
      'for (const note of backend.notes) console.log(`Skipped ${note}`);',
      `\nconst datasets: Datasets = { ${datasets.join(', ')} };`,
      'const resume = settings.resume ? await readCheckpoint(settings.resume) : undefined;',
      'const resumeAt = resume?.manifest.iteration ?? 0;',
      'const model = createModel(settings.seed, datasets, resumeAt);',
      '// Checkpoints name weights `network/node/weight` and optimizers by their node ids, and record what the graph trains, as Netloom does.',
      'const trained = {',
      'weights: new Map(variablesOf(...Object.values(model.weights)).map((v) => [v.name, v])),',
      `optimizers: { ${plan.optimizers.map((o) => `${stringLiteral(o.node)}: model.optimizers.${names.optimizer(o)}`).join(', ')} },`,
      `identity: { structure: ${stringLiteral(plan.identity.structure)}, optimizerKinds: { ${Object.entries(plan.identity.optimizerKinds).map(([id, kind]) => `${stringLiteral(id)}: ${stringLiteral(kind)}`).join(', ')} } },`,
      '};',
      'if (resume) restoreCheckpoint(resume, trained);',
      'await mkdir(settings.out, { recursive: true });',
      'const checkpointDir = path.join(settings.out, "checkpoint");',
      'const log = (line: string, json: object) => console.log(settings.json ? JSON.stringify(json) : line);',
      'if (!settings.json) {',
      'const from = resume ? ` from iteration ${resumeAt} (${settings.resume})` : "";',
      'console.log(`Training ${GRAPH_NAME} on ${backend.name}: ${settings.iterations} iterations${from}, batch ${settings.batchSize}, seed ${settings.seed}`);',
      '}',
      '\nlet iteration = resumeAt;',
      'const program: Trainable = {',
      'get iteration() {',
      'return iteration;',
      '},',
      'async stepAsync() {',
      'const losses = await readLosses(trainIteration(model, settings.batchSize));',
      'iteration += 1;',
      'return losses;',
      '},',
      '};',
      '// The loop draws the grids before the step, as the seeds do (000.png shows the untrained model), and after the last.',
      'const summary = await runLoop(program, {',
      'iterations: settings.iterations,',
      'logEvery: settings.logEvery,',
      'sampleEvery: settings.sampleEvery,',
      ...(plan.settings.guard ? ['guard: GUARD,'] : []),
      'onLog: (entry) => log(logLine(entry), entry),',
      'onSnapshot: ({ index }) => writeGrids(model, settings.out, index),',
      'onStep: async (step) => {',
      'if ((step + 1) % settings.checkpointEvery === 0) await saveCheckpoint(checkpointDir, GRAPH_NAME, step + 1, trained);',
      '},',
      '});',
      'await saveCheckpoint(checkpointDir, GRAPH_NAME, iteration, trained);',
      'const result = { graph: GRAPH_NAME, backend: backend.name, seed: settings.seed, ...summary };',
      'await writeFile(path.join(settings.out, "summary.json"), `${JSON.stringify(result, null, 2)}\\n`);',
      'log(`${doneLine(summary)} Grids and checkpoint in ${settings.out}`, { done: true, ...result });',
    ],
  };
}
