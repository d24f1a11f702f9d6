import { MNIST_CHOICE } from '../kinds/common';
import { ganObjective, network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** A conditional GAN (Mirza and Osindero, 2014) on MNIST: G and D both see the class. */
export function cganTemplate(): Template {
  const CLASSES = MNIST_CHOICE.classes;
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('z', [100]);
    const y = n.input('y', [CLASSES]);
    const e = n.add('embedding', 'G_label', { size: CLASSES }, { labels: y });
    const zy = n.add('concat', 'G_zy', { inputs: 2 }, { in0: z, in1: e });
    const h = n.add('dense', 'G_h1', { units: 256, activation: 'relu' }, { x: zy });
    n.output('G(z, y)', n.add('dense', 'G_prob', { units: 784, activation: 'sigmoid' }, { x: h }));
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const y = n.input('y', [CLASSES]);
    const xy = n.add('concat', 'D_xy', { inputs: 2 }, { in0: x, in1: y });
    const h = n.add('dense', 'D_h1', { units: 256, activation: 'relu' }, { x: xy });
    n.output('logit', n.add('dense', 'D_logit', { units: 1 }, { x: h }));
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const Z = m.add('noise', 'Z', { distribution: 'uniform', low: -1, high: 1, shape: [100], draw: 'per-step' }, {}, 'z');
  const Y = m.add('labels', 'Y', { classes: CLASSES, mode: 'random', draw: 'per-step' }, {}, 'labels');
  const sample = m.add('call', 'G_sample', { network: 'G' }, { [portId('z')]: Z, [portId('y')]: Y }, portId('G(z, y)'));
  const real = m.add('call', 'D_real', { network: 'D' }, { x: X, y: X.out('labels') }, 'logit');
  const fake = m.add('call', 'D_fake', { network: 'D' }, { x: sample, y: Y }, 'logit');
  const adam = { kind: 'adam', params: { learningRate: 2e-4, beta1: 0.5 } };
  const { dSolver, gSolver } = ganObjective(m, { real, fake }, { d: adam, g: adam });
  return {
    id: 'cgan',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'Conditional GAN',
      description:
        'A conditional GAN on MNIST (Mirza and Osindero, 2014), as an MLP. G: z(100) beside a learned 10-value embedding of the class y -> 256 relu -> 784 sigmoid; ' +
        "D: x(784) beside y one-hot -> 256 relu -> 1 logit. Real images come with their labels; fakes with a random class Y, the same for G and D. " +
        'D_loss = CE(D(x, y), 1) + CE(D(G(z, Y), Y), 0); G_loss = CE(D(G(z, Y), Y), 1); Adam lr 2e-4, beta1 0.5 for both, as DCGAN-era GANs train. ' +
        'The sample grid has one row per digit class, 0 at the top.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [G, D],
      training: {
        batchSize: 64,
        iterations: 20_000,
        seed: 0,
        sampleEvery: 500,
        schedule: [
          { optimizer: dSolver.id, repeat: 1 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
      },
    },
  };
}
