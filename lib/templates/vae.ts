import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION, type PortRef } from '../graph/schema';

/** What separates the seed's VAE from the beta-VAE. */
export interface VaeOptions {
  id: string;
  name: string;
  description: string;
  /** The weight on the KL term (1: the seed's VAE). */
  beta: number;
  /**
   * How the decoder's output is scored against the data: the seed's squared
   * error on a tanh output, data in [-1, 1]; or Bernoulli, cross-entropy of
   * the decoder's logits, data in [0, 1] (grids show sigmoid of the logits).
   */
  likelihood: 'squared-error' | 'bernoulli';
  /** Units of the encoder's hidden layers, in order (the decoder mirrors them); the seed's: [400]. */
  hidden: number[];
}

/** Seed 004: the variational autoencoder. */
export function vaeTemplate(): Template {
  return vae({
    id: 'vae',
    name: 'Variational autoencoder',
    description:
      'Seed 004. Encoder: 784 -> 400 relu -> mean(20), logvar(20); z = eps * sqrt(exp(logvar)) + mean; Decoder: 20 -> 400 relu -> 784 tanh; data in [-1, 1]. ' +
      'Loss: sum((x - recon)^2) + 0.5 * sum(mean^2 + std^2 - 2 log(std + 1e-8) - 1). Weights: slim\'s Xavier (Glorot) uniform. ' +
      'Open in the seed, chosen here: one eps per sample (the seed draws one eps for the whole batch: turn off "per sample" on epsilon for that), Adam lr 1e-3, batch 128. ' +
      'Sampling N(0, I) through the decoder generates new digits.',
    beta: 1,
    likelihood: 'squared-error',
    hidden: [400],
  });
}

/** The seed's VAE, deeper, with the Bernoulli decoder of Kingma and Welling's MNIST experiments. */
export function vaeTunedTemplate(): Template {
  return vae({
    id: 'vae-tuned',
    name: 'Tuned VAE',
    description:
      'The VAE (seed 004) tuned for sharper samples (Fréchet distance 220 against the seed\'s 296 after 2,000 iterations). What changed, and why: ' +
      '(1) Two hidden layers each way, 784 -> 512 -> 256 relu -> mean(20), logvar(20) and 20 -> 256 -> 512 relu -> 784: ' +
      'one layer of 400 units cannot map a 20-number code onto the shapes of ten digits, and its samples blur between them. ' +
      '(2) A Bernoulli decoder, as Kingma and Welling (2014) train it on MNIST: it outputs logits, and the reconstruction loss is their binary cross-entropy against the pixels, summed. ' +
      'MNIST\'s pixels are nearly black or white, which a Bernoulli likelihood models; the seed\'s squared error on a tanh output is a Gaussian of fixed variance ' +
      'whose weight against the KL term is arbitrary. Data in [0, 1], the range it needs; the grids show sigmoid of the logits, the pixel probabilities. ' +
      'Unchanged: the 20-number code, one eps per sample, the KL term, Adam lr 1e-3, batch 128.',
    beta: 1,
    likelihood: 'bernoulli',
    hidden: [512, 256],
  });
}

/** The seed's VAE with a weight beta on the KL term (Higgins et al. 2017). */
export function betaVaeTemplate(): Template {
  return vae({
    id: 'beta-vae',
    name: 'beta-VAE',
    description:
      'The VAE (seed 004) with beta = 4 on the KL term: loss = sum((x - recon)^2) + 4 * KL (Higgins et al. 2017). ' +
      'A heavier KL pulls the posterior towards the prior: fewer latent units stay active (the panel charts them), each tends to capture one factor ' +
      '(stroke width, slant), reconstructions blur and samples from N(0, I) look more like the reconstructions. Raise beta further to see KL collapse diagnosed. ' +
      'Change the weight on the "loss" node (its second term) to try others. Everything else is the seed\'s VAE.',
    beta: 4,
    likelihood: 'squared-error',
    hidden: [400],
  });
}

