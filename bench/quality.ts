/**
 * Published baselines: every template trained a fixed number of iterations on
 * this machine's CPU (wasm), scored as a run in the app is (Fréchet distance
 * of the MNIST classifier's features, class entropy, confidence, diversity on
 * 1,000 samples against 1,000 held-out digits), with the wall time and the
 * diagnoses. Prints the README's table, and checks the tuned GAN against the
 * faithful one (at least 3x lower Fréchet distance, entropy above 2.5 bits,
 * collapse said of the vanilla GAN within 2,000 iterations and not of the tuned).
 * Templates with nothing to score (autoencoders) get their reconstruction
 * error instead: the mean of the training loss over the last five logs.
 * Conditional templates also draw 1,000 samples of requested classes
 * (`--samples --labels-out`): the share the bundled classifier puts in the
 * class asked for is their conditioning accuracy.
 * `--pytorch` trains through the PyTorch export instead (`python3
 * train.py` on the CPU, one thread; `--blas DIR` puts an unpacked OpenBLAS
 * first), the way to train the diffusion templates; `--eval-samples N`
 * scores on N samples.
 *   npm run bench:quality [-- --iterations 5000 --templates gan,gan-tuned]
 *   npm run bench:quality -- --pytorch --templates ddpm,flow-matching --every 5000 --blas DIR
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { parse } from 'npyjs';
import { nodeClassifier } from '../lib/data/classifier';
import { getKind } from '../lib/kinds/registry';
import { templates } from '../lib/templates';
import { useBackend } from '../lib/train/backend';
import { torchPython } from '../tests/fixtures/python';
import { writeExport } from '../tests/fixtures/workspace';
import type { Diagnosis } from '../lib/runtime/diagnostics';
import type { QualityScores } from '../lib/runtime/scores';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    templates: { type: 'string' },
    every: { type: 'string', default: '1000' },
    'eval-samples': { type: 'string', default: '1000' },
    pytorch: { type: 'boolean', default: false },
    blas: { type: 'string' },
  },
});
const PYTORCH = values.pytorch;
const EVAL_SAMPLES = Number(values['eval-samples']);
const ITERATIONS = Number(values.iterations);
const EVERY = Number(values.every);
const chosen = values.templates?.split(',') ?? templates.map((t) => t.id);

interface Outcome {
  id: string;
  scores: { step: number; scores: QualityScores }[];
  diagnoses: Diagnosis[];
  seconds: number;
  itPerSec: number;
  evaluationSeconds: number;
  /** Why there are no scores. */
  unscored?: string;
  /** Without scores: the loss averaged over the last logged iterations. */
  finalLoss?: { name: string; value: number; over: number };
  /** Conditional models: the share of samples the classifier finds in the class they were asked to be. */
  accuracy?: number;
}

/** Samples drawn to measure a conditional model's accuracy. */
const CONDITIONED_SAMPLES = 1000;

/** Whether a template conditions on class labels (a source that draws them). */
const conditional = (id: string) => templates.find((t) => t.id === id)!.doc.nodes.some((n) => {
  const kind = getKind(n.kind);
  return kind?.role === 'source' && kind.classes !== undefined;
});

