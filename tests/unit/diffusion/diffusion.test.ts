import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { compile } from '../../../lib/compile/program';
import { GENERATE_CHUNK } from '../../../lib/runtime/grid';
import { DENOISE_ROWS, forwardNoise, sample, samplerNoise, samplerPositions, scheduleTable, type SamplerSpec } from '../../../lib/runtime/diffusion';
import { tinyDiffusion } from '../../fixtures/diffusion';
import { cpu, mnistData } from '../../helpers';

/**
 * The diffusion runtime (lib/runtime/diffusion.ts) and the kinds built on
 * it: the schedule's table against DDPM's formulas, the forward process at
 * its knots, every sampler recovering the data from an oracle denoiser, and
 * a graph that trains and samples, with the analysis refusing what cannot
 * sample.
 */
const tensor2 = (values: Float32Array) => tf.tensor2d(values, [values.length / 2, 2]);

describe('schedule tables', () => {
  beforeAll(cpu);

  it('linear: knot k is (sqrt(abar_k), sqrt(1 - abar_k)) with DDPM betas from 1e-4 to 0.02', () => {
    const table = scheduleTable({ type: 'linear', steps: 1000, betaStart: 1e-4, betaEnd: 0.02 });
    expect(table.length).toBe(2002);
    let abar = 1;
    for (let k = 1; k <= 1000; k++) abar *= 1 - (1e-4 + ((0.02 - 1e-4) * (k - 1)) / 999);
    expect(table[0]).toBe(1);
    expect(table[1]).toBe(0);
    expect(table[2000]).toBeCloseTo(Math.sqrt(abar), 7);
    expect(table[2001]).toBeCloseTo(Math.sqrt(1 - abar), 7);
    // abar_T of DDPM's schedule: about 4e-5.
    expect(abar).toBeGreaterThan(3e-5);
    expect(abar).toBeLessThan(5e-5);
  });

  it('cosine: the signal falls monotonically to near zero; flow: a straight line of two knots', () => {
    const table = scheduleTable({ type: 'cosine', steps: 100, betaStart: 1e-4, betaEnd: 0.02 });
    for (let k = 1; k <= 100; k++) expect(table[2 * k]!).toBeLessThan(table[2 * k - 2]!);
    expect(table[200]!).toBeLessThan(0.05);
    expect(Array.from(scheduleTable({ type: 'flow', steps: 2, betaStart: 1e-4, betaEnd: 0.02 }))).toEqual([1, 0, 0, 1]);
  });

  it('samplers step down from the end of the schedule: trailing positions, then 0', () => {
    expect(samplerPositions(1000, 4)).toEqual([1000, 750, 500, 250, 0]);
    expect(samplerPositions(10, 3)).toEqual([10, 6, 3, 0]);
    expect(samplerPositions(5, 5)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(samplerPositions(1, 4)).toEqual([1, 0.75, 0.5, 0.25, 0]);
  });
});

describe('the forward process', () => {
  beforeAll(cpu);

  it('at integer timesteps, x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps with the knot values exactly', () => {
    const values = scheduleTable({ type: 'linear', steps: 50, betaStart: 1e-4, betaEnd: 0.02 });
    const x0 = tf.randomNormal([4, 3, 2], 0, 1, 'float32', 1);
    const eps = tf.randomNormal([4, 3, 2], 0, 1, 'float32', 2);
    const steps = [1, 17, 49, 50];
    const { xt } = forwardNoise(tf, x0, eps, tf.tensor2d(steps, [4, 1]), tensor2(values));
    const expected = tf.concat(steps.map((k, row) => tf.add(tf.mul(tf.slice(x0, [row], [1]), values[2 * k]!), tf.mul(tf.slice(eps, [row], [1]), values[2 * k + 1]!))));
    expect(Array.from(xt.dataSync())).toEqual(Array.from(expected.dataSync()));
  });

  it('on the flow line, x_t = (1 - t) x0 + t eps and the velocity is eps - x0', () => {
    const x0 = tf.randomNormal([3, 5], 0, 1, 'float32', 3);
    const eps = tf.randomNormal([3, 5], 0, 1, 'float32', 4);
    const t = tf.tensor2d([0, 0.3, 1], [3, 1]);
    const { xt, velocity } = forwardNoise(tf, x0, eps, t, tensor2(Float32Array.of(1, 0, 0, 1)));
    const expected = tf.add(tf.mul(tf.sub(1, t), x0), tf.mul(t, eps));
    expect(tf.max(tf.abs(tf.sub(xt, expected))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(velocity, tf.sub(eps, x0)))).dataSync()[0]).toBe(0);
  });
});