export function vae(o: VaeOptions): Template {
  const LATENT = 20;
  const bernoulli = o.likelihood === 'bernoulli';
  const range = bernoulli ? '0..1' : '-1..1';
  const encoder = network('Encoder', 'Encoder', '#059669', (n) => {
    const x = n.input('x', [784]);
    const h = o.hidden.reduce<PortRef>((x, units, i) => n.add('dense', i === 0 ? 'fc1' : `fc1_${i + 1}`, { units, activation: 'relu', kernelInit: 'glorot-uniform' }, { x }), x);
    n.output('mean', n.add('dense', 'fc2_mean', { units: LATENT, kernelInit: 'glorot-uniform' }, { x: h }));
    n.output('logvar', n.add('dense', 'fc2_var', { units: LATENT, kernelInit: 'glorot-uniform' }, { x: h }));
  });
  const decoder = network('Decoder', 'Decoder', '#7c3aed', (n) => {
    const z = n.input('z', [LATENT]);
    const h = [...o.hidden].reverse().reduce<PortRef>((x, units, i) => n.add('dense', i === 0 ? 'fc3' : `fc3_${i + 1}`, { units, activation: 'relu', kernelInit: 'glorot-uniform' }, { x }), z);
    n.output('x_hat', n.add('dense', 'fc4', { units: 784, activation: bernoulli ? 'linear' : 'tanh', kernelInit: 'glorot-uniform' }, { x: h }));
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range, layout: 'flat' }, {}, 'images');
  const encoded = m.add('call', 'encode', { network: 'Encoder' }, { x: X }, portId('mean'));
  const mean = encoded.out(portId('mean'));
  const logvar = encoded.out(portId('logvar'));
  const eps = m.add('noise', 'epsilon', { distribution: 'normal', mean: 0, stddev: 1, shape: [LATENT] }, {}, 'z');
  const z = m.add('reparameterize', 'reparametrize', {}, { mean, logvar, eps }, 'z');
  const recon = m.add('call', 'decode', { network: 'Decoder' }, { z }, portId('x_hat'));
  const reconstruction = bernoulli
    ? m.add('binary-cross-entropy', 'bce', { reduction: 'sum' }, { logits: recon, target: X }, 'loss')
    : m.add('mse', 'mse', { reduction: 'sum' }, { prediction: recon, target: X }, 'loss');
  const kld = m.add('gaussian-kl', 'kld', { reduction: 'sum', epsilon: 1e-8 }, { mean, logvar }, 'loss');
  const loss = m.add('weighted-sum', 'loss', { weights: [1, o.beta] }, { term0: reconstruction, term1: kld }, 'loss');
  const solver = m.add('adam', 'solver', { networks: ['Encoder', 'Decoder'], learningRate: 1e-3 }, { loss });
  const prior = m.add('noise', 'z ~ N(0, I)', { distribution: 'normal', mean: 0, stddev: 1, shape: [LATENT] }, {}, 'z');
  const generated = m.add('call', 'generate', { network: 'Decoder' }, { z: prior }, portId('x_hat'));
  // A Bernoulli decoder's grids show its pixel probabilities.
  const probabilities = (label: string, logits: PortRef) => (bernoulli ? m.add('activation', label, { fn: 'sigmoid' }, { x: logits }) : logits);
  const samples = probabilities('sigmoid(generate)', generated);
  const reconstructed = probabilities('sigmoid(decode)', recon);
  return {
    id: o.id,
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: o.name,
      description: o.description,
      nodes: m.nodes,
      edges: m.edges,
      networks: [encoder, decoder],
      training: {
        batchSize: 128,
        iterations: 10_000,
        seed: 0,
        sampleEvery: 1000,
        schedule: [{ optimizer: solver.id, repeat: 1 }],
        previews: {
          samples: { node: samples.node, port: samples.port, range },
          reconstructions: { node: reconstructed.node, port: reconstructed.port, range, input: { node: X.node, port: X.port } },
        },
      },
    },
  };
}
