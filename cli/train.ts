/**
 * npm run train -- --graph <template-id | file.json> --steps N --backend auto|webgpu|tensorflow|wasm|cpu --seed S
 *                  [--batch-size B] [--dataset ID|DIR|FILE] [--log-every K] [--sample-every K] [--out DIR] [--json] [--list]
 *                  [--samples N [--samples-out FILE.npy] [--labels-out FILE.npy]] [--eval-every K [--eval-samples N]]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { analyse } from '../lib/graph/analyse';
import { formatProblem } from '../lib/graph/problems';
import { compile, MAX_GENERATED } from '../lib/compile/program';
import { startDrawsAhead } from '../lib/train/draws-ahead';
import { dump } from 'npyjs';
import { nodeData } from '../lib/data/node';
import { withFittedDataset } from '../lib/graph/datasets';
import { formatFitChange } from '../lib/graph/fit';
import { datasetsDir } from '../lib/db/url';
import { resolveDatasetArg } from './dataset-arg';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, useBackend, type BackendChoice } from '../codegen/typescript/support/backend';
import { imageGrid, pairs, type Picture } from '../lib/runtime/grid';
import { DivergedError, doneLine, logLine, runLoop } from '../lib/runtime/loop';
import { resolveGraph, templateList } from './graph-arg';
import { createScorer, type RunScorer } from '../lib/compile/scoring';
import { nodeClassifier } from '../lib/data/classifier';
import { Diagnostician, diagnosisLine, type Diagnosis } from '../lib/runtime/diagnostics';
import { DEFAULT_EVALUATION, MAX_EVALUATION_SAMPLES, scoreLine, type QualityScores } from '../lib/runtime/quality';

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** The largest batch a graph may name (its schema's bound). */
const MAX_BATCH = 65_536;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function png(image: Picture): Buffer {
  // Greyscale, RGB or RGBA (a dataset imported with its transparency kept).
  const colorType = image.channels === 4 ? 6 : image.channels === 3 ? 2 : 0;
  const out = new PNG({ width: image.width, height: image.height, colorType, inputColorType: colorType, bitDepth: 8 });
  out.data = Buffer.from(image.pixels);
  return PNG.sync.write(out, { colorType, inputColorType: colorType });
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        graph: { type: 'string' },
        dataset: { type: 'string' },
        samples: { type: 'string' },
        'samples-out': { type: 'string' },
        'labels-out': { type: 'string' },
        'eval-every': { type: 'string' },
        'eval-samples': { type: 'string' },
        steps: { type: 'string' },
        'batch-size': { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        'log-every': { type: 'string' },
        'sample-every': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.list) {
    process.stdout.write(`${templateList()}\n`);
    return;
  }
  const graph = await resolveGraph(args.graph);
  if (!graph.ok) fail(graph.error);
  const { id } = graph.value;
  let { doc } = graph.value;
  let data = nodeData(datasetsDir());
  if (args.dataset !== undefined) {
    const dataset = await resolveDatasetArg(args.dataset);
    if (!dataset.ok) fail(dataset.error);
    const { choice } = dataset.value;
    const swapped = withFittedDataset(doc, choice);
    if (swapped.changed === 0) fail(`--dataset: ${id} has no Dataset node to read it (MNIST nodes read MNIST; replace them with a Dataset node)`);
    ({ doc } = swapped);
    data = dataset.value.data;
    // The layers sized for other data take this data's sizes: say which (stderr keeps --json's lines clean).
    if (swapped.changes.length > 0) {
      const lines = swapped.changes.map((change) => `  ${formatFitChange(doc, change)}\n`).join('');
      process.stderr.write(`Fitted ${id} to ${choice.name} (${choice.height}x${choice.width}x${choice.channels}), ${swapped.changes.length} change${swapped.changes.length === 1 ? '' : 's'}:\n${lines}`);
    }
  }

  const analysis = analyse(doc);
  const names = { network: (n: string) => doc.networks.find((x) => x.id === n)?.name ?? n };
  for (const problem of analysis.problems) process.stderr.write(`${formatProblem(problem, names)}\n`);
  if (!analysis.ok) fail(`${id} has ${analysis.errors.length} error(s); nothing was trained`, 1);

  // The project's own backend where Node has it, else the fastest this machine has (what an exported project does).
  const backend = args.backend ?? (['webgpu', 'wasm', 'cpu'].includes(doc.training.backend) ? doc.training.backend : 'auto');
  if (!BACKEND_CHOICES.includes(backend as BackendChoice)) fail(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${backend}"`);
  const steps = positiveInt('steps', args.steps, doc.training.iterations);
  const seed = positiveInt('seed', args.seed, doc.training.seed);
  const batchSize = positiveInt('batch-size', args['batch-size'], doc.training.batchSize);
  if (batchSize < 1 || batchSize > MAX_BATCH) fail(`--batch-size: from 1 to ${MAX_BATCH}, got ${batchSize}`);
  const sampleEvery = Math.max(1, positiveInt('sample-every', args['sample-every'], doc.training.sampleEvery));
  const logEvery = Math.max(1, positiveInt('log-every', args['log-every'], Math.min(doc.training.sampleEvery, 100)));
  const outDir = args.out ?? path.join('out', id);
  const sampleCount = args.samples === undefined ? 0 : positiveInt('samples', args.samples, 0);
  if (sampleCount > MAX_GENERATED) fail(`--samples: at most ${MAX_GENERATED}, got ${sampleCount}`);
  const samplesOut = args['samples-out'] ?? path.join(outDir, 'samples.npy');
  const labelsOut = args['labels-out'];
  if (labelsOut !== undefined && sampleCount === 0) fail('--labels-out: the class of each sample goes with --samples N');
  const evaluateEvery = positiveInt('eval-every', args['eval-every'], 0);
  const evaluationSamples = positiveInt('eval-samples', args['eval-samples'], DEFAULT_EVALUATION.samples);
  if (evaluationSamples < 2 || evaluationSamples > MAX_EVALUATION_SAMPLES) fail(`--eval-samples: from 2 to ${MAX_EVALUATION_SAMPLES}, got ${evaluationSamples}`);
  const print = (line: string, json: object) => void process.stdout.write(`${args.json ? JSON.stringify(json) : line}\n`);

  let chosen;
  try {
    chosen = await useBackend(backend as BackendChoice);
  } catch (e) {
    fail((e as Error).message, 1);
  }
  // Why faster backends were passed over, beside the output (stderr keeps --json's lines clean).
  for (const note of chosen.notes) process.stderr.write(`Skipped ${note}\n`);
  // Noise, labels and batches drawn one iteration ahead on a second thread, so training never waits for them.
  const drawsAhead = await startDrawsAhead(doc, { data, seed, batchSize });
  const program = await compile(doc, { tf, data, seed, batchSize, drawsAhead });
  await mkdir(outDir, { recursive: true });
  if (!args.json) process.stdout.write(`Training ${doc.name} (${id}) on ${chosen.name}: ${steps} iterations, batch ${batchSize}, seed ${seed}\n`);

  let scorer: RunScorer | undefined;
  if (evaluateEvery > 0) {
    const created = await createScorer(program, { tf, data, classifier: () => nodeClassifier(tf) }, evaluationSamples);
    if (!created.ok) fail(`--eval-every: ${created.reason}`, 1);
    scorer = created.scorer;
    if (!args.json) process.stdout.write(`${scorer.note}\n`);
  }
  const diagnostician = new Diagnostician(program.monitorMeasures);
  const diagnosed: Diagnosis[] = [];
  const report = (found: Diagnosis[]) => {
    for (const diagnosis of found) print(diagnosisLine(diagnosis), { diagnosis });
    diagnosed.push(...found);
  };
  const scores: { step: number; scores: QualityScores }[] = [];

  const writes: Promise<void>[] = [];
  try {
    const result = await runLoop(program, {
      iterations: steps,
      logEvery,
      sampleEvery,
      guard: doc.training.guard,
      onLog: async (entry) => {
        print(logLine(entry), entry);
        report(diagnostician.monitors(entry.step, await program.monitors()));
      },
      evaluateEvery: scorer && evaluateEvery,
      onEvaluate: async (step) => {
        const scored = await scorer!.score();
        scores.push({ step, scores: scored });
        print(`Quality at iteration ${step}: ${scoreLine(scored)}`, { step, scores: scored });
        report(diagnostician.scores(step, scored));
      },
      onSnapshot: async ({ index }) => {
        const name = String(index).padStart(3, '0');
        const samples = await program.samples();
        const reconstructions = await program.reconstructions();
        if (samples) writes.push(writeFile(path.join(outDir, `${name}.png`), png(imageGrid(samples, program.previewLayout.columns))));
        if (reconstructions) {
          const grid = png(imageGrid(pairs(reconstructions.inputs, reconstructions.outputs), 2 * program.previewLayout.columns));
          writes.push(writeFile(path.join(outDir, samples ? `recon-${name}.png` : `${name}.png`), grid));
        }
      },
    });
    if (sampleCount > 0) {
      // N new images from the sample preview, with fresh noise: float32 [N, h, w, c] in [0, 1], for anyone's own metric.
      const images = await program.generate(sampleCount);
      if (!images) fail(`--samples: ${id} has no samples preview (choose one under Pictures, or in training.previews.samples)`, 1);
      const npy = dump(images.pixels, [images.count, images.height, images.width, images.channels]);
      writes.push(mkdir(path.dirname(samplesOut), { recursive: true }).then(() => writeFile(samplesOut, new Uint8Array(npy))));
      if (labelsOut !== undefined) {
        // The class each sample was asked to be, uint8 [N], beside the images: anyone can check the conditioning.
        if (!images.classes) fail(`--labels-out: ${id}'s samples are not conditioned on class labels`, 1);
        const labels = dump(images.classes, [images.count]);
        writes.push(mkdir(path.dirname(labelsOut), { recursive: true }).then(() => writeFile(labelsOut, new Uint8Array(labels))));
      }
    }
    const summary = {
      graph: id,
      backend: program.backend,
      device: chosen.name,
      seed,
      batchSize,
      ...result,
      ...(sampleCount > 0 ? { samples: samplesOut } : {}),
      ...(scorer ? { scores, features: scorer.features } : {}),
      diagnoses: diagnosed,
    };
    writes.push(writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`));
    await Promise.all(writes);
    print(`${doneLine(result)} Grids in ${outDir}`, { done: true, ...summary });
  } catch (e) {
    await Promise.all(writes);
    if (e instanceof DivergedError) fail(e.message, 1);
    throw e;
  } finally {
    scorer?.dispose();
    program.dispose();
    drawsAhead?.dispose();
  }
}

main().catch((e) => fail((e as Error).stack ?? String(e), 1));