describe('samplers', () => {
  beforeAll(cpu);

  // Data that is one point c: the ideal denoiser knows x0 = c, so every sampler must end at c.
  let c: tf.Tensor;
  let noise: tf.Tensor;
  beforeAll(() => {
    c = tf.tensor2d([[0.5, -0.25, 0.75, -1]]);
    noise = tf.randomNormal([6, 4], 0, 1, 'float32', 9);
  });
  const draws = samplerNoise(0, 'preview', 'sample');
  const oracle = (table: Float32Array, prediction: 'eps' | 'velocity') => (args: readonly tf.Tensor[]) => {
    const [x, t] = args as [tf.Tensor, tf.Tensor];
    const position = t.dataSync()[0]!;
    const k = Math.min(Math.floor(position), table.length / 2 - 2);
    const f = position - k;
    const a = table[2 * k]! * (1 - f) + table[2 * k + 2]! * f;
    const b = table[2 * k + 1]! * (1 - f) + table[2 * k + 3]! * f;
    const eps = tf.div(tf.sub(x, tf.mul(c, a)), b);
    return prediction === 'eps' ? eps : tf.add(tf.mul(c, table[2 * k + 2]! - table[2 * k]!), tf.mul(eps, table[2 * k + 3]! - table[2 * k + 1]!));
  };
  const cases: { name: string; table: Float32Array; spec: SamplerSpec }[] = [
    { name: 'DDIM, 10 of 100 steps', table: scheduleTable({ type: 'linear', steps: 100, betaStart: 1e-4, betaEnd: 0.02 }), spec: { method: 'ddim', steps: 10, prediction: 'eps', guidance: 1, clip: true } },
    { name: 'DDPM, every step of 30', table: scheduleTable({ type: 'cosine', steps: 30, betaStart: 1e-4, betaEnd: 0.02 }), spec: { method: 'ddpm', steps: 30, prediction: 'eps', guidance: 1, clip: true } },
    { name: 'Euler on the flow line, velocity', table: Float32Array.of(1, 0, 0, 1), spec: { method: 'euler', steps: 7, prediction: 'velocity', guidance: 1, clip: false } },
    { name: 'DDIM on the flow line, velocity', table: Float32Array.of(1, 0, 0, 1), spec: { method: 'ddim', steps: 4, prediction: 'velocity', guidance: 1, clip: true } },
  ];
  it.each(cases)('$name: an ideal denoiser takes every row of noise to the data', ({ table, spec }) => {
    const x = sample(tf, oracle(table, spec.prediction), { noise, schedule: tensor2(table) }, spec, draws);
    expect(tf.max(tf.abs(tf.sub(x, c))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('DDPM draws fresh noise each step, from its own stream: the same for the same stream, else different', () => {
    const table = scheduleTable({ type: 'linear', steps: 10, betaStart: 1e-4, betaEnd: 0.02 });
    const spec: SamplerSpec = { method: 'ddpm', steps: 10, prediction: 'eps', guidance: 1, clip: true };
    // A denoiser that always says eps = 0: what remains of the noise is the sampler's own.
    const zero = (args: readonly tf.Tensor[]) => tf.zerosLike(args[0]!);
    const run = (at: typeof draws) => sample(tf, zero, { noise, schedule: tensor2(table) }, spec, at).dataSync();
    expect(Array.from(run(draws))).toEqual(Array.from(run(draws)));
    expect(Array.from(run(samplerNoise(0, 'samples', 'sample')))).not.toEqual(Array.from(run(draws)));
  });

  it(`runs the denoiser on at most ${DENOISE_ROWS} rows at once, with the same values`, () => {
    const table = scheduleTable({ type: 'linear', steps: 20, betaStart: 1e-4, betaEnd: 0.02 });
    const spec: SamplerSpec = { method: 'ddim', steps: 2, prediction: 'eps', guidance: 1, clip: true };
    const many = tf.randomNormal([2 * DENOISE_ROWS + 6, 4], 0, 1, 'float32', 11);
    const sizes: number[] = [];
    const counting = (args: readonly tf.Tensor[]) => {
      sizes.push(args[0]!.shape[0]!);
      return oracle(table, 'eps')(args);
    };
    const sliced = sample(tf, counting, { noise: many, schedule: tensor2(table) }, spec, draws);
    expect(sizes).toEqual([DENOISE_ROWS, DENOISE_ROWS, 6, DENOISE_ROWS, DENOISE_ROWS, 6]);
    // Row by row, as one call each: the same samples.
    const single = tf.concat(Array.from({ length: many.shape[0]! }, (_, r) => sample(tf, oracle(table, 'eps'), { noise: tf.slice(many, r, 1), schedule: tensor2(table) }, spec, draws)));
    expect(tf.max(tf.abs(tf.sub(sliced, single))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('guidance: uncond + w (cond - uncond), the unconditioned prediction on all-zero labels', () => {
    const table = scheduleTable({ type: 'linear', steps: 4, betaStart: 1e-4, betaEnd: 0.02 });
    const labels = tf.oneHot(tf.tensor1d([1, 0, 1, 0, 1, 0], 'int32'), 2).toFloat();
    // eps = sum(labels) per row (1 conditioned, 0 not): guidance w makes it w.
    const seen: number[] = [];
    const denoise = (args: readonly tf.Tensor[]) => {
      seen.push(args[0]!.shape[0]!);
      return tf.mul(tf.onesLike(args[0]!), tf.sum(args[2]!, 1, true));
    };
    const spec: SamplerSpec = { method: 'ddim', steps: 1, prediction: 'eps', guidance: 3, clip: false };
    const x = sample(tf, denoise, { noise, schedule: tensor2(table), labels }, spec, draws);
    expect(seen).toEqual([12]);
    const [a, b] = [table[8]!, table[9]!];
    const expected = tf.mul(tf.sub(noise, 3 * b), 1 / a);
    expect(tf.max(tf.abs(tf.sub(x, expected))).dataSync()[0]).toBeLessThan(1e-5);
  });
});

describe('a diffusion graph', () => {
  beforeAll(cpu);

  it.each([
    { schedule: 'linear' as const, method: 'ddim' as const },
    { schedule: 'cosine' as const, method: 'ddpm' as const, samplerSteps: 20 },
    { schedule: 'flow' as const, method: 'euler' as const },
    { schedule: 'linear' as const, method: 'ddim' as const, conditional: true, guidance: 2 },
  ])('$schedule schedule, $method sampler (conditional: $conditional): trains, and samples grids of images', async (o) => {
    const program = await compile(tinyDiffusion(o), { tf, data: mnistData });
    const first = program.step()!;
    for (let i = 0; i < 3; i++) program.step();
    expect(Object.values(first).every(Number.isFinite)).toBe(true);
    const grid = await program.samples();
    expect(grid!.count).toBe(program.previewLayout.count);
    expect(grid!.pixels.every((p) => p >= 0 && p <= 255)).toBe(true);
    // The same fixed draws every time: the same grid.
    expect(Array.from((await program.samples())!.pixels)).toEqual(Array.from(grid!.pixels));
    program.dispose();
  });
});

describe("a sampler's progress", () => {
  beforeAll(cpu);

  it('is told step by step for the grid, and chunk by chunk for bulk samples, ending at 1', async () => {
    const program = await compile(tinyDiffusion({ samplerSteps: 4 }), { tf, data: mnistData });
    const grid: number[] = [];
    await program.samples((fraction) => grid.push(fraction));
    expect(grid).toEqual([0.25, 0.5, 0.75, 1]);
    const bulk: number[] = [];
    await program.generate(3 * GENERATE_CHUNK - 5, { fixed: true, onProgress: (fraction) => bulk.push(fraction) });
    expect(bulk).toHaveLength(3 * 4);
    expect(bulk.every((f, i) => i === 0 || f > bulk[i - 1]!)).toBe(true);
    expect(bulk.at(-1)).toBeCloseTo(1, 12);
    program.dispose();
  });
});

describe('what the analysis refuses', () => {
  const problems = (doc: ReturnType<typeof tinyDiffusion>) => analyse(doc).errors.map((p) => `${p.message} | ${p.fix ?? ''}`);

  it('a sampler with more steps than the schedule has', () => {
    expect(problems(tinyDiffusion({ steps: 20, samplerSteps: 21 }))).toEqual([expect.stringMatching(/"sample": 21 steps, but the schedule has 20 \| Use at most 20 steps/)]);
  });

  it('a guidance scale without a conditional model', () => {
    expect(problems(tinyDiffusion({ guidance: 3 })).join('\n')).toMatch(/a guidance scale needs a conditional model/);
  });

  it('a schedule that does not reach the sampler, naming the fix', () => {
    const doc = tinyDiffusion();
    const sampler = doc.nodes.find((n) => n.id === 'sample')!;
    const cut = { ...doc, edges: doc.edges.filter((e) => !(e.target.node === sampler.id && e.target.port === 'schedule')) };
    expect(problems(cut)).toEqual([expect.stringMatching(/"sample": input "schedule" is not connected \| Connect the Noise schedule node that noises the training data/)]);
  });

  it('a loss that reads what a sampler generates', () => {
    const doc = tinyDiffusion();
    const loss = doc.nodes.find((n) => n.id === 'loss')!;
    const sampler = doc.nodes.find((n) => n.id === 'sample')!;
    const rewired = { ...doc, edges: doc.edges.map((e) => (e.target.node === loss.id && e.target.port === 'target' ? { ...e, source: { node: sampler.id, port: 'x' } } : e)) };
    expect(problems(rewired)).toEqual([expect.stringMatching(/"sample" generates for previews, scores and samples, but Adam "solver"'s loss reads what it generates \| Train on data/)]);
  });

  it("a sampler whose network's output does not have the data's shape", () => {
    const doc = tinyDiffusion();
    const body = doc.networks[0]!;
    const out = body.nodes.find((n) => n.id === 'predict')!;
    const changed = { ...doc, networks: [{ ...body, nodes: body.nodes.map((n) => (n === out ? { ...n, params: { ...n.params, units: 100 } } : n)) }] };
    expect(problems(changed).join('\n')).toMatch(/"sample": Denoiser's output "out" is \[b, 100\], but it samples \[b, 784\]/);
  });
});
