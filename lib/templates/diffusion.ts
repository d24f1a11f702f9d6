import { MNIST_CHOICE } from '../kinds/common';
import type { PortRef } from '../graph/schema';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';
import { block, network, param, ScopeBuilder, type Template } from './builder';

/**
 * Diffusion and flow matching on MNIST, from parts: a timestep per row, a
 * noise schedule, forward noising, a small U-Net denoiser (residual blocks
 * with group norm and SiLU, the time embedding beside every block's input,
 * self-attention at 7x7), and a sampler that runs it from noise to digits
 * on the same schedule.
 */
const T = 1000;
const TIME = 64;
const CLASSES = MNIST_CHOICE.classes;

/** The width of the embedding (time, and class) every residual block reads. */
const EMBEDDING = 32;

/**
 * The residual block, drawn once and called at every size of the U (a
 * block: each call has weights of its own): group norm, SiLU, a 3x3
 * convolution with the time (and class) embedding beside its input, twice;
 * a 1x1 convolution on the skip takes `in` channels to `out`.
 */
function resBlock() {
  return block(
    'ResBlock',
    'ResBlock',
    '#14b8a6',
    [
      { name: 'size', default: 28 },
      { name: 'in', default: 32 },
      { name: 'out', default: 32 },
    ],
    (n) => {
      const x = n.input('x', [param('size'), param('size'), param('in')]);
      const embedding = n.input('embedding', [EMBEDDING]);
      const norm1 = n.add('group-norm', 'norm1', { groups: 8 }, { x });
      const a = n.add('activation', 'silu1', { fn: 'silu' }, { x: norm1 });
      const conditioned = n.add('concat', '+ embedding', { inputs: 2, broadcast: true }, { in0: a, in1: embedding });
      const h = n.add('conv2d', 'conv1', { filters: param('out'), kernelSize: 3, kernelInit: 'glorot-uniform' }, { x: conditioned });
      const norm2 = n.add('group-norm', 'norm2', { groups: 8 }, { x: h });
      const b = n.add('activation', 'silu2', { fn: 'silu' }, { x: norm2 });
      const out = n.add('conv2d', 'conv2', { filters: param('out'), kernelSize: 3, kernelInit: 'glorot-uniform' }, { x: b });
      const skip = n.add('conv2d', 'skip', { filters: param('out'), kernelSize: 1, kernelInit: 'glorot-uniform' }, { x });
      const residual = n.add('add', 'residual', {}, { a: out, b: skip });
      n.place(x, 0, 1);
      n.place(embedding, 2, 0);
      [norm1, a, conditioned, h, norm2, b, out].forEach((node, i) => n.place(node, i + 1, 1));
      n.place(skip, 4, 2);
      n.place(residual, 8, 1);
      n.place(n.output('y', residual), 9, 1);
    },
  );
}

/**
 * The U on the canvas grid: the time embedding along the top, the way down
 * in column 1 (a row per step), the 7x7 middle along the bottom, the way up
 * in column 5 and the output layers down column 6.
 */
const TIME_ROW = 0;
const DOWN = 1;
const UP = 5;
const BOTTOM = 7;

/**
 * The denoiser: (x_t [28, 28, 1], t [1][, labels [10]]) -> a prediction
 * [28, 28, 1]. Channels 32 at 28x28, 64 at 14x14 and 7x7; skips from the way
 * down joined to the way up; every residual block a call of ResBlock.
 */
