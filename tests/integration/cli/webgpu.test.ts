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
import { close, mnistData } from '../../helpers';

/**
 * WebGPU in Node (the `webgpu` package's Dawn under tfjs's WebGPU backend),
 * as `npm run train -- --backend webgpu` and exported projects start it. With
 * no GPU here it runs on Mesa's llvmpipe through Dawn's OpenGL ES backend: a
 * real WebGPU device, in software. Every template's losses match cpu's.
 */
const ITERATIONS = 20;
const BATCH = 16;

async function losses(backend: 'webgpu' | 'cpu', doc: (typeof templates)[number]['doc']) {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const program = await compile(doc, { tf, data: mnistData, seed: 3, batchSize: BATCH });
  try {
    const out: Record<string, number>[] = [];
    for (let i = 0; i < ITERATIONS; i++) out.push(await program.stepAsync());
    return out;
  } finally {
    program.dispose();
  }
}

describe('WebGPU in Node', () => {
  it.each(templates.map((t) => [t.id, t] as const))(`%s: ${ITERATIONS} iterations on webgpu give cpu's losses to 1e-4`, async (id, template) => {
    const gpu = await losses('webgpu', template.doc);
    const reference = await losses('cpu', template.doc);
    for (const [i, step] of gpu.entries()) {
      for (const [name, value] of Object.entries(step)) expect(close(value, reference[i]![name]!, 1e-4), `${id} ${name} at ${i}: webgpu ${value}, cpu ${reference[i]![name]}`).toBe(true);
    }
  });

  it('is what npm run train -- --backend webgpu runs, and says which adapter', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netloom-webgpu-'));
    const { stdout } = await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['cli/train.ts', '--graph', 'gan', '--backend', 'webgpu', '--steps', '3', '--log-every', '1', '--out', out], { timeout: 120_000 });
    expect(stdout).toMatch(/^Training Vanilla GAN \(gan\) on webgpu \(.+\): 3 iterations/m);
    expect(stdout).toMatch(/Done: 3 iterations/);
  });
});
