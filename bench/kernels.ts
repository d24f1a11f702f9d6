/**
 * Where a template's training iteration spends its time, kernel by kernel
 * (tf.profile over one iteration after two warm-up ones): the first place to
 * look when a model trains slower on one backend than another.
 *   npx tsx bench/kernels.ts [--graph ddpm] [--backend wasm|cpu] [--top 20]
 */
import { parseArgs } from 'node:util';
import { compile } from '../lib/compile/program';
import { nodeMnist } from '../lib/data/node';
import { useBackend, type NodeBackend } from '../lib/train/backend';
import { getTemplate } from '../lib/templates';

const { values } = parseArgs({ options: { graph: { type: 'string', default: 'ddpm' }, backend: { type: 'string', default: 'wasm' }, top: { type: 'string', default: '20' } } });

async function main() {
  const template = getTemplate(values.graph);
  if (!template) throw new Error(`no template "${values.graph}"`);
  const tf = await useBackend(values.backend as NodeBackend);
  const program = await compile(template.doc, { tf, data: nodeMnist() });
  program.step();
  program.step();
  const start = performance.now();
  const info = await tf.profile(() => void program.step());
  const total = performance.now() - start;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs as number;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  console.log(`${values.graph} on ${tf.getBackend()}, batch ${template.doc.training.batchSize}: one iteration ${total.toFixed(0)} ms (profiled)`);
  for (const [name, { ms, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top))) {
    console.log(`${name.padEnd(28)} ${ms.toFixed(1).padStart(9)} ms ${String(calls).padStart(6)} calls`);
  }
  program.dispose();
}

main();