function unet(conditional: boolean, timeScale: number) {
  return network('UNet', 'UNet', '#0ea5e9', (n) => {
    const x = n.input('x_t', [28, 28, 1]);
    const t = n.input('t', [1]);
    n.place(x, 0, 2);
    n.place(t, 0, TIME_ROW);
    const time = n.add('time-embedding', 'time embedding', { dim: TIME, scale: timeScale }, { t });
    const hidden = n.add('dense', 'embed1', { units: 128, activation: 'silu', kernelInit: 'glorot-uniform' }, { x: time });
    let embedding: PortRef = n.add('dense', 'embed2', { units: EMBEDDING, kernelInit: 'glorot-uniform' }, { x: hidden });
    [time, hidden, embedding].forEach((node, i) => n.place(node, 1 + i, TIME_ROW));
    if (conditional) {
      // A tenth of the training rows see no class (a zero vector): the unconditioned prediction guidance needs.
      const input = n.input('labels', [CLASSES]);
      const labels = n.add('condition-dropout', 'drop labels', { rate: 0.1 }, { x: input });
      const vector = n.add('embedding', 'class embedding', { size: EMBEDDING }, { labels });
      embedding = n.add('add', 'time + class', {}, { a: embedding, b: vector });
      [input, labels, vector].forEach((node, i) => n.place(node, i, TIME_ROW + 1));
      n.place(embedding, 4, TIME_ROW);
    }
    const res = (label: string, input: PortRef, size: number, inChannels: number, out: number) =>
      n.add('call', label, { network: 'ResBlock', args: { size, in: inChannels, out } }, { x: input, embedding }, 'y');
    const h0 = n.add('conv2d', 'conv in', { filters: 32, kernelSize: 3, kernelInit: 'glorot-uniform' }, { x });
    const d1 = res('down1', h0, 28, 32, 32);
    const s1 = n.add('conv2d', 'down 14x14', { filters: 32, kernelSize: 3, strides: 2, kernelInit: 'glorot-uniform' }, { x: d1 });
    const d2 = res('down2', s1, 14, 32, 64);
    const s2 = n.add('conv2d', 'down 7x7', { filters: 64, kernelSize: 3, strides: 2, kernelInit: 'glorot-uniform' }, { x: d2 });
    const m1 = res('mid', s2, 7, 64, 64);
    [h0, d1, s1, d2, s2, m1].forEach((node, i) => n.place(node, DOWN, 2 + i));
    const norm = n.add('group-norm', 'attention norm', { groups: 8 }, { x: m1 });
    const attended = n.add('self-attention', 'attention', { heads: 1 }, { x: norm });
    const m2 = n.add('add', 'attention residual', {}, { a: m1, b: attended });
    const u1 = n.add('upsample', 'up 14x14', { factor: 2 }, { x: m2 });
    [norm, attended, m2, u1].forEach((node, i) => n.place(node, DOWN + 1 + i, BOTTOM));
    const j1 = n.add('concat', 'skip 14x14', { inputs: 2 }, { in0: u1, in1: d2 });
    const up1 = res('up1', j1, 14, 128, 64);
    const u2 = n.add('upsample', 'up 28x28', { factor: 2 }, { x: up1 });
    const j2 = n.add('concat', 'skip 28x28', { inputs: 2 }, { in0: u2, in1: d1 });
    const up2 = res('up2', j2, 28, 96, 32);
    [j1, up1, u2, j2, up2].forEach((node, i) => n.place(node, UP, BOTTOM - 1 - i));
    const outNorm = n.add('group-norm', 'out norm', { groups: 8 }, { x: up2 });
    const out = n.add('activation', 'out silu', { fn: 'silu' }, { x: outNorm });
    const conv = n.add('conv2d', 'conv out', { filters: 1, kernelSize: 3, kernelInit: 'zeros' }, { x: out });
    [outNorm, out, conv, n.output('prediction', conv)].forEach((node, i) => n.place(node, UP + 1, 2 + i));
  });
}

interface Variant {
  id: string;
  name: string;
  description: string;
  flow: boolean;
  conditional: boolean;
  learningRate: number;
  /** The sampler's guidance scale w (1: none). */
  guidance: number;
}

