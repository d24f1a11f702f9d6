import type * as tfjs from '@tensorflow/tfjs';
import { opsFor, type TF, type Tensor } from '../../lib/runtime/ops';
import { adadelta, adam, type OptimizerUpdater } from '../../lib/runtime/optimizers';
import type { Feed, Handwritten } from '../../tests/reference/handwritten';

/**
 * The gan and ali seeds written by hand in tfjs as well as we know how: the
 * runtime's fast dense layers (fused forward, plain-matMul backward, only the
 * gradients each step needs) and its TF1 optimizers (small variables updated
 * as one vector), wired directly, each step computing its own forward pass.
 * What the compiled program must beat: it runs the same kernels through an
 * interpreter, and wins only by sharing work between steps and by reading
 * its losses once per iteration.
 */
const weightsOf = (tf: TF, weights: ReadonlyMap<string, Tensor>, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, tf.tidy(() => tf.variable(weights.get(name)!.clone()))])) as Record<string, tfjs.Variable>;

/** One optimizer step: the loss and its gradients for `vars`, then the update; the loss before it, unread. */
function minimize(tf: TF, solver: OptimizerUpdater, vars: tfjs.Variable[], loss: () => Tensor): Tensor {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss as () => tfjs.Scalar, vars);
    solver.apply(vars.map((v) => grads[v.name]));
    return value;
  });
}

function stepper(tf: TF, losses: () => Record<string, Tensor>, dispose: () => void): Handwritten {
  return {
    step() {
      const tensors = losses();
      const names = Object.keys(tensors);
      const stacked = tf.stack(Object.values(tensors));
      const values = stacked.dataSync();
      tf.dispose([stacked, ...Object.values(tensors)]);
      return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
    },
    dispose,
  };
}

/** Seed 002: G z(100)->128 relu->784 sigmoid; D 784->128 relu->1 logit; TF1 Adadelta for D, TF1 Adam for G. */
export function fastGan(tf: TF, weights: ReadonlyMap<string, Tensor>, feed: Feed, batch = 128): Handwritten {
  const ops = opsFor(tf);
  const w = weightsOf(tf, weights, ['G/G_h1/W', 'G/G_h1/b', 'G/G_prob/W', 'G/G_prob/b', 'D/D_h1/W', 'D/D_h1/b', 'D/D_logit/W', 'D/D_logit/b']);
  const thetaG = ['G/G_h1/W', 'G/G_h1/b', 'G/G_prob/W', 'G/G_prob/b'].map((n) => w[n]!);
  const thetaD = ['D/D_h1/W', 'D/D_h1/b', 'D/D_logit/W', 'D/D_logit/b'].map((n) => w[n]!);
  const G = (z: Tensor, train: boolean) => ops.dense(ops.dense(z, w['G/G_h1/W']!, w['G/G_h1/b']!, 'relu', { inputs: false, weights: train }), w['G/G_prob/W']!, w['G/G_prob/b']!, 'sigmoid', { inputs: train, weights: train });
  const D = (x: Tensor, train: boolean, input: boolean) =>
    ops.dense(ops.dense(x, w['D/D_h1/W']!, w['D/D_h1/b']!, 'relu', { inputs: input, weights: train }), w['D/D_logit/W']!, w['D/D_logit/b']!, 'linear', { inputs: input || train, weights: train });
  const dSolver = adadelta(tf, thetaD, { learningRate: 0.001, rho: 0.95, epsilon: 1e-8 });
  const gSolver = adam(tf, thetaG, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  return stepper(
    tf,
    () => {
      const x = tf.tensor2d(feed('X', [batch, 784]), [batch, 784]);
      const z1 = tf.tensor2d(feed('z', [batch, 100]), [batch, 100]);
      const dLoss = minimize(tf, dSolver, thetaD, () => tf.add(ops.sigmoidCrossEntropy(D(x, true, false), 1), ops.sigmoidCrossEntropy(D(G(z1, false), true, false), 0)));
      const z2 = tf.tensor2d(feed('z', [batch, 100]), [batch, 100]);
      const gLoss = minimize(tf, gSolver, thetaG, () => ops.sigmoidCrossEntropy(D(G(z2, true), false, true), 1));
      tf.dispose([x, z1, z2]);
      return { D_loss: dLoss, G_loss: gLoss };
    },
    () => {
      tf.dispose(Object.values(w));
      dSolver.dispose();
      gSolver.dispose();
    },
  );
}

/** Seeds 000/001: ALI with Q, P and one D for D(x, Q(x)) and D(P(z), z); TF1 Adam(1e-3) for D and for Q and P. */
export function fastAli(tf: TF, weights: ReadonlyMap<string, Tensor>, feed: Feed, batch = 32): Handwritten {
  const ops = opsFor(tf);
  const names = ['D/D_h1/W', 'D/D_h1/b', 'D/D_prob/W', 'D/D_prob/b', 'Q/Q_h1/W', 'Q/Q_h1/b', 'Q/Q_z/W', 'Q/Q_z/b', 'P/P_h1/W', 'P/P_h1/b', 'P/P_x/W', 'P/P_x/b'];
  const w = weightsOf(tf, weights, names);
  const thetaD = names.slice(0, 4).map((n) => w[n]!);
  const thetaG = names.slice(4).map((n) => w[n]!);
  const Q = (x: Tensor, train: boolean) => ops.dense(ops.dense(x, w['Q/Q_h1/W']!, w['Q/Q_h1/b']!, 'relu', { inputs: false, weights: train }), w['Q/Q_z/W']!, w['Q/Q_z/b']!, 'linear', { inputs: train, weights: train });
  const P = (z: Tensor, train: boolean) => ops.dense(ops.dense(z, w['P/P_h1/W']!, w['P/P_h1/b']!, 'relu', { inputs: false, weights: train }), w['P/P_x/W']!, w['P/P_x/b']!, 'sigmoid', { inputs: train, weights: train });
  const D = (x: Tensor, z: Tensor, train: boolean, input: boolean) =>
    ops.dense(ops.dense(tf.concat([x, z], 1), w['D/D_h1/W']!, w['D/D_h1/b']!, 'relu', { inputs: input, weights: train }), w['D/D_prob/W']!, w['D/D_prob/b']!, 'sigmoid', { inputs: input || train, weights: train });
  const log = (t: Tensor) => tf.log(tf.add(t, 1e-8));
  const dSolver = adam(tf, thetaD, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const gSolver = adam(tf, thetaG, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  return stepper(
    tf,
    () => {
      const x = tf.tensor2d(feed('X', [batch, 784]), [batch, 784]);
      const z = tf.tensor2d(feed('z', [batch, 64]), [batch, 64]);
      const dLoss = minimize(tf, dSolver, thetaD, () => {
        const enc = D(x, Q(x, false), true, false);
        const gen = D(P(z, false), z, true, false);
        return tf.neg(tf.mean(tf.add(log(enc), log(tf.sub(1, gen)))));
      });
      const gLoss = minimize(tf, gSolver, thetaG, () => {
        const enc = D(x, Q(x, true), false, true);
        const gen = D(P(z, true), z, false, true);
        return tf.neg(tf.mean(tf.add(log(gen), log(tf.sub(1, enc)))));
      });
      tf.dispose([x, z]);
      return { D_loss: dLoss, G_loss: gLoss };
    },
    () => {
      tf.dispose(Object.values(w));
      dSolver.dispose();
      gSolver.dispose();
    },
  );
}
