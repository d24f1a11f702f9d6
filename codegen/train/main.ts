import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import { PREVIEW_COUNT } from '../../lib/compile/program';
import type { Plan } from '../plan';
import { stringLiteral } from '../text';
import { mnistSplits } from './iteration';

/** The graph's training settings as named constants (each has a flag). */
export function writeSettings(plan: Plan): string[] {
  const t = plan.doc.training;
  return [
    `\n/** The graph's name, recorded in checkpoints. */`,
    `const GRAPH_NAME = ${stringLiteral(plan.doc.name)};`,
    '\n// Training settings, from the graph. Each one has a flag: npm run train -- --help',
    `const ITERATIONS = ${t.iterations};`,
    `const BATCH_SIZE = ${t.batchSize};`,
    `const SEED = ${t.seed};`,
    `const SAMPLE_EVERY = ${t.sampleEvery};`,
    `const LOG_EVERY = ${Math.min(t.sampleEvery, 100)};`,
    `const CHECKPOINT_EVERY = ${t.sampleEvery};`,
    'const OUT_DIR = "out";',
    'const DATA_DIR = "mnist";',
    '/** Rows of the fixed preview batches: the seeds\' 4x4 grids. */',
    `const PREVIEW_COUNT = ${PREVIEW_COUNT};`,
    '\nconst DEFAULTS: Defaults = {',
    '  iterations: ITERATIONS,',
    '  batchSize: BATCH_SIZE,',
    '  seed: SEED,',
    '  sampleEvery: SAMPLE_EVERY,',
    '  logEvery: LOG_EVERY,',
    '  checkpointEvery: CHECKPOINT_EVERY,',
    '  out: OUT_DIR,',
    '  data: DATA_DIR,',
    '};',
  ];
}

/** `main`: settings, backend, data, model, then the training loop with its logs, grids and checkpoints. */
export function writeMain(plan: Plan): OptionalKind<FunctionDeclarationStructure> {
  const splits = mnistSplits(plan);
  const optimizerIds = [...new Map(plan.steps.map((step) => [step.optimizer.node.id, step.key]))];
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
      `\nconst mnist: Mnist = { ${splits.map((split) => `${split}: mnistSplit(...(await readMnistFiles(settings.data, MNIST_FILES.${split})), "${split}")`).join(', ')} };`,
      'const resumeAt = settings.resume ? await checkpointIteration(settings.resume) : 0;',
      'const model = createModel(settings.seed, mnist, resumeAt);',
      '// Checkpoints name weights `network/node/weight` and optimizers by their node ids, as Netloom does.',
      'const training = (iteration: number) => ({',
      'iteration,',
      'weights: variablesOf(...Object.values(model.weights)),',
      `optimizers: { ${optimizerIds.map(([id, key]) => `${stringLiteral(id)}: model.optimizers.${key}`).join(', ')} },`,
      '});',
      'if (settings.resume) await restoreCheckpoint(settings.resume, training(resumeAt));',
      'await mkdir(settings.out, { recursive: true });',
      'const checkpointDir = path.join(settings.out, "checkpoint");',
      'if (!settings.json) {',
      'const from = resumeAt ? ` from iteration ${resumeAt} (${settings.resume})` : "";',
      'console.log(`Training ${GRAPH_NAME} on ${backend.name}: ${settings.iterations} iterations${from}, batch ${settings.batchSize}, seed ${settings.seed}`);',
      '}',
      '\nconst log = (line: string, json: object) => console.log(settings.json ? JSON.stringify(json) : line);',
      'const start = performance.now();',
      'let windowStart = start;',
      'let windowSteps = 0;',
      'let losses: Losses = {};',
      'for (let iteration = resumeAt; iteration < settings.iterations; iteration++) {',
      '// Grids before the step, as the seeds draw them: 000.png shows the untrained model.',
      'if (iteration % settings.sampleEvery === 0) await writeGrids(model, settings.out, iteration / settings.sampleEvery);',
      'losses = await readLosses(trainIteration(model, settings.batchSize));',
      'windowSteps += 1;',
      'for (const [name, value] of Object.entries(losses)) {',
      'if (!Number.isFinite(value)) throw new Error(`${name} became ${value} at iteration ${iteration}; training stopped`);',
      '}',
      'if (iteration % settings.logEvery === 0 || iteration === settings.iterations - 1) {',
      'const now = performance.now();',
      'const itPerSec = (windowSteps * 1000) / Math.max(now - windowStart, 1e-6);',
      'const shown = Object.entries(losses).map(([name, value]) => `${name}: ${value.toPrecision(4)}`);',
      'log(`Iter: ${iteration}; ${shown.join("; ")}; ${itPerSec.toFixed(1)} it/s`, { step: iteration, losses, itPerSec });',
      'windowStart = now;',
      'windowSteps = 0;',
      '}',
      'if ((iteration + 1) % settings.checkpointEvery === 0) await saveCheckpoint(checkpointDir, GRAPH_NAME, training(iteration + 1));',
      '}',
      '\nconst steps = Math.max(settings.iterations - resumeAt, 0);',
      'const seconds = (performance.now() - start) / 1000;',
      'await writeGrids(model, settings.out, Math.ceil(settings.iterations / settings.sampleEvery));',
      'await saveCheckpoint(checkpointDir, GRAPH_NAME, training(Math.max(settings.iterations, resumeAt)));',
      'const summary = { graph: GRAPH_NAME, backend: backend.name, seed: settings.seed, steps, seconds, itPerSec: steps / seconds, losses };',
      'await writeFile(path.join(settings.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\\n`);',
      'const final = Object.entries(losses).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(", ");',
      'log(`Done: ${steps} iterations in ${seconds.toFixed(1)} s (${summary.itPerSec.toFixed(1)} it/s). Final losses: ${final}. Grids and checkpoint in ${settings.out}`, { done: true, ...summary });',
    ],
  };
}
