/**
 * Iterations/second of the compiled templates against the same models written
 * by hand in plain tfjs the way the seeds write them (tf.variable + tf.matMul +
 * optimizer.minimize with tfjs's optimizers), same backend, same batch, one run.
 * The machine's speed drifts (shared cores), so the two alternate in short
 * slices and the figure is the median of the per-pair speed-ups. Then what the
 * random draws cost the compiled program: an iteration's noise, labels and
 * batch order (with the batch's pixels), drawn on the host as the program draws
 * them, against the iteration's time.
 *   npx tsx bench/compile-vs-handwritten.ts [--backend wasm|cpu] [--rounds 8]
 */
import { parseArgs } from 'node:util';
import { compile, type TrainingProgram } from '../lib/compile/program';
import { analyse } from '../lib/graph/analyse';
import type { GraphDoc } from '../lib/graph/schema';
import { lower } from '../lib/plan/lower';
import { datasetKey, type DataProvider } from '../lib/runtime/dataset';
import { sourceStream } from '../lib/runtime/random';
import { nodeMnist } from '../lib/data/node';
import { useBackend, type NodeBackend } from '../lib/train/backend';
import { getTemplate } from '../lib/templates';
import { feedStreams } from '../tests/reference/feeds';
import { handwrittenAli, handwrittenGan, type Handwritten } from '../tests/reference/handwritten';
import { fastAli, fastGan } from './handwritten/tfjs';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, rounds: { type: 'string', default: '8' } } });

/** Milliseconds an iteration's draws take on the host: every source of the plan, as many times as an iteration draws it. */
async function drawMilliseconds(doc: GraphDoc, data: DataProvider, tf: Parameters<typeof compile>[1]['tf'], iterations = 200): Promise<number> {
  const plan = lower(analyse(doc));
  const datasets = new Map(await Promise.all(plan.datasets.map(async (ref) => [datasetKey(ref), await data.dataset(ref)] as const)));
  const samplers = plan.sources.map((source) => {
    const draws = plan.drawsPerIteration[source.key] ?? 0;
    const sampler = source.kind.sampler(source.params, { tf, stream: sourceStream(0, 'train', source.key), drawsPerIteration: draws, dataset: (ref) => datasets.get(datasetKey(ref))! });
    return { sampler, draws };
  });
  const batch = plan.settings.batchSize;
  const start = performance.now();
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (const { sampler, draws } of samplers) for (let draw = 0; draw < draws; draw++) sampler.draw({ iteration, draw }, batch);
  }
  return (performance.now() - start) / iterations;
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
    const program: TrainingProgram = await compile(getTemplate(id)!.doc, { tf, data });
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
    console.log(`${id.padEnd(4)} batch ${batch}: its random draws (noise, labels, batch order and pixels) take ${draws.toFixed(2)} ms of the compiled iteration's ${iteration.toFixed(1)} ms (${((100 * draws) / iteration).toFixed(1)}%)`);
    program.dispose();
    baselines.forEach(([, b]) => b.dispose());
  }
}

main();
