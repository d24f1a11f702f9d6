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
    names.plan.quality
      ? `/** Quality scores (Fréchet distance, class entropy, confidence, diversity) every this many iterations, on this many samples. */`
      : '/** Quality scores: none (the graph has no samples preview, or no data of their shape to compare with). */',
    `const EVAL_EVERY = ${names.plan.quality ? t.evaluation.every : 0};`,
    `const EVAL_SAMPLES = ${t.evaluation.samples};`,
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
    '  evalEvery: EVAL_EVERY,',
    '  evalSamples: EVAL_SAMPLES,',
    '  backend: BACKEND,',
    '  out: OUT_DIR,',
    '  data: DATA_DIR,',
    '};',
  ];
}

/**
 * The quality scores' set-up in `main`: the evaluator over held-out real
 * images, and `score`, which prints each evaluation and what the
 * diagnostics recognise (as `npm run train -- --eval-every` does in Netloom).
 */
function writeScoring(names: TsNames): string[] {
  const { quality } = names.plan;
  if (!quality) return ['if (settings.evalEvery > 0) console.log("No quality scores: the graph has no samples preview, or no data of their shape to compare with.");'];
  const test = objectLiteral({ ...quality.reference });
  const train = objectLiteral({ ...quality.reference, split: 'train' });
  return [
    '\n// Quality scores on a fixed batch of samples against held-out real images (the training split where the data has no test split).',
    `const reference = settings.evalEvery > 0 ? await loadDataset(settings.data, ${test}).catch(() => loadDataset(settings.data, ${train})) : undefined;`,
    `const evaluator = reference && (await createEvaluator(tf, ${stringLiteral(quality.features)}, reference, settings.evalSamples));`,
    'const diagnostician = new Diagnostician(new Map());',
    'const scores: { step: number; scores: QualityScores }[] = [];',
    'const diagnoses: Diagnosis[] = [];',
    'const score = async (step: number) => {',
    'const scored = await evaluator!.score(await generateSamples(model, settings.evalSamples));',
    'scores.push({ step, scores: scored });',
    'log(`Quality at iteration ${step}: ${scoreLine(scored)}`, { step, scores: scored });',
    'for (const diagnosis of diagnostician.scores(step, scored)) {',
    'diagnoses.push(diagnosis);',
    'log(diagnosisLine(diagnosis), { diagnosis });',
    '}',
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
      'const model = createModel(settings.seed, datasets);',
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
      ...writeScoring(names),
      '\nlet iteration = resumeAt;',
      'const program: Trainable = {',
      'get iteration() {',
      'return iteration;',
      '},',
      'async stepAsync() {',
      'const losses = await readLosses(trainIteration(model, settings.batchSize, iteration));',
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
      ...(plan.quality ? ['evaluateEvery: evaluator && settings.evalEvery,', 'onEvaluate: score,'] : []),
      'onStep: async (step) => {',
      'if ((step + 1) % settings.checkpointEvery === 0) await saveCheckpoint(checkpointDir, GRAPH_NAME, step + 1, trained);',
      '},',
      '});',
      'await saveCheckpoint(checkpointDir, GRAPH_NAME, iteration, trained);',
      `const result = { graph: GRAPH_NAME, backend: backend.name, seed: settings.seed, ...summary${plan.quality ? ', scores, diagnoses' : ''} };`,
      'await writeFile(path.join(settings.out, "summary.json"), `${JSON.stringify(result, null, 2)}\\n`);',
      'log(`${doneLine(summary)} Grids and checkpoint in ${settings.out}`, { done: true, ...result });',
    ],
  };
}
