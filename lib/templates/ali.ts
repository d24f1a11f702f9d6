import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** What separates the seeds' ALI from its tuned variant. */
export interface AliOptions {
  id: string;
  name: string;
  description: string;
  /** Hidden units of Q, P and D. */
  hidden: number;
  /** D's hidden activation. */
  dActivation: 'relu' | 'leaky-relu';
  /** Adam for D and for Q and P. */
  adam: { learningRate: number; beta1: number };
  batchSize: number;
  iterations: number;
}

/** Seeds 000, 001 and 003: adversarially learned inference. */
export function aliTemplate(): Template {
  return ali({
    id: 'ali',
    name: 'ALI (adversarially learned inference)',
    description:
      'Seeds 000/001/003. Q: x -> 128 relu -> z_hat(64); P: z -> 128 relu -> 784 sigmoid; D(x, z): concat(848) -> 128 relu -> 1 sigmoid, ' +
      'one D for D(x, Q(x)) and D(P(z), z). D_loss = -mean(log(D_enc + 1e-8) + log(1 - D_gen + 1e-8)) with Adam(1e-3) over D; ' +
      'G_loss = -mean(log(D_gen + 1e-8) + log(1 - D_enc + 1e-8)) with Adam(1e-3) over Q and P. Batch 32, z ~ U(-1, 1); ' +
      'each iteration uses one x batch and one z batch for both steps. The seed declares d_steps = 3 but its loop runs one D step, ' +
      "then one G step: so does this schedule (set the D step's repeat to 3 for the other reading). P(Q(x)) shows reconstructions.",
    hidden: 128,
    dActivation: 'relu',
    adam: { learningRate: 1e-3, beta1: 0.9 },
    batchSize: 32,
    iterations: 100_000,
  });
}

/** ALI with the knobs its tuned variant turns. */
export function ali(o: AliOptions): Template {
  const Q = network('Q', 'Q', '#059669', (n) => {
    const x = n.input('x', [784]);
    const h = n.add('dense', 'Q_h1', { units: o.hidden, activation: 'relu' }, { x });
    const z = n.add('dense', 'Q_z', { units: 64 }, { x: h });
    n.output('z_hat', z);
  });
  const P = network('P', 'P', '#7c3aed', (n) => {
    const z = n.input('z', [64]);
    const h = n.add('dense', 'P_h1', { units: o.hidden, activation: 'relu' }, { x: z });
    const x = n.add('dense', 'P_x', { units: 784, activation: 'sigmoid' }, { x: h });
    n.output('x_hat', x);
  });
  const D = network('D', 'D', '#0891b2', (n) => {
    const x = n.input('x', [784]);
    const z = n.input('z', [64]);
    const xz = n.add('concat', 'inputs', { inputs: 2 }, { in0: x, in1: z });
    const h =
      o.dActivation === 'relu'
        ? n.add('dense', 'D_h1', { units: o.hidden, activation: 'relu' }, { x: xz })
        : n.add('activation', 'D_act1', { fn: 'leaky-relu', alpha: 0.2 }, { x: n.add('dense', 'D_h1', { units: o.hidden }, { x: xz }) });
    const p = n.add('dense', 'D_prob', { units: 1, activation: 'sigmoid' }, { x: h });
    n.output('D', p);
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '0..1', layout: 'flat' }, {}, 'images');
  const z = m.add('noise', 'z', { distribution: 'uniform', low: -1, high: 1, shape: [64] }, {}, 'z');
  const zHat = m.add('call', 'z_hat', { network: 'Q' }, { x: X }, portId('z_hat'));
  const xHat = m.add('call', 'X_hat', { network: 'P' }, { z }, portId('x_hat'));
  const dEnc = m.add('call', 'D_enc', { network: 'D' }, { x: X, z: zHat }, 'D');
  const dGen = m.add('call', 'D_gen', { network: 'D' }, { x: xHat, z }, 'D');
  const log = (label: string, p: { node: string; port: string }, target: 'ones' | 'zeros') =>
    m.add('log-loss', label, { target, epsilon: 1e-8 }, { p }, 'loss');
  const dLoss = m.add('weighted-sum', 'D_loss', { weights: [1, 1] }, { term0: log('log D_enc', dEnc, 'ones'), term1: log('log 1 - D_gen', dGen, 'zeros') }, 'loss');
  const gLoss = m.add('weighted-sum', 'G_loss', { weights: [1, 1] }, { term0: log('log D_gen', dGen, 'ones'), term1: log('log 1 - D_enc', dEnc, 'zeros') }, 'loss');
  // The seed's Adam keeps TF1's default beta1 (0.9), which the document leaves out.
  const adam = o.adam.beta1 === 0.9 ? { learningRate: o.adam.learningRate } : o.adam;
  const dSolver = m.add('adam', 'D_solver', { networks: ['D'], ...adam }, { loss: dLoss });
  const gSolver = m.add('adam', 'G_solver', { networks: ['Q', 'P'], ...adam }, { loss: gLoss });
  const recon = m.add('call', 'P(Q(x))', { network: 'P' }, { z: zHat }, portId('x_hat'));
  return {
    id: o.id,
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: o.name,
      description: o.description,
      nodes: m.nodes,
      edges: m.edges,
      networks: [Q, P, D],
      training: {
        batchSize: o.batchSize,
        iterations: o.iterations,
        seed: 0,
        sampleEvery: 1000,
        schedule: [
          { optimizer: dSolver.id, repeat: 1 },
          { optimizer: gSolver.id, repeat: 1 },
        ],
        previews: {
          samples: { node: xHat.node, port: xHat.port, range: '0..1' },
          reconstructions: { node: recon.node, port: recon.port, range: '0..1', input: { node: X.node, port: X.port } },
        },
      },
    },
  };
}
