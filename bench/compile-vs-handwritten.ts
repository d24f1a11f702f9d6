/**
 * Iterations/second of the compiled templates against the same models written
 * by hand in plain tfjs the way the seeds write them (tf.variable + tf.matMul +
 * optimizer.minimize with tfjs's optimizers), same backend, same batch, one run.
 * The machine's speed drifts (shared cores), so the two alternate in short
 * slices and the figure is the median of the per-pair speed-ups.
 *   npx tsx bench/compile-vs-handwritten.ts [--backend wasm|cpu] [--rounds 8]
 */
import { parseArgs } from 'node:util';
import { compile, type TrainingProgram } from '../lib/compile/program';
import { nodeMnist } from '../lib/data/node';
import { useBackend, type NodeBackend } from '../lib/train/backend';
import { getTemplate } from '../lib/templates';
import { feedStreams } from '../tests/reference/feeds';
import { handwrittenAli, handwrittenGan, type Handwritten } from '../tests/reference/handwritten';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, rounds: { type: 'string', default: '8' } } });

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
  for (const [id, make] of [
    ['gan', handwrittenGan],
    ['ali', handwrittenAli],
  ] as const) {
    const program: TrainingProgram = await compile(getTemplate(id)!.doc, { tf, data });
    const streams = feedStreams(mnist);
    const baseline: Handwritten = make(program.weights(), (name, shape) => (name === 'X' ? streams.images(shape) : streams.uniform(shape)), 'tfjs');
    for (let i = 0; i < 10; i++) {
      program.step();
      baseline.step();
    }
    const compiled: number[] = [];
    const handwritten: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      handwritten.push(itPerSec(() => baseline.step(), 1.5));
      compiled.push(itPerSec(() => program.step(), 1.5));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratios = compiled.map((c, i) => c / handwritten[i]!);
    const batch = getTemplate(id)!.doc.training.batchSize;
    console.log(
      `${id.padEnd(4)} batch ${batch}: hand-written ${median(handwritten).toFixed(1)} it/s, compiled ${median(compiled).toFixed(1)} it/s (medians), ` +
        `speed-up ${median(ratios).toFixed(2)}x (median of pairs; range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
    );
    program.dispose();
    baseline.dispose();
  }
}

main();
