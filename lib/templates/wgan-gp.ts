import { MNIST_CHOICE } from '../kinds/common';
import { INPUT_GRADIENT } from '../kinds/networks/call';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** WGAN-GP (Gulrajani et al. 2017) with MLPs: a critic, the gradient penalty, five critic steps per generator step. */
export function wganGpTemplate(): Template {
  const NOISE = 100;
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('z', [NOISE]);
    const h = n.add('dense', 'G_h1', { units: 256, activation: 'relu' }, { x: z });
    n.output('G(z)', n.add('dense', 'G_x', { units: 784, activation: 'sigmoid' }, { x: h }));
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const h1 = n.add('dense', 'D_h1', { units: 256, activation: 'relu' }, { x });
    const h2 = n.add('dense', 'D_h2', { units: 256, activation: 'relu' }, { x: h1 });
    n.output('score', n.add('dense', 'D_score', { units: 1 }, { x: h2 }));
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const Z = m.add('noise', 'Z', { distribution: 'uniform', low: -1, high: 1, shape: [NOISE], draw: 'per-step' }, {}, 'z');
  const eps = m.add('noise', 'epsilon', { distribution: 'uniform', low: 0, high: 1, shape: [1], draw: 'per-step' }, {}, 'z');
  const sample = m.add('call', 'G_sample', { network: 'G' }, { [portId('z')]: Z }, portId('G(z)'));
  const between = m.add('interpolate', 'x_hat', {}, { a: X, b: sample, t: eps }, 'y');
  const real = m.add('call', 'D_real', { network: 'D' }, { x: X }, 'score');
  const fake = m.add('call', 'D_fake', { network: 'D' }, { x: sample }, 'score');
  const slope = m.add('call', 'D(x_hat)', { network: 'D', inputGradient: true }, { x: between }, INPUT_GRADIENT);
  const realScore = m.add('mean', 'E[D(x)]', {}, { x: real }, 'loss');
  const fakeScore = m.add('mean', 'E[D(G(z))]', {}, { x: fake }, 'loss');
  const penalty = m.add('gradient-penalty', 'penalty', {}, { gradient: slope }, 'loss');
  const dLoss = m.add('weighted-sum', 'D_loss', { weights: [1, -1, 10] }, { term0: fakeScore, term1: realScore, term2: penalty }, 'loss');
  const gLoss = m.add('weighted-sum', 'G_loss', { weights: [-1] }, { term0: fakeScore }, 'loss');
  const adam = { learningRate: 1e-4, beta1: 0.5, beta2: 0.9 };
  const dSolver = m.add('adam', 'D_solver', { networks: ['D'], ...adam }, { loss: dLoss });
  const gSolver = m.add('adam', 'G_solver', { networks: ['G'], ...adam }, { loss: gLoss });
  return {
    id: 'wgan-gp',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'WGAN-GP',
      description:
        'Wasserstein GAN with gradient penalty (Gulrajani et al. 2017), as MLPs. G: z(100) -> 256 relu -> 784 sigmoid; critic D: 784 -> 256 relu -> 256 relu -> 1 score (no sigmoid, no batch norm). ' +
        'D_loss = E[D(G(z))] - E[D(x)] + 10 * E[(||grad D(x_hat)|| - 1)^2], x_hat = eps x + (1 - eps) G(z), eps ~ U(0, 1) per image: ' +
        "the call D(x_hat) outputs its input gradient, and training differentiates that gradient again. G_loss = -E[D(G(z))]. " +
        'Five critic steps per generator step (the schedule\'s repeat, n_critic); Adam lr 1e-4, beta1 0.5, beta2 0.9; batch 64; MNIST in [0, 1]. ' +
        'The critic uses ReLU: tfjs has no second derivative for leaky ReLU.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [G, D],
      training: {
        batchSize: 64,
        iterations: 10_000,
        seed: 0,
        sampleEvery: 500,
        schedule: [
          { optimizer: dSolver.id, repeat: 5 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
        // The critic's input gradient has the images' shape, but it is no reconstruction.
        previews: { samples: { node: sample.node, port: sample.port, range: '0..1' }, reconstructions: 'none' },
      },
    },
  };
}
