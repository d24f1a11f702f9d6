import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerKind } from '../../../lib/kinds/kind';
import { getKind } from '../../../lib/kinds/registry';
import { close, wasm } from '../../helpers';

/**
 * Each optimizer against TF1's update rule written out in plain JS doubles,
 * with TF1's default hyper-parameters, over several steps.
 */
type Rule = (v: number[], g: number[], state: Record<string, number[]>, t: number) => number[];

const zeros = (n: number) => new Array<number>(n).fill(0);

const tf1: Record<string, { params: Record<string, unknown>; rule: Rule }> = {
  adam: {
    params: {},
    rule: (v, g, s, t) => {
      const lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8;
      s.m ??= zeros(v.length);
      s.v ??= zeros(v.length);
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      return v.map((x, i) => {
        s.m![i] = b1 * s.m![i]! + (1 - b1) * g[i]!;
        s.v![i] = b2 * s.v![i]! + (1 - b2) * g[i]! ** 2;
        return x - (lrT * s.m![i]!) / (Math.sqrt(s.v![i]!) + eps);
      });
    },
  },
  adadelta: {
    params: {},
    rule: (v, g, s) => {
      const lr = 0.001, rho = 0.95, eps = 1e-8;
      s.a ??= zeros(v.length);
      s.u ??= zeros(v.length);
      return v.map((x, i) => {
        s.a![i] = rho * s.a![i]! + (1 - rho) * g[i]! ** 2; // accumulator first...
        const update = (Math.sqrt(s.u![i]! + eps) / Math.sqrt(s.a![i]! + eps)) * g[i]!; // ...then divide by the NEW one
        s.u![i] = rho * s.u![i]! + (1 - rho) * update ** 2;
        return x - lr * update;
      });
    },
  },
  sgd: { params: { learningRate: 0.1 }, rule: (v, g) => v.map((x, i) => x - 0.1 * g[i]!) },
  momentum: {
    params: { learningRate: 0.1, momentum: 0.9 },
    rule: (v, g, s) => {
      s.a ??= zeros(v.length);
      return v.map((x, i) => {
        s.a![i] = 0.9 * s.a![i]! + g[i]!;
        return x - 0.1 * s.a![i]!;
      });
    },
  },
  rmsprop: {
    params: {},
    rule: (v, g, s) => {
      const lr = 0.001, decay = 0.9, eps = 1e-10;
      s.ms ??= v.map(() => 1); // TF1 starts the mean square at one
      return v.map((x, i) => {
        s.ms![i] = decay * s.ms![i]! + (1 - decay) * g[i]! ** 2;
        return x - (lr * g[i]!) / Math.sqrt(s.ms![i]! + eps);
      });
    },
  },
};

const gradientsAt = (step: number) => [0.5, -0.25, 3 - step, 1e-3 * step];

describe.each(Object.keys(tf1))('%s follows TF1', (name) => {
  beforeAll(wasm);

  it('matches the TF1 update rule for 5 steps, for small and large variables alike', () => {
    const kind = getKind(name) as OptimizerKind;
    const params = kind.params.parse({ networks: ['N'], ...tf1[name]!.params });
    const small = tf.variable(tf.tensor1d([1, -2, 0.5, 4]));
    // Large variables are updated on their own: check the same rule holds there.
    const big = tf.variable(tf.fill([20_000], 0.25));
    const untouched = tf.variable(tf.tensor1d([7, 8]));
    const updater = kind.updater(tf, params, [small, big, untouched]);
    let expectedSmall = [1, -2, 0.5, 4];
    let expectedBig = [0.25];
    const stateSmall = {};
    const stateBig = {};
    for (let t = 1; t <= 5; t++) {
      const g = gradientsAt(t);
      tf.tidy(() => updater.apply([tf.tensor1d(g), tf.fill([20_000], g[0]!), undefined]));
      expectedSmall = tf1[name]!.rule(expectedSmall, g, stateSmall, t);
      expectedBig = tf1[name]!.rule(expectedBig, [g[0]!], stateBig, t);
      Array.from(small.dataSync()).forEach((x, i) => expect(close(x, expectedSmall[i]!, 1e-6), `step ${t} [${i}]: ${x} vs ${expectedSmall[i]}`).toBe(true));
      const bigValues = big.dataSync();
      expect(close(bigValues[0]!, expectedBig[0]!, 1e-6)).toBe(true);
      expect(close(bigValues[19_999]!, expectedBig[0]!, 1e-6)).toBe(true);
    }
    // A weight its loss does not reach is left alone, as in TF1.
    expect(Array.from(untouched.dataSync())).toEqual([7, 8]);
    updater.dispose();
    tf.dispose([small, big, untouched]);
  });
});

describe('the Adadelta trap', () => {
  it("tfjs's built-in adadelta divides by the old accumulator and drifts from TF1; ours does not", async () => {
    await wasm();
    const ours = tf.variable(tf.tensor1d([1, 2]));
    const theirs = tf.variable(tf.tensor1d([1, 2]));
    const updater = (getKind('adadelta') as OptimizerKind).updater(tf, (getKind('adadelta') as OptimizerKind).params.parse({}), [ours]);
    const builtIn = tf.train.adadelta(0.001, 0.95, 1e-8);
    const g = tf.tensor1d([0.3, -0.7]);
    updater.apply([g]);
    builtIn.applyGradients([{ name: theirs.name, tensor: g }]);
    const expected = tf1.adadelta!.rule([1, 2], [0.3, -0.7], {}, 1);
    expect(close(ours.dataSync()[0]!, expected[0]!, 1e-7)).toBe(true);
    expect(close(theirs.dataSync()[0]!, expected[0]!, 1e-7)).toBe(false);
  });
});