function diffusionTemplate(v: Variant): Template {
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '-1..1', layout: 'image' }, {}, 'images');
  const eps = m.add('noise', 'eps', { distribution: 'normal', shape: [28, 28, 1] }, {}, 'z');
  const t = m.add('timestep', 't', v.flow ? { mode: 'continuous' } : { mode: 'integer', steps: T }, {}, 't');
  const schedule = m.add('noise-schedule', 'schedule', v.flow ? { type: 'flow' } : { type: 'linear', steps: T }, {}, 'schedule');
  const noised = m.add('forward-noise', 'noise x', {}, { x0: X, eps, t, schedule }, 'xt');
  const args: Record<string, PortRef> = { x_t: noised, t, ...(v.conditional ? { labels: X.out('labels') } : {}) };
  const predicted = m.add('call', 'denoise', { network: 'UNet' }, args, 'prediction');
  // DDPM predicts the noise; rectified flow the velocity eps - x0.
  const loss = m.add('mse', 'loss', { reduction: 'mean' }, { prediction: predicted, target: v.flow ? noised.out('velocity') : eps }, 'loss');
  const solver = m.add('adam', 'solver', { networks: ['UNet'], learningRate: v.learningRate }, { loss });
  const start = m.add('noise', 'x_T ~ N(0, I)', { distribution: 'normal', shape: [28, 28, 1] }, {}, 'z');
  const classes: Record<string, PortRef> = v.conditional ? { labels: m.add('labels', 'classes', { classes: CLASSES }, {}, 'labels') } : {};
  const sampler = m.add(
    'sampler',
    'sample',
    { network: 'UNet', method: v.flow ? 'euler' : 'ddim', steps: 50, prediction: v.flow ? 'velocity' : 'eps', conditional: v.conditional, guidance: v.guidance },
    { noise: start, schedule, ...classes },
    'x',
  );
  return {
    id: v.id,
    placed: ['UNet', 'ResBlock'],
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: v.name,
      description: v.description,
      nodes: m.nodes,
      edges: m.edges,
      networks: [resBlock(), unet(v.conditional, v.flow ? T : 1)],
      training: {
        batchSize: 32,
        iterations: 5000,
        seed: 0,
        sampleEvery: 500,
        schedule: [{ optimizer: solver.id, repeat: 1 }],
        // Sampling runs the U-Net 50 times per image: 500 images every 2,500 iterations keeps scoring near a tenth of the time.
        evaluation: { every: 2500, samples: 500 },
        previews: { samples: { node: sampler.node, port: sampler.port, range: '-1..1' }, reconstructions: 'none' },
      },
    },
  };
}

const UNET =
  'The denoiser is a small U-Net: 3x3 convolutions with 32 channels at 28x28 and 64 at 14x14 and 7x7; five calls of one residual block, ResBlock (group norm, SiLU and convolution, twice, ' +
  'with a 64-dimension sinusoidal time embedding, through two dense layers, beside its input, and a 1x1 convolution on the skip), each call with its size and channels and weights of its own; ' +
  'self-attention at 7x7, nearest upsampling and skips joined on the way up. ';

export const ddpmTemplate = () =>
  diffusionTemplate({
    id: 'ddpm',
    name: 'DDPM',
    flow: false,
    conditional: false,
    learningRate: 2e-4,
    guidance: 1,
    description:
      'Denoising diffusion (Ho et al., 2020) on MNIST in [-1, 1]: a timestep t uniform in 1..1000 per image, x_t = sqrt(abar_t) x + sqrt(1 - abar_t) eps on the linear schedule ' +
      '(beta 1e-4 to 0.02), and the network trained to predict eps (mean squared error, Adam 2e-4, batch 32). ' +
      UNET +
      'Samples: DDIM (Song et al., 2021) in 50 steps from pure noise on the same schedule node; set the sampler to DDPM for ancestral sampling.',
  });

export const flowMatchingTemplate = () =>
  diffusionTemplate({
    id: 'flow-matching',
    name: 'Flow matching',
    flow: true,
    conditional: false,
    learningRate: 2e-4,
    guidance: 1,
    description:
      'Rectified flow (Liu et al., 2022; flow matching, Lipman et al., 2022) on MNIST in [-1, 1]: t uniform in [0, 1), x_t = (1 - t) x + t eps, and the network ' +
      'trained to predict the velocity eps - x (mean squared error, Adam 2e-4, batch 32); the time embedding scales t by 1000. ' +
      UNET +
      'Samples: 50 Euler steps from noise at t = 1 to data at t = 0.',
  });

export const ddpmCondTemplate = () =>
  diffusionTemplate({
    id: 'ddpm-cond',
    name: 'Conditional DDPM',
    flow: false,
    conditional: true,
    learningRate: 5e-4,
    guidance: 3,
    description:
      'Class-conditional diffusion on MNIST with classifier-free guidance (Ho and Salimans, 2022): as DDPM, with a learned vector per class added to the time embedding ' +
      '(the one-hot class dropped to zeros, so a zero vector, for a tenth of the training rows: the network also learns the unconditioned prediction), and Adam at 5e-4. ' +
      UNET +
      'Samples: DDIM in 50 steps with guidance 3 (uncond + 3 (cond - uncond)), one grid row per digit class, 0 at the top.',
  });
