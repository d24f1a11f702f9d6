import { MNIST_CHOICE } from '../kinds/common';
import { ganObjective, network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** What separates the seed's MLP GAN from its tuned variant. */
export interface MlpGanOptions {
  id: string;
  name: string;
  description: string;
  /** Units of the one hidden layer of G and of D. */
  hidden: number;
  /** D's hidden activation. */
  dActivation: { fn: 'relu' } | { fn: 'leaky-relu'; alpha: number };
  /** D's optimizer (kind and params besides its networks), and G's. */
  dSolver: { kind: string; params: Record<string, unknown> };
  gSolver: { kind: string; params: Record<string, unknown> };
  /** One-sided label smoothing of D's real targets (0: none). */
  smoothing: number;
  iterations: number;
}

/** Seed 002's MLP GAN, with the knobs its tuned variant turns. */
export function mlpGan(o: MlpGanOptions): Template {
  const G = network('G', 'G', '#7c3aed', (n) => {
    const z = n.input('z', [100]);
    const h = n.add('dense', 'G_h1', { units: o.hidden, activation: 'relu' }, { x: z });
    const x = n.add('dense', 'G_prob', { units: 784, activation: 'sigmoid' }, { x: h });
    n.output('G(z)', x);
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const h =
      o.dActivation.fn === 'relu'
        ? n.add('dense', 'D_h1', { units: o.hidden, activation: 'relu' }, { x })
        : n.add('activation', 'D_act1', o.dActivation, { x: n.add('dense', 'D_h1', { units: o.hidden }, { x }) });
    const logit = n.add('dense', 'D_logit', { units: 1 }, { x: h });
    n.output('logit', logit);
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const Z = m.add('noise', 'Z', { distribution: 'uniform', low: -1, high: 1, shape: [100], draw: 'per-step' }, {}, 'z');
  const sample = m.add('call', 'G_sample', { network: 'G' }, { [portId('z')]: Z }, portId('G(z)'));
  const real = m.add('call', 'D_real', { network: 'D' }, { x: X }, 'logit');
  const fake = m.add('call', 'D_fake', { network: 'D' }, { x: sample }, 'logit');
  const { dSolver, gSolver } = ganObjective(m, { real, fake }, { d: o.dSolver, g: o.gSolver }, o.smoothing);
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
        batchSize: 128,
        iterations: o.iterations,
        seed: 0,
        sampleEvery: 1000,
        schedule: [
          { optimizer: dSolver.id, repeat: 1 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
        previews: { samples: { node: sample.node, port: sample.port, range: '0..1' } },
      },
    },
  };
}

/** Seed 002: the vanilla MLP GAN. */
export function ganTemplate(): Template {
  return mlpGan({
    id: 'gan',
    name: 'Vanilla GAN',
    description:
      'Seed 002. G: z(100) -> 128 relu -> 784 sigmoid; D: 784 -> 128 relu -> 1 logit, one D for real and fake. ' +
      'D_loss = CE(D(x), 1) + CE(D(G(z)), 0) with TF1 Adadelta over D; G_loss = CE(D(G(z)), 1) with TF1 Adam over G. ' +
      'Batch 128, z ~ U(-1, 1) drawn anew for the D step and the G step; MNIST in [0, 1]. The seed runs 1,000,000 iterations; ' +
      'this template stops at 10,000, as the others do (set Iterations in the training panel for the seed\'s whole run).',
    hidden: 128,
    dActivation: { fn: 'relu' },
    dSolver: { kind: 'adadelta', params: {} },
    gSolver: { kind: 'adam', params: {} },
    smoothing: 0,
    // The seed's 1,000,000 is days in a browser: a newcomer's first run should end.
    iterations: 10_000,
  });
}
