import type * as tfjs from '@tensorflow/tfjs';
import type { TF, Tensor } from './ops';

/**
 * Optimizers with TF1's update rules. Runtime: imports nothing from Netloom,
 * so the exporter ships this file verbatim and exported projects update
 * weights exactly as the app does.
 */
export interface OptimizerUpdater {
  /** Applies one update with gradients in the order of the variables given (undefined: not reached by the loss). */
  apply(grads: readonly (Tensor | undefined)[]): void;
  /** The optimizer's own state (its step count and slot variables), for checkpoints that resume exactly. */
  state(): OptimizerState;
  restore(state: OptimizerState): void;
  dispose(): void;
}

export interface OptimizerState {
  step: number;
  /** Slot values in a fixed order (per group of variables, per slot). */
  slots: Tensor[];
}

type Rule = (g: Tensor, slots: Tensor[], step: number, c: (x: number) => Tensor) => { delta: Tensor; slots: Tensor[] };

/** Variables up to this many elements share one flat update; larger ones get their own. */
export const SHARED_UPDATE_MAX = 16_384;

/** The sizes (elements) of the groups variables of these sizes are updated in: an update's temporaries scale with the largest. */
export function updateGroupSizes(sizes: readonly number[]): number[] {
  const small = sizes.filter((n) => n <= SHARED_UPDATE_MAX);
  return [...sizes.filter((n) => n > SHARED_UPDATE_MAX), ...(small.length ? [small.reduce((a, b) => a + b, 0)] : [])];
}

/**
 * Builds an updater from slots and one update rule. tfjs pays a fixed cost
 * per op, which dominates for biases and small kernels, so all small
 * variables are updated as one flat vector (one concat in, one slice out per
 * variable); large ones, where copying would cost more than the op overhead,
 * are updated on their own. Per-element arithmetic is the same either way.
 * A weight the loss does not reach gets a zero gradient, which leaves it
 * unchanged as TF1 does. `c(x)` returns a cached scalar tensor (faster than a
 * JS number on wasm).
 */
function slotUpdater(
  tf: TF,
  variables: readonly tfjs.Variable[],
  slots: readonly { init: 'zeros' | 'ones' }[],
  rule: Rule,
): OptimizerUpdater {
  const indexed = variables.map((variable, index) => ({ variable, index }));
  const small = indexed.filter(({ variable }) => variable.size <= SHARED_UPDATE_MAX);
  const groups = [...indexed.filter(({ variable }) => variable.size > SHARED_UPDATE_MAX).map((member) => [member]), ...(small.length ? [small] : [])].map(
    (members) => {
      const total = members.reduce((n, { variable }) => n + variable.size, 0);
      const state = slots.map(({ init }) => tf.tidy(() => tf.variable(init === 'zeros' ? tf.zeros([total]) : tf.ones([total]), false)));
      return { members, state };
    },
  );
  const constants = new Map<number, Tensor>();
  const c = (x: number) => {
    let t = constants.get(x);
    if (!t) {
      t = tf.keep(tf.scalar(x));
      constants.set(x, t);
    }
    return t;
  };
  let step = 0;
  return {
    apply(grads) {
      step += 1;
      // One tidy per group: an update's temporaries (a dozen of its size for Adam) are freed before the next group's.
      for (const { members, state } of groups) {
        tf.tidy(() => {
          const flatGrads = members.map(({ variable, index }) => (grads[index] ? tf.reshape(grads[index]!, [-1]) : tf.zeros([variable.size])));
          const next = rule(flatGrads.length === 1 ? flatGrads[0]! : tf.concat(flatGrads), state, step, c);
          next.slots.forEach((s, k) => state[k]!.assign(s));
          let offset = 0;
          for (const { variable } of members) {
            const delta = members.length === 1 ? next.delta : tf.slice(next.delta, offset, variable.size);
            variable.assign(tf.sub(variable, tf.reshape(delta, variable.shape)));
            offset += variable.size;
          }
        });
      }
    },
    state: () => ({ step, slots: groups.flatMap(({ state }) => state) }),
    restore(saved) {
      const mine = groups.flatMap(({ state }) => state);
      if (saved.slots.length !== mine.length) throw new Error(`optimizer state has ${saved.slots.length} slots, expected ${mine.length}`);
      mine.forEach((slot, k) => {
        const value = saved.slots[k]!;
        if (value.size !== slot.size) throw new Error(`optimizer slot ${k} has ${value.size} values, expected ${slot.size}`);
        tf.tidy(() => slot.assign(tf.reshape(value, slot.shape)));
      });
      step = saved.step;
    },
    dispose: () => {
      groups.forEach(({ state }) => state.forEach((v) => v.dispose()));
      constants.forEach((t) => t.dispose());
    },
  };
}

