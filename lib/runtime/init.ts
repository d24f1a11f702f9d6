import type { TF, Tensor } from './ops';
import { normals, uniforms, type Stream } from './random';

/**
 * Weight initialisers, drawn from the weight's own stream (random.ts).
 * Runtime: exported projects ship it and start from the same weights.
 */
export type Initializer =
  | { kind: 'xavier-normal' }
  | { kind: 'glorot-uniform' }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; mean: number; stddev: number };

const FIRST = { iteration: 0, draw: 0 };

/** The seeds' xavier_init is N(0, 1/sqrt(fan_in/2)); Glorot uniform is slim's/Keras' default. */
export function initialValue(tf: TF, init: Initializer, shape: number[], fans: { fanIn: number; fanOut: number }, stream: Stream): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'xavier-normal':
      return tf.tensor(normals(stream, FIRST, count, 0, 1 / Math.sqrt(fans.fanIn / 2)), shape);
    case 'glorot-uniform': {
      const limit = Math.sqrt(6 / (fans.fanIn + fans.fanOut));
      return tf.tensor(uniforms(stream, FIRST, count, -limit, limit), shape);
    }
    case 'normal':
      return tf.tensor(normals(stream, FIRST, count, init.mean, init.stddev), shape);
  }
}
