import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../codegen/typescript/support/backend';
import { compile } from '../../../lib/compile/program';
import { templates } from '../../../lib/templates';
import { analyse } from '../../../lib/graph/analyse';
import { lower } from '../../../lib/plan/lower';
import { close, mnistData } from '../../helpers';
import { budget, samples } from '../../fixtures/budget';

/**
 * WebGPU in Node (the `webgpu` package's Dawn under tfjs's WebGPU backend),
 * as `npm run train -- --backend webgpu` and exported projects start it. With
 * no GPU here it runs on Mesa's llvmpipe through Dawn's OpenGL ES backend: a
 * real WebGPU device, in software. Every template's losses match cpu's.
 */
const ITERATIONS = 20;
const BATCH = 16;

/**
 * WGAN-GP's critic loss is a difference of terms, one through a gradient of a
 * gradient, over five critic steps an iteration: float32 differences between
 * backends grow fast there (2e-4 at iteration 3, 1.4e-3 at iteration 4, as
 * the adversarial game amplifies them). Such graphs are compared over their
 * first three iterations (18 optimizer steps), to 1e-3.
 */
function comparison(doc: (typeof templates)[number]['doc']): { iterations: number; tolerance: number } {
  const analysis = analyse(doc);
  if (!analysis.ok) throw new Error(`${doc.name} has errors`);
  const plan = lower(analysis);
  const gradients = plan.steps.some((s) => s.body.some((i) => i.type === 'call' && i.inputGradient !== undefined));
  return gradients ? { iterations: 3, tolerance: 1e-3 } : { iterations: budget(doc, { iterations: ITERATIONS, batch: BATCH }).iterations, tolerance: 1e-4 };
}

async function losses(backend: 'webgpu' | 'cpu', doc: (typeof templates)[number]['doc']) {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const slice = budget(doc, { iterations: ITERATIONS, batch: BATCH });
  const program = await compile(slice.doc, { tf, data: mnistData, seed: 3, batchSize: slice.batch });
  try {
    const out: Record<string, number>[] = [];
    for (let i = 0; i < comparison(doc).iterations; i++) out.push(await program.stepAsync());
    return out;
  } finally {
    program.dispose();
  }
}

/**
 * Every template, but of those that sample (diffusion: one U-Net, its
 * layers the same in each) only the largest graph, which holds the most
 * kinds: a U-Net's shaders take the software adapter 20 s to build.
 */
const size = (t: (typeof templates)[number]) => t.doc.nodes.length + t.doc.networks.reduce((n, network) => n + network.nodes.length, 0);
const largestSampled = templates.filter((t) => samples(t.doc)).sort((a, b) => size(b) - size(a))[0];
const compared = templates.filter((t) => !samples(t.doc) || t === largestSampled);

describe('WebGPU in Node', () => {
  it.each(compared.map((t) => [t.id, t] as const))(`%s: its iterations on webgpu give cpu's losses (1e-4, or 1e-3 through input gradients)`, async (id, template) => {
    const gpu = await losses('webgpu', template.doc);
    const reference = await losses('cpu', template.doc);
    const { tolerance } = comparison(template.doc);
    for (const [i, step] of gpu.entries()) {
      for (const [name, value] of Object.entries(step)) expect(close(value, reference[i]![name]!, tolerance), `${id} ${name} at ${i}: webgpu ${value}, cpu ${reference[i]![name]}`).toBe(true);
    }
  });

  it('is what npm run train -- --backend webgpu runs, and says which adapter', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netloom-webgpu-'));
    const { stdout } = await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['cli/train.ts', '--graph', 'gan', '--backend', 'webgpu', '--steps', '3', '--log-every', '1', '--out', out], { timeout: 120_000 });
    expect(stdout).toMatch(/^Training Vanilla GAN \(gan\) on webgpu \(.+\): 3 iterations/m);
    expect(stdout).toMatch(/Done: 3 iterations/);
  });
});