/** The share of samples [n, 28, 28, 1] in [0, 1] that the bundled classifier puts in their requested class. */
async function accuracy(samplesFile: string, labelsFile: string): Promise<number> {
  const read = async (file: string) => {
    const bytes = await readFile(file);
    return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  const [samples, labels] = await Promise.all([read(samplesFile), read(labelsFile)]);
  await useBackend('wasm');
  const classifier = await nodeClassifier(tf);
  try {
    const predicted = tf.tidy(() => tf.argMax(classifier.apply(tf.tensor(samples.data as Float32Array, samples.shape)).logits, 1).dataSync());
    const wanted = labels.data as Uint8Array;
    let right = 0;
    for (let i = 0; i < wanted.length; i++) if (predicted[i] === wanted[i]) right += 1;
    return right / wanted.length;
  } finally {
    classifier.dispose();
  }
}

/** Logs averaged for a template without scores. */
const LAST_LOGS = 5;
const LOSS_LOG_EVERY = 50;

/** Trains one template through `npm run train -- --json`, as a user would, and reads its JSON lines; one with nothing to score, without scores. */
async function train(id: string, out: string): Promise<Outcome> {
  const [samplesFile, labelsFile] = [path.join(out, 'samples.npy'), path.join(out, 'classes.npy')];
  const drawn = conditional(id) ? ['--samples', String(CONDITIONED_SAMPLES), '--samples-out', samplesFile, '--labels-out', labelsFile] : [];
  const scored = await run(id, out, ['--eval-every', String(EVERY), '--eval-samples', String(EVAL_SAMPLES), '--log-every', '500', ...drawn]);
  if (drawn.length && !scored.unscored) scored.accuracy = await accuracy(samplesFile, labelsFile);
  if (!scored.unscored) return scored;
  const plain = await run(id, out, ['--log-every', String(LOSS_LOG_EVERY)]);
  return { ...plain, unscored: scored.unscored };
}

async function run(id: string, out: string, flags: string[]): Promise<Outcome> {
  const common = [...flags, '--json', '--out', out];
  let child: ReturnType<typeof spawn>;
  if (PYTORCH) {
    // The export as a user runs it: python3 train.py in its folder, on the CPU, one thread.
    const dir = await writeExport(path.join(out, 'export'), templates.find((t) => t.id === id)!.doc, undefined, 'pytorch');
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...(values.blas ? { LD_LIBRARY_PATH: [values.blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}) };
    child = spawn(torchPython(), ['train.py', '--device', 'cpu', '--iterations', String(ITERATIONS), ...common], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    child = spawn(path.join('node_modules', '.bin', 'tsx'), ['cli/train.ts', '--graph', id, '--steps', String(ITERATIONS), '--backend', 'wasm', ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const done = lines.find((l) => l.done) as { seconds: number; itPerSec: number; evaluationSeconds?: number } | undefined;
      if (code !== 0 || !done) {
        const reason = stderr.trim().split('\n').at(-1) ?? `exit ${code}`;
        if (/--eval-every/.test(reason)) return resolve({ id, scores: [], diagnoses: [], seconds: 0, itPerSec: 0, evaluationSeconds: 0, unscored: reason.replace(/^error: --eval-every: /, '') });
        return reject(new Error(`${id}: ${reason}`));
      }
      const logged = lines.filter((l) => l.losses && l.step !== undefined).slice(-LAST_LOGS) as { losses: Record<string, number> }[];
      const lossName = Object.keys(logged[0]?.losses ?? {})[0];
      resolve({
        id,
        finalLoss: lossName === undefined ? undefined : { name: lossName, value: logged.reduce((s, l) => s + l.losses[lossName]!, 0) / logged.length, over: logged.length },
        // Score lines carry a step; the final line's summary repeats them all.
        scores: lines.filter((l) => l.scores && l.step !== undefined) as unknown as Outcome['scores'],
        diagnoses: lines.filter((l) => l.diagnosis).map((l) => l.diagnosis as Diagnosis),
        seconds: done.seconds,
        itPerSec: done.itPerSec,
        evaluationSeconds: done.evaluationSeconds ?? 0,
      });
    });
  });
}

const fixed = (n: number | undefined, digits: number) => (n === undefined ? '–' : n.toFixed(digits));

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-bench-quality-'));
  const outcomes: Outcome[] = [];
  try {
    for (const id of chosen) {
      process.stderr.write(`${id}: training ${ITERATIONS} iterations…\n`);
      outcomes.push(await train(id, path.join(dir, id)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  console.log(`\n| template | Fréchet distance ↓ | class entropy (bits) ↑ | confidence | diversity | conditioning | wall time | it/s | scoring | diagnoses |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  const unscored = new Set<string>();
  for (const o of outcomes) {
    const last = o.scores.at(-1)?.scores;
    const name = templates.find((t) => t.id === o.id)?.name ?? o.id;
    if (o.unscored) {
      // The bench says why once, below the table; the row gives the training loss (an autoencoder's reconstruction error).
      const loss = o.finalLoss ? `final ${o.finalLoss.name} ${o.finalLoss.value.toFixed(3)} (mean of the last ${o.finalLoss.over} logs)` : o.unscored;
      console.log(`| ${name} (\`${o.id}\`) | – | – | – | – | – | ${o.seconds.toFixed(0)} s | ${o.itPerSec.toFixed(1)} | – | no samples to score; ${loss} |`);
      unscored.add(o.unscored);
      continue;
    }
    const said = o.diagnoses.map((d) => `${d.title} (at ${d.step.toLocaleString('en')})`).join('; ') || 'none';
    const share = o.seconds > 0 ? `${((100 * o.evaluationSeconds) / o.seconds).toFixed(1)}%` : '–';
    console.log(
      `| ${name} (\`${o.id}\`) | ${fixed(last?.frechet, 0)} | ${fixed(last?.entropy, 2)} | ${fixed(last?.confidence, 2)} | ${fixed(last?.diversity, 2)} | ${o.accuracy === undefined ? '–' : `${(100 * o.accuracy).toFixed(1)}%`} | ${o.seconds.toFixed(0)} s | ${o.itPerSec.toFixed(1)} | ${share} | ${said} |`,
    );
  }
  for (const reason of unscored) console.log(`\n${reason}`);
  const where = PYTORCH ? 'through the PyTorch export on the CPU (one thread)' : 'on wasm (2-core CPU)';
  console.log(`\n${ITERATIONS.toLocaleString('en')} iterations each ${where}, scored every ${EVERY.toLocaleString('en')} on ${EVAL_SAMPLES.toLocaleString('en')} samples; "scoring" is its share of the wall time; "conditioning": of ${CONDITIONED_SAMPLES.toLocaleString('en')} samples of requested classes, the share the bundled classifier finds in their class.`);

  const vanilla = outcomes.find((o) => o.id === 'gan');
  const tuned = outcomes.find((o) => o.id === 'gan-tuned');
  if (vanilla && tuned) {
    const v = vanilla.scores.at(-1)!.scores;
    const t = tuned.scores.at(-1)!.scores;
    const collapse = (o: Outcome) => o.diagnoses.find((d) => d.id === 'mode-collapse');
    console.log(`\nTuned vs vanilla GAN after ${ITERATIONS.toLocaleString('en')} iterations:`);
    // The goals are set at 5,000 iterations.
    const at = ITERATIONS === 5000 ? '' : ' at 5,000 iterations';
    console.log(`  Fréchet distance ${t.frechet.toFixed(0)} vs ${v.frechet.toFixed(0)}: ${(v.frechet / t.frechet).toFixed(2)}x lower (goal${at}: 3x or more)`);
    console.log(`  tuned class entropy ${t.entropy!.toFixed(2)} bits (goal${at}: above 2.5)`);
    console.log(`  mode collapse said of the vanilla GAN at iteration ${collapse(vanilla)?.step ?? 'never'} (goal: by 2,000); of the tuned GAN: ${collapse(tuned) ? `at ${collapse(tuned)!.step}` : 'never'} (goal: never)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
