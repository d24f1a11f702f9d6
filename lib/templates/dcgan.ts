import { MNIST_CHOICE } from '../kinds/common';
import { ganObjective, network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** DCGAN (Radford et al. 2015) sized for MNIST on a laptop: transposed convolutions with batch norm in G, strided convolutions in D. */
export function dcganTemplate(): Template {
  const NOISE = 100;
  const init = { kernelInit: 'normal', stddev: 0.02 } as const;
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('z', [NOISE]);
    const h = n.add('dense', 'project', { units: 7 * 7 * 32, ...init }, { x: z });
    const h1 = n.add('activation', 'relu1', { fn: 'relu' }, { x: n.add('batch-norm', 'bn1', {}, { x: h }) });
    const maps = n.add('reshape', 'to 7x7x32', { shape: [7, 7, 32] }, { x: h1 });
    const up1 = n.add('conv2d-transpose', 'deconv1', { filters: 16, kernelSize: 5, strides: 2, padding: 'SAME', ...init }, { x: maps });
    const h2 = n.add('activation', 'relu2', { fn: 'relu' }, { x: n.add('batch-norm', 'bn2', {}, { x: up1 }) });
    const up2 = n.add('conv2d-transpose', 'deconv2', { filters: 1, kernelSize: 5, strides: 2, padding: 'SAME', activation: 'tanh', ...init }, { x: h2 });
    n.output('G(z)', up2);
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [28, 28, 1]);
    const c1 = n.add('conv2d', 'conv1', { filters: 16, kernelSize: 5, strides: 2, padding: 'SAME', ...init }, { x });
    const a1 = n.add('activation', 'lrelu1', { fn: 'leaky-relu', alpha: 0.2 }, { x: c1 });
    const c2 = n.add('conv2d', 'conv2', { filters: 32, kernelSize: 5, strides: 2, padding: 'SAME', ...init }, { x: a1 });
    const a2 = n.add('activation', 'lrelu2', { fn: 'leaky-relu', alpha: 0.2 }, { x: n.add('batch-norm', 'bn2', {}, { x: c2 }) });
    const flat = n.add('flatten', 'flatten', {}, { x: a2 });
    n.output('logit', n.add('dense', 'D_logit', { units: 1, ...init }, { x: flat }));
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '-1..1', layout: 'image' }, {}, 'images');
  const Z = m.add('noise', 'Z', { distribution: 'uniform', low: -1, high: 1, shape: [NOISE], draw: 'per-step' }, {}, 'z');
  const sample = m.add('call', 'G_sample', { network: 'G' }, { [portId('z')]: Z }, portId('G(z)'));
  const real = m.add('call', 'D_real', { network: 'D' }, { x: X }, 'logit');
  const fake = m.add('call', 'D_fake', { network: 'D' }, { x: sample }, 'logit');
  const adam = { kind: 'adam', params: { learningRate: 2e-4, beta1: 0.5 } };
  const { dSolver, gSolver } = ganObjective(m, { real, fake }, { d: adam, g: adam });
  return {
    id: 'dcgan',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'DCGAN',
      description:
        'Deep convolutional GAN (Radford et al. 2015), sized for 28x28 MNIST on a laptop. ' +
        'G: z(100) -> dense 7x7x32 -> batch norm -> relu -> transposed conv 16 5x5 /2 (14x14) -> batch norm -> relu -> transposed conv 1 5x5 /2 (28x28) -> tanh. ' +
        'D: conv 16 5x5 /2 -> leaky relu 0.2 -> conv 32 5x5 /2 -> batch norm -> leaky relu 0.2 -> dense 1 logit (no batch norm on D\'s input layer, as the paper). ' +
        'Weights ~ N(0, 0.02); Adam lr 2e-4, beta1 0.5 for both; non-saturating G loss CE(D(G(z)), 1); batch 64; data in [-1, 1]. ' +
        'Batch norm uses the batch\'s statistics in training and moving averages (momentum 0.99) in the sample grids and scores; ' +
        'the moving averages follow the batches of the step that trains each network, and checkpoints keep them.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [G, D],
      training: {
        batchSize: 64,
        iterations: 5000,
        seed: 0,
        sampleEvery: 500,
        schedule: [
          { optimizer: dSolver.id, repeat: 1 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
        previews: { samples: { node: sample.node, port: sample.port, range: '-1..1' } },
      },
    },
  };
}
