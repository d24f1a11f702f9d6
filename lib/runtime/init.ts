import type { TF, Tensor } from './ops';

/**
 * Weight initialisers, seeded. Runtime: imports nothing from Netloom, so the
 * exporter ships it verbatim and exported projects start from the same weights.
 */
export type Initializer =
  | { kind: 'xavier-normal' }
  | { kind: 'glorot-uniform' }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; mean: number; stddev: number };

/** The seeds' xavier_init is N(0, 1/sqrt(fan_in/2)); Glorot uniform is slim's/Keras' default. */
export function initialValue(tf: TF, init: Initializer, shape: number[], fans: { fanIn: number; fanOut: number }, seed: number): Tensor {
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'xavier-normal':
      return tf.randomNormal(shape, 0, 1 / Math.sqrt(fans.fanIn / 2), 'float32', seed);
    case 'glorot-uniform': {
      const limit = Math.sqrt(6 / (fans.fanIn + fans.fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', seed);
    }
    case 'normal':
      return tf.randomNormal(shape, init.mean, init.stddev, 'float32', seed);
  }
}
