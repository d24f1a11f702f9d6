import * as tf from '@tensorflow/tfjs';
import { Tf1Adadelta, Tf1Adam } from './tf1-optimizers';

/**
 * The seed programs written by hand in plain tfjs, the way the seeds write
 * them: tf.variable + tf.matMul + optimizer.minimize. Used as the numerical
 * reference (with TF1 optimizers) and as the speed baseline (with tfjs's own).
 */
export type Feed = (name: 'X' | 'z', shape: number[]) => Float32Array;
export type OptimizerStyle = 'tf1' | 'tfjs';

export interface Handwritten {
  step(): Record<string, number>;
  dispose(): void;
}

const matmulLayer = (x: tf.Tensor, w: tf.Variable, b: tf.Variable) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
const log = (x: tf.Tensor) => tf.log(tf.add(x, 1e-8));

function variables(weights: ReadonlyMap<string, tf.Tensor>, names: Record<string, string>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(names).map(([short, full]) => [short, tf.tidy(() => tf.variable(weights.get(full)!.clone()))]));
}

/** Seed 002: G z(100)->128 relu->784 sigmoid; D 784->128 relu->1; Adadelta for D, Adam for G; batch 128. */
export function handwrittenGan(weights: ReadonlyMap<string, tf.Tensor>, feed: Feed, style: OptimizerStyle, batch = 128): Handwritten {
  const v = variables(weights, {
    G_W1: 'G/G_h1/W', G_b1: 'G/G_h1/b', G_W2: 'G/G_prob/W', G_b2: 'G/G_prob/b',
    D_W1: 'D/D_h1/W', D_b1: 'D/D_h1/b', D_W2: 'D/D_logit/W', D_b2: 'D/D_logit/b',
  });
  const theta_G = [v.G_W1!, v.G_b1!, v.G_W2!, v.G_b2!];
  const theta_D = [v.D_W1!, v.D_b1!, v.D_W2!, v.D_b2!];
  const generator = (z: tf.Tensor) => tf.sigmoid(matmulLayer(tf.relu(matmulLayer(z, v.G_W1!, v.G_b1!)), v.G_W2!, v.G_b2!));
  const discriminator = (x: tf.Tensor) => matmulLayer(tf.relu(matmulLayer(x, v.D_W1!, v.D_b1!)), v.D_W2!, v.D_b2!);
  const ce = (logits: tf.Tensor, label: number) => tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits);
  const D_solver = style === 'tf1' ? new Tf1Adadelta() : tf.train.adadelta(0.001, 0.95, 1e-8);
  const G_solver = style === 'tf1' ? new Tf1Adam() : tf.train.adam(0.001, 0.9, 0.999, 1e-8);
  return {
    step() {
      const X_mb = tf.tensor2d(feed('X', [batch, 784]), [batch, 784]);
      const z1 = tf.tensor2d(feed('z', [batch, 100]), [batch, 100]);
      const D_loss = D_solver.minimize(() => tf.add(ce(discriminator(X_mb), 1), ce(discriminator(generator(z1)), 0)) as tf.Scalar, true, theta_D)!;
      const z2 = tf.tensor2d(feed('z', [batch, 100]), [batch, 100]);
      const G_loss = G_solver.minimize(() => ce(discriminator(generator(z2)), 1) as tf.Scalar, true, theta_G)!;
      const losses = { D_loss: D_loss.dataSync()[0]!, G_loss: G_loss.dataSync()[0]! };
      tf.dispose([X_mb, z1, z2, D_loss, G_loss]);
      return losses;
    },
    dispose: () => {
      tf.dispose(Object.values(v));
      D_solver.dispose();
      G_solver.dispose();
    },
  };
}

/** Seeds 000/001: ALI with Q, P, D (shared by both calls), Adam(1e-3) for D and for Q+P; batch 32. */
export function handwrittenAli(weights: ReadonlyMap<string, tf.Tensor>, feed: Feed, style: OptimizerStyle, batch = 32): Handwritten {
  const v = variables(weights, {
    D_W1: 'D/D_h1/W', D_b1: 'D/D_h1/b', D_W2: 'D/D_prob/W', D_b2: 'D/D_prob/b',
    Q_W1: 'Q/Q_h1/W', Q_b1: 'Q/Q_h1/b', Q_W2: 'Q/Q_z/W', Q_b2: 'Q/Q_z/b',
    P_W1: 'P/P_h1/W', P_b1: 'P/P_h1/b', P_W2: 'P/P_x/W', P_b2: 'P/P_x/b',
  });
  const theta_G = [v.Q_W1!, v.Q_b1!, v.Q_W2!, v.Q_b2!, v.P_W1!, v.P_b1!, v.P_W2!, v.P_b2!];
  const theta_D = [v.D_W1!, v.D_b1!, v.D_W2!, v.D_b2!];
  const Q = (X: tf.Tensor) => matmulLayer(tf.relu(matmulLayer(X, v.Q_W1!, v.Q_b1!)), v.Q_W2!, v.Q_b2!);
  const P = (z: tf.Tensor) => tf.sigmoid(matmulLayer(tf.relu(matmulLayer(z, v.P_W1!, v.P_b1!)), v.P_W2!, v.P_b2!));
  const D = (X: tf.Tensor, z: tf.Tensor) => tf.sigmoid(matmulLayer(tf.relu(matmulLayer(tf.concat([X, z], 1), v.D_W1!, v.D_b1!)), v.D_W2!, v.D_b2!));
  const D_solver = style === 'tf1' ? new Tf1Adam(1e-3) : tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const G_solver = style === 'tf1' ? new Tf1Adam(1e-3) : tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const losses = (X: tf.Tensor, z: tf.Tensor) => {
    const D_enc = D(X, Q(X));
    const D_gen = D(P(z), z);
    return { D_enc, D_gen };
  };
  return {
    step() {
      const X_mb = tf.tensor2d(feed('X', [batch, 784]), [batch, 784]);
      const z_mb = tf.tensor2d(feed('z', [batch, 64]), [batch, 64]);
      const D_loss = D_solver.minimize(() => {
        const { D_enc, D_gen } = losses(X_mb, z_mb);
        return tf.neg(tf.mean(tf.add(log(D_enc), log(tf.sub(1, D_gen))))) as tf.Scalar;
      }, true, theta_D)!;
      const G_loss = G_solver.minimize(() => {
        const { D_enc, D_gen } = losses(X_mb, z_mb);
        return tf.neg(tf.mean(tf.add(log(D_gen), log(tf.sub(1, D_enc))))) as tf.Scalar;
      }, true, theta_G)!;
      const result = { D_loss: D_loss.dataSync()[0]!, G_loss: G_loss.dataSync()[0]! };
      tf.dispose([X_mb, z_mb, D_loss, G_loss]);
      return result;
    },
    dispose: () => {
      tf.dispose(Object.values(v));
      D_solver.dispose();
      G_solver.dispose();
    },
  };
}
