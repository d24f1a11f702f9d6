import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** Seed 004: the MLP GAN with LeakyReLU, tanh output and log_loss. */
export function ganLeakyTemplate(): Template {
  const NOISE = 96;
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('noise', [NOISE]);
    const h1 = n.add('dense', 'fc1', { units: 1024, activation: 'relu', kernelInit: 'glorot-uniform' }, { x: z });
    const h2 = n.add('dense', 'fc2', { units: 1024, activation: 'relu', kernelInit: 'glorot-uniform' }, { x: h1 });
    const x = n.add('dense', 'fc3', { units: 784, activation: 'tanh', kernelInit: 'glorot-uniform' }, { x: h2 });
    n.output('image', x);
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const h1 = n.add('dense', 'fc1', { units: 256, kernelInit: 'glorot-uniform' }, { x });
    const a1 = n.add('activation', 'act1', { fn: 'leaky-relu', alpha: 0.2 }, { x: h1 });
    const h2 = n.add('dense', 'fc2', { units: 256, kernelInit: 'glorot-uniform' }, { x: a1 });
    const a2 = n.add('activation', 'act2', { fn: 'leaky-relu', alpha: 0.2 }, { x: h2 });
    const logit = n.add('dense', 'fc3', { units: 1, kernelInit: 'glorot-uniform' }, { x: a2 });
    n.output('logit', logit);
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '-1..1', layout: 'flat' }, {}, 'images');
  const noise = m.add('noise', 'noise', { distribution: 'uniform', low: -1, high: 1, shape: [NOISE] }, {}, 'z');
  const fakeImages = m.add('call', 'G(noise)', { network: 'G' }, { [portId('noise')]: noise }, portId('image'));
  const realLogits = m.add('call', 'logits_real', { network: 'D' }, { x: X }, 'logit');
  const fakeLogits = m.add('call', 'logits_fake', { network: 'D' }, { x: fakeImages }, 'logit');
  const prob = (label: string, logits: { node: string; port: string }) => m.add('activation', label, { fn: 'sigmoid' }, { x: logits });
  const realProb = prob('sigmoid(logits_real)', realLogits);
  const fakeProb = prob('sigmoid(logits_fake)', fakeLogits);
  const log = (label: string, p: { node: string; port: string }, target: 'ones' | 'zeros') => m.add('log-loss', label, { target, epsilon: 1e-7 }, { p }, 'loss');
  const dLoss = m.add('weighted-sum', 'D_loss', { weights: [1, 1] }, { term0: log('log_loss real', realProb, 'ones'), term1: log('log_loss fake', fakeProb, 'zeros') }, 'loss');
  const gLoss = log('G_loss', fakeProb, 'ones');
  const dSolver = m.add('adam', 'D_solver', { networks: ['D'], learningRate: 3e-4, beta1: 0.5 }, { loss: dLoss });
  const gSolver = m.add('adam', 'G_solver', { networks: ['G'], learningRate: 3e-4, beta1: 0.5 }, { loss: gLoss });
  return {
    id: 'gan-leaky',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'MLP GAN with LeakyReLU',
      description:
        'Seed 004. D: 784 -> 256 leaky relu(0.2) -> 256 leaky relu(0.2) -> 1 logit; G: noise -> 1024 relu -> 1024 relu -> 784 tanh, data in [-1, 1]. ' +
        'Losses with tf.losses.log_loss (eps 1e-7) on sigmoid(logits). Weights: slim\'s default Xavier (Glorot) uniform, zero biases. ' +
        'Open in the seed, chosen here: noise dim 96, z ~ U(-1, 1) shared by both steps of an iteration, Adam lr 3e-4 beta1 0.5 for both nets, batch 128.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [G, D],
      training: {
        batchSize: 128,
        iterations: 20_000,
        seed: 0,
        sampleEvery: 1000,
        schedule: [
          { optimizer: dSolver.id, repeat: 1 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
        previews: { samples: { node: fakeImages.node, port: fakeImages.port, range: '-1..1' } },
      },
    },
  };
}
