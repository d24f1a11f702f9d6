import * as tf from '@tensorflow/tfjs';

/**
 * Independent, plain re-statements of TF1's update rules as tfjs Optimizers,
 * so the hand-written reference programs can call `optimizer.minimize` exactly
 * as the seeds call `solver.minimize`. Deliberately written apart from
 * lib/kinds/optimizers: the fidelity tests compare the two.
 */
abstract class Tf1Optimizer extends tf.Optimizer {
  private slots = new Map<string, tf.Variable[]>();
  protected t = 0;

  protected abstract slotCount: number;
  protected abstract update(v: tf.Tensor, g: tf.Tensor, slots: tf.Variable[]): tf.Tensor;

  applyGradients(grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    this.t += 1;
    for (const { name, tensor: g } of list) {
      const v = tf.engine().registeredVariables[name]!;
      let slots = this.slots.get(name);
      if (!slots) {
        slots = Array.from({ length: this.slotCount }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
        this.slots.set(name, slots);
      }
      tf.tidy(() => v.assign(this.update(v, g, slots)));
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

export class Tf1Adam extends Tf1Optimizer {
  static className = 'Tf1Adam';
  protected slotCount = 2;
  constructor(
    private lr = 0.001,
    private beta1 = 0.9,
    private beta2 = 0.999,
    private eps = 1e-8,
  ) {
    super();
  }
  protected update(v: tf.Tensor, g: tf.Tensor, [m, s]: tf.Variable[]): tf.Tensor {
    const lrT = (this.lr * Math.sqrt(1 - this.beta2 ** this.t)) / (1 - this.beta1 ** this.t);
    m!.assign(m!.mul(this.beta1).add(g.mul(1 - this.beta1)));
    s!.assign(s!.mul(this.beta2).add(g.square().mul(1 - this.beta2)));
    return v.sub(m!.mul(lrT).div(s!.sqrt().add(this.eps)));
  }
}

export class Tf1Adadelta extends Tf1Optimizer {
  static className = 'Tf1Adadelta';
  protected slotCount = 2;
  constructor(
    private lr = 0.001,
    private rho = 0.95,
    private eps = 1e-8,
  ) {
    super();
  }
  protected update(v: tf.Tensor, g: tf.Tensor, [accum, accumUpdate]: tf.Variable[]): tf.Tensor {
    accum!.assign(accum!.mul(this.rho).add(g.square().mul(1 - this.rho)));
    const step = accumUpdate!.add(this.eps).sqrt().div(accum!.add(this.eps).sqrt()).mul(g);
    accumUpdate!.assign(accumUpdate!.mul(this.rho).add(step.square().mul(1 - this.rho)));
    return v.sub(step.mul(this.lr));
  }
}
