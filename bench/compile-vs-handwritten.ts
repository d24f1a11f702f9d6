/**
 * Iterations/second of the compiled templates against the same models written
 * by hand in plain tfjs the way the seeds write them (tf.variable + tf.matMul +
 * optimizer.minimize with tfjs's optimizers), same backend, same batch, one run.
 * The compiled program runs as npm run train runs it: its draws computed one
 * iteration ahead on a second thread (lib/train/draws-ahead.ts).
 * The machine's speed drifts (shared cores), so the two alternate in short
 * slices and the figure is the median of the per-pair speed-ups. Then what an
 * iteration's draws cost the compiled program on the host: its random numbers
 * (noise, labels, batch order), and copying its batch's pixels.
 *   npx tsx bench/compile-vs-handwritten.ts [--backend wasm|cpu] [--rounds 8]
 */
import { parseArgs } from 'node:util';
import { compile, type TrainingProgram } from '../lib/compile/program';
import { startDrawsAhead } from '../lib/train/draws-ahead';
import { analyse } from '../lib/graph/analyse';
import type { GraphDoc } from '../lib/graph/schema';
import { lower } from '../lib/plan/lower';
import { datasetKey, type DataProvider } from '../lib/runtime/dataset';
import { permutation, sourceStream } from '../lib/runtime/random';
import { nodeMnist } from '../lib/data/node';
import { useBackend, type NodeBackend } from '../lib/train/backend';
import { getTemplate } from '../lib/templates';
import { feedStreams } from '../tests/reference/feeds';
import { handwrittenAli, handwrittenGan, type Handwritten } from '../tests/reference/handwritten';
import { fastAli, fastGan } from './handwritten/tfjs';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, rounds: { type: 'string', default: '8' } } });

/**
 * What an iteration's draws cost on the host, in milliseconds: generating its
 * random numbers (noise, labels, and its share of the epoch's batch order)
 * and copying its batches' pixels (bytes scaled to floats, as any program
 * feeding these images pays).
 */
async function drawMilliseconds(doc: GraphDoc, data: DataProvider, tf: Parameters<typeof compile>[1]['tf'], iterations = 200): Promise<{ random: number; pixels: number }> {
  const plan = lower(analyse(doc));
  const batch = plan.settings.batchSize;
  let random = 0;
  let pixels = 0;
  for (const source of plan.sources) {
    const draws = plan.drawsPerIteration[source.key] ?? 0;
    const stream = sourceStream(0, 'train', source.key);
    const dataset = source.datasets[0] && (await data.dataset(source.datasets[0]));
    const sampler = source.kind.sampler(source.params, { tf, stream, drawsPerIteration: draws, dataset: () => dataset! });
    if (dataset) {
      // The epoch's order once (what a draw computes when an epoch begins), shared by the iterations of that epoch.
      let start = performance.now();
      permutation(stream, { iteration: 0, draw: 0 }, dataset.count);
      random += (performance.now() - start) / (dataset.count / (batch * draws));
      sampler.draw({ iteration: 0, draw: 0 }, batch);
      start = performance.now();
      for (let iteration = 1; iteration <= iterations; iteration++) for (let draw = 0; draw < draws; draw++) sampler.draw({ iteration, draw }, batch);
      pixels += (performance.now() - start) / iterations;
    } else {
      const start = performance.now();
      for (let iteration = 0; iteration < iterations; iteration++) for (let draw = 0; draw < draws; draw++) sampler.draw({ iteration, draw }, batch);
      random += (performance.now() - start) / iterations;
    }
  }
  return { random, pixels };
}

function itPerSec(step: () => unknown, seconds: number): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    step();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

async function main() {
  const tf = await useBackend(values.backend as NodeBackend);
  const data = nodeMnist();
  const mnist = await data.dataset({ id: 'mnist', split: 'train' });
  console.log(`backend ${tf.getBackend()}, ${values.rounds} alternating pairs of 1.5 s slices`);
  for (const [id, seedStyle, best] of [
    ['gan', handwrittenGan, fastGan],
    ['ali', handwrittenAli, fastAli],
  ] as const) {
    // As npm run train runs it: its draws computed one iteration ahead on a second thread.
    const drawsAhead = await startDrawsAhead(getTemplate(id)!.doc, { data, seed: getTemplate(id)!.doc.training.seed, batchSize: getTemplate(id)!.doc.training.batchSize });
    const program: TrainingProgram = await compile(getTemplate(id)!.doc, { tf, data, drawsAhead });
    const feed = () => {
      const streams = feedStreams(mnist);
      return (name: 'X' | 'z', shape: number[]) => (name === 'X' ? streams.images(shape) : streams.uniform(shape));
    };
    // The seeds' style (tf.matMul, tfjs's optimizers), and the best we can write by hand (the runtime's fast ops and TF1 optimizers, wired directly).
    const baselines: [string, Handwritten][] = [
      ['as the seeds write it', seedStyle(program.weights(), feed(), 'tfjs')],
      ['the best hand-written', best(tf, program.weights(), feed())],
    ];
    for (let i = 0; i < 10; i++) [program, ...baselines.map(([, b]) => b)].forEach((p) => p.step());
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const batch = getTemplate(id)!.doc.training.batchSize;
    const compiledSpeeds: number[] = [];
    for (const [name, baseline] of baselines) {
      const compiled: number[] = [];
      const handwritten: number[] = [];
      for (let r = 0; r < Number(values.rounds); r++) {
        handwritten.push(itPerSec(() => baseline.step(), 1.5));
        compiled.push(itPerSec(() => program.step(), 1.5));
      }
      compiledSpeeds.push(...compiled);
      const ratios = compiled.map((c, i) => c / handwritten[i]!);
      console.log(
        `${id.padEnd(4)} batch ${batch}: ${name} ${median(handwritten).toFixed(1)} it/s, compiled ${median(compiled).toFixed(1)} it/s (medians), ` +
          `compiled/hand-written ${median(ratios).toFixed(2)}x (median of pairs; range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
      );
    }
    const draws = await drawMilliseconds(getTemplate(id)!.doc, data, tf);
    const iteration = 1000 / median(compiledSpeeds);
    const share = (ms: number) => `${ms.toFixed(2)} ms (${((100 * ms) / iteration).toFixed(1)}%)`;
    console.log(`${id.padEnd(4)} batch ${batch}: of the compiled iteration's ${iteration.toFixed(1)} ms, its random numbers (noise, labels, batch order) take ${share(draws.random)}, copying its batch's pixels ${share(draws.pixels)}`);
    console.log(`${id.padEnd(4)} batch ${batch}: draws served by the helper thread ${drawsAhead?.served.ahead ?? 0}, drawn on the training thread ${drawsAhead?.served.here ?? 0}`);
    program.dispose();
    drawsAhead?.dispose();
    baselines.forEach(([, b]) => b.dispose());
  }
}

main();
