import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** A conditional VAE (Sohn et al., 2015) on MNIST: the encoder and the decoder both see the class. */
export function cvaeTemplate(): Template {
  const LATENT = 20;
  const CLASSES = MNIST_CHOICE.classes;
  const encoder = network('Encoder', 'Encoder', '#059669', (n) => {
    const x = n.input('x', [784]);
    const y = n.input('y', [CLASSES]);
    const xy = n.add('concat', 'xy', { inputs: 2 }, { in0: x, in1: y });
    const h = n.add('dense', 'fc1', { units: 400, activation: 'relu', kernelInit: 'glorot-uniform' }, { x: xy });
    n.output('mean', n.add('dense', 'fc2_mean', { units: LATENT, kernelInit: 'glorot-uniform' }, { x: h }));
    n.output('logvar', n.add('dense', 'fc2_var', { units: LATENT, kernelInit: 'glorot-uniform' }, { x: h }));
  });
  const decoder = network('Decoder', 'Decoder', '#7c3aed', (n) => {
    const z = n.input('z', [LATENT]);
    const y = n.input('y', [CLASSES]);
    const zy = n.add('concat', 'zy', { inputs: 2 }, { in0: z, in1: y });
    const h = n.add('dense', 'fc3', { units: 400, activation: 'relu', kernelInit: 'glorot-uniform' }, { x: zy });
    n.output('x_hat', n.add('dense', 'fc4', { units: 784, activation: 'sigmoid', kernelInit: 'glorot-uniform' }, { x: h }));
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const labels = X.out('labels');
  const encoded = m.add('call', 'encode', { network: 'Encoder' }, { x: X, y: labels }, portId('mean'));
  const mean = encoded.out(portId('mean'));
  const logvar = encoded.out(portId('logvar'));
  const eps = m.add('noise', 'epsilon', { distribution: 'normal', mean: 0, stddev: 1, shape: [LATENT] }, {}, 'z');
  const z = m.add('reparameterize', 'reparametrize', {}, { mean, logvar, eps }, 'z');
  const recon = m.add('call', 'decode', { network: 'Decoder' }, { z, y: labels }, portId('x_hat'));
  const mse = m.add('mse', 'mse', { reduction: 'sum' }, { prediction: recon, target: X }, 'loss');
  const kld = m.add('gaussian-kl', 'kld', { reduction: 'sum', epsilon: 1e-8 }, { mean, logvar }, 'loss');
  const loss = m.add('weighted-sum', 'loss', { weights: [1, 1] }, { term0: mse, term1: kld }, 'loss');
  const solver = m.add('adam', 'solver', { networks: ['Encoder', 'Decoder'], learningRate: 1e-3 }, { loss });
  const prior = m.add('noise', 'z ~ N(0, I)', { distribution: 'normal', mean: 0, stddev: 1, shape: [LATENT] }, {}, 'z');
  const Y = m.add('labels', 'Y', { classes: CLASSES, mode: 'random' }, {}, 'labels');
  m.add('call', 'generate', { network: 'Decoder' }, { z: prior, y: Y }, portId('x_hat'));
  return {
    id: 'cvae',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'Conditional VAE',
      description:
        'A conditional variational autoencoder on MNIST (Sohn et al., 2015). Encoder: x(784) beside y one-hot -> 400 relu -> mean(20), logvar(20); ' +
        'z = eps * sqrt(exp(logvar)) + mean; Decoder: z beside y -> 400 relu -> 784 sigmoid; data in [0, 1]. ' +
        'Loss: sum((x - recon)^2) + KL(N(mean, exp(logvar)) || N(0, I)), Adam lr 1e-3. ' +
        'Sampling: z ~ N(0, I) with a chosen class Y through the decoder; the sample grid has one row per digit class, 0 at the top.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [encoder, decoder],
      training: {
        batchSize: 128,
        iterations: 10_000,
        seed: 0,
        sampleEvery: 500,
        // The grids are proposed from the graph: samples from the prior through the decoder, reconstructions x beside decode(encode(x)).
        schedule: [{ optimizer: solver.id, repeat: 1 }],
      },
    },
  };
}
