import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type TrainingProgram } from '../../../lib/compile/program';
import { getTemplate } from '../../../lib/templates';
import { aliDecodingThroughDec, crossedIdsDoc } from '../../fixtures/nested';
import { mnistData, wasm } from '../../helpers';

/** How many times each kernel runs in one training iteration. */
async function kernels(program: TrainingProgram): Promise<Map<string, number>> {
  const info = await tf.profile(() => void program.step(false));
  const counts = new Map<string, number>();
  for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  return counts;
}

describe('a network calling a network', () => {
  beforeAll(wasm);

  it('trains exactly as the network called directly, with the same work per iteration (nested layers reused)', async () => {
    const direct = await compile(getTemplate('ali')!.doc, { tf, data: mnistData, seed: 3 });
    const nested = await compile(aliDecodingThroughDec(), { tf, data: mnistData, seed: 3 });
    for (let i = 0; i < 5; i++) expect(nested.step()).toEqual(direct.step());
    const [a, b] = [await kernels(direct), await kernels(nested)];
    expect(b.get('_FusedMatMul')).toBe(a.get('_FusedMatMul'));
    expect(b.get('MatMul')).toBe(a.get('MatMul'));
    direct.dispose();
    nested.dispose();
  });

  it('trains a graph whose ids hold the separators of names and keys, each weight its own variable, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const program = await compile(crossedIdsDoc(), { tf, data: mnistData, seed: 3, batchSize: 3 });
    expect([...program.weights().values()].map((v) => v.shape)).toEqual([[3, 4], [4], [4, 1], [1]]);
    for (let i = 0; i < 2; i++) expect(Object.values((await program.stepAsync())).every(Number.isFinite)).toBe(true);
    program.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
