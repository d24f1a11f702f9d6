import type { Refit, RefitFn } from './kind';
import type { Shape } from './shape';

/**
 * Refits that several kinds share. A refit answers "which params and input
 * shapes give this output shape?" for fitting a graph to a dataset; each
 * kind's own is the inverse of its inferShape, and the conformance test
 * checks that inferShape gives back the shape asked for.
 */

/** A layer whose output has its input's shape (activations, batch norm, dropout): the inputs named take the shape wanted. */
export const keepsShape =
  (...ports: string[]): RefitFn<unknown> =>
  (_params, _inputs, _port, wanted) => ({ params: {}, inputs: Object.fromEntries(ports.map((p) => [p, wanted])) });

/**
 * The input size along one axis that a windowed layer (`forward`: input size
 * to output size) turns into `out`: the current size where it already does,
 * else the largest that does (a stride-2 layer making 16 takes 32, not 31),
 * searched up to `limit`. Undefined where none does (a stride-2 transposed
 * convolution never makes an odd size).
 */
export function inputSize(out: number, current: number | null | undefined, forward: (size: number) => number, limit: number): number | undefined {
  if (typeof current === 'number' && forward(current) === out) return current;
  for (let size = limit; size >= 1; size--) if (forward(size) === out) return size;
  return undefined;
}

/**
 * The refit of a layer over NHWC images whose height and width follow its
 * input's through `forward`: the input sizes that give the height and width
 * wanted, with `channels` (the input's, or the output's for layers that keep
 * them), and `params` the layer sets for the output channels.
 */
export function spatialRefit(
  x: Shape | undefined,
  wanted: Shape,
  forward: (size: number) => number,
  limit: (out: number) => number,
  channels: 'keep' | 'from-input',
  params: Record<string, unknown>,
): Refit | undefined {
  if (!x || x.length !== 4 || wanted.length !== 4) return undefined;
  const [h, w, c] = [wanted[1], wanted[2], wanted[3]];
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') return undefined;
  const height = inputSize(h, x[1], forward, limit(h));
  const width = inputSize(w, x[2], forward, limit(w));
  if (height === undefined || width === undefined) return undefined;
  return { params, inputs: { x: [x[0] ?? null, height, width, channels === 'keep' ? c : x[3]!] } };
}