/** TF1's AdamOptimizer: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); var -= lr_t * m / (sqrt(v) + eps). */
export function adam(tf: TF, variables: readonly tfjs.Variable[], p: { learningRate: number; beta1: number; beta2: number; epsilon: number }): OptimizerUpdater {
  return slotUpdater(tf, variables, [{ init: 'zeros' }, { init: 'zeros' }], (g, [m, s], t, c) => {
    const lrT = (p.learningRate * Math.sqrt(1 - p.beta2 ** t)) / (1 - p.beta1 ** t);
    const m1 = tf.add(tf.mul(m!, c(p.beta1)), tf.mul(g, c(1 - p.beta1)));
    const s1 = tf.add(tf.mul(s!, c(p.beta2)), tf.mul(tf.square(g), c(1 - p.beta2)));
    return { delta: tf.div(tf.mul(m1, lrT), tf.add(tf.sqrt(s1), c(p.epsilon))), slots: [m1, s1] };
  });
}

/** TF1's (and PyTorch's) Adadelta: the accumulator is updated first and the step divides by the NEW one. */
export function adadelta(tf: TF, variables: readonly tfjs.Variable[], p: { learningRate: number; rho: number; epsilon: number }): OptimizerUpdater {
  return slotUpdater(tf, variables, [{ init: 'zeros' }, { init: 'zeros' }], (g, [accum, accumUpdate], _t, c) => {
    const accum1 = tf.add(tf.mul(accum!, c(p.rho)), tf.mul(tf.square(g), c(1 - p.rho)));
    const update = tf.mul(tf.div(tf.sqrt(tf.add(accumUpdate!, c(p.epsilon))), tf.sqrt(tf.add(accum1, c(p.epsilon)))), g);
    const accumUpdate1 = tf.add(tf.mul(accumUpdate!, c(p.rho)), tf.mul(tf.square(update), c(1 - p.rho)));
    return { delta: tf.mul(update, c(p.learningRate)), slots: [accum1, accumUpdate1] };
  });
}

/** TF1's GradientDescentOptimizer: var -= lr * grad. */
export function sgd(tf: TF, variables: readonly tfjs.Variable[], p: { learningRate: number }): OptimizerUpdater {
  return slotUpdater(tf, variables, [], (g, _s, _t, c) => ({ delta: tf.mul(g, c(p.learningRate)), slots: [] }));
}

/** TF1's MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form). */
export function momentum(tf: TF, variables: readonly tfjs.Variable[], p: { learningRate: number; momentum: number; nesterov: boolean }): OptimizerUpdater {
  return slotUpdater(tf, variables, [{ init: 'zeros' }], (g, [accum], _t, c) => {
    const accum1 = tf.add(tf.mul(accum!, c(p.momentum)), g);
    const step = p.nesterov ? tf.add(g, tf.mul(accum1, c(p.momentum))) : accum1;
    return { delta: tf.mul(step, c(p.learningRate)), slots: [accum1] };
  });
}

/** TF1's RMSPropOptimizer: the mean square starts at ONE, as in TF1. */
export function rmsprop(tf: TF, variables: readonly tfjs.Variable[], p: { learningRate: number; decay: number; momentum: number; epsilon: number }): OptimizerUpdater {
  return slotUpdater(tf, variables, [{ init: 'ones' }, { init: 'zeros' }], (g, [ms, mom], _t, c) => {
    const ms1 = tf.add(tf.mul(ms!, c(p.decay)), tf.mul(tf.square(g), c(1 - p.decay)));
    const mom1 = tf.add(tf.mul(mom!, c(p.momentum)), tf.div(tf.mul(g, c(p.learningRate)), tf.sqrt(tf.add(ms1, c(p.epsilon)))));
    return { delta: mom1, slots: [ms1, mom1] };
  });
}
