import { MNIST_CHOICE } from '../kinds/common';
import { ganObjective, network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

interface CganOptions {
  id: string;
  name: string;
  description: string;
  /** G's hidden layers, in order. */
  gHidden: number[];
  /** D's hidden layers, in order; their last is phi(x), the features the class is compared with. */
  dHidden: number[];
  /**
   * How D sees the class: beside the image as a one-hot (concatenated at the
   * input), or projected: logit = psi(phi(x)) + <embed(y), phi(x)> (a
   * projection discriminator), which cannot ignore the class.
   */
  condition: 'concat' | 'projection';
  learningRate: number;
  /** One-sided label smoothing of D's real targets (0: none). */
  smoothing: number;
  iterations: number;
}

function conditionalGan(o: CganOptions): Template {
  const CLASSES = MNIST_CHOICE.classes;
  const leaky = o.condition === 'projection';
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('z', [100]);
    const y = n.input('y', [CLASSES]);
    const e = n.add('embedding', 'G_label', { size: CLASSES }, { labels: y });
    let h = n.add('concat', 'G_zy', { inputs: 2 }, { in0: z, in1: e });
    o.gHidden.forEach((units, i) => (h = n.add('dense', `G_h${i + 1}`, { units, activation: 'relu' }, { x: h })));
    n.output('G(z, y)', n.add('dense', 'G_prob', { units: 784, activation: 'sigmoid' }, { x: h }));
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const y = n.input('y', [CLASSES]);
    let h = o.condition === 'concat' ? n.add('concat', 'D_xy', { inputs: 2 }, { in0: x, in1: y }) : x;
    o.dHidden.forEach((units, i) => {
      h = leaky
        ? n.add('activation', `D_act${i + 1}`, { fn: 'leaky-relu', alpha: 0.2 }, { x: n.add('dense', `D_h${i + 1}`, { units }, { x: h }) })
        : n.add('dense', `D_h${i + 1}`, { units, activation: 'relu' }, { x: h });
    });
    const psi = n.add('dense', 'D_logit', { units: 1 }, { x: h });
    if (o.condition === 'concat') {
      n.output('logit', psi);
    } else {
      const embedded = n.add('embedding', 'D_label', { size: o.dHidden[o.dHidden.length - 1] }, { labels: y });
      const projection = n.add('dot', 'D_projection', {}, { a: embedded, b: h });
      n.output('logit', n.add('add', 'D_score', {}, { a: psi, b: projection }));
    }
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const Z = m.add('noise', 'Z', { distribution: 'uniform', low: -1, high: 1, shape: [100], draw: 'per-step' }, {}, 'z');
  const Y = m.add('labels', 'Y', { classes: CLASSES, mode: 'random', draw: 'per-step' }, {}, 'labels');
  const sample = m.add('call', 'G_sample', { network: 'G' }, { [portId('z')]: Z, [portId('y')]: Y }, portId('G(z, y)'));
  const real = m.add('call', 'D_real', { network: 'D' }, { x: X, y: X.out('labels') }, 'logit');
  const fake = m.add('call', 'D_fake', { network: 'D' }, { x: sample, y: Y }, 'logit');
  const adam = { kind: 'adam', params: { learningRate: o.learningRate, beta1: 0.5 } };
  const { dSolver, gSolver } = ganObjective(m, { real, fake }, { d: adam, g: adam }, o.smoothing);
  return {
    id: o.id,
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: o.name,
      description: o.description,
      nodes: m.nodes,
      edges: m.edges,
      networks: [G, D],
      training: {
        batchSize: 64,
        iterations: o.iterations,
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

/** A conditional GAN (Mirza and Osindero, 2014) on MNIST: G and D both see the class. */
export function cganTemplate(): Template {
  return conditionalGan({
    id: 'cgan',
    name: 'Conditional GAN',
    description:
      'A conditional GAN on MNIST (Mirza and Osindero, 2014), as an MLP. G: z(100) beside a learned 10-value embedding of the class y -> 256 relu -> 784 sigmoid; ' +
      "D: x(784) beside y one-hot -> 256 relu -> 1 logit. Real images come with their labels; fakes with a random class Y, the same for G and D. " +
      'D_loss = CE(D(x, y), 1) + CE(D(G(z, Y), Y), 0); G_loss = CE(D(G(z, Y), Y), 1); Adam lr 2e-4, beta1 0.5 for both, as DCGAN-era GANs train. ' +
      'The sample grid has one row per digit class, 0 at the top.',
    gHidden: [256],
    dHidden: [256],
    condition: 'concat',
    learningRate: 2e-4,
    smoothing: 0,
    iterations: 20_000,
  });
}

/** The conditional GAN with a projection discriminator: digits of the class asked for. */
export function cganTunedTemplate(): Template {
  return conditionalGan({
    id: 'cgan-tuned',
    name: 'Tuned conditional GAN',
    description:
      'The conditional GAN tuned so that each sample is the digit asked for. What changed, and why: ' +
      '(1) A projection discriminator (Miyato and Koyama, 2018): D computes features phi(x) of the image alone, and its logit is psi(phi(x)) + <embed(y), phi(x)>, ' +
      'a learned vector per class dotted with the features. Beside a one-hot at the input, D can judge realism and ignore the class; projected, every logit asks "is this a real y?". ' +
      '(2) D: 784 -> 512 -> 256, leaky ReLU (slope 0.2); G: z(100) beside the class embedding -> 256 -> 512 relu -> 784 sigmoid: more capacity for ten digit shapes. ' +
      '(3) Adam lr 1e-3, beta1 0.5, and one-sided label smoothing (real target 0.9), as the tuned GAN trains. ' +
      'Unchanged: the non-saturating G loss, z ~ U(-1, 1), a random class Y shared by G and D for fakes, batch 64. The sample grid has one row per digit class, 0 at the top.',
    gHidden: [256, 512],
    dHidden: [512, 256],
    condition: 'projection',
    learningRate: 1e-3,
    smoothing: 0.1,
    iterations: 10_000,
  });
}
