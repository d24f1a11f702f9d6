/**
 * What values a port can take, as far as the graph tells: [low, high], either
 * end infinite; undefined when nothing is known. The analysis carries bounds
 * beside shapes, so a kind that needs probabilities (log-loss) can refuse an
 * input that is not one.
 */
export type Bounds = readonly [low: number, high: number];

export const UNIT: Bounds = [0, 1];
export const SYMMETRIC_UNIT: Bounds = [-1, 1];
export const NON_NEGATIVE: Bounds = [0, Infinity];

export const within = (inner: Bounds | undefined, outer: Bounds): boolean => inner !== undefined && inner[0] >= outer[0] && inner[1] <= outer[1];

/** The smallest bounds holding all of them (unknown if any is). */
export function hull(all: readonly (Bounds | undefined)[]): Bounds | undefined {
  if (all.length === 0 || all.some((b) => b === undefined)) return undefined;
  return [Math.min(...all.map((b) => b![0])), Math.max(...all.map((b) => b![1]))];
}

/** What an activation gives, given what it gets. */
export function activationBounds(fn: string, input: Bounds | undefined): Bounds | undefined {
  switch (fn) {
    case 'sigmoid':
      return UNIT;
    case 'tanh':
      return SYMMETRIC_UNIT;
    case 'relu':
      return input ? [Math.max(0, input[0]), Math.max(0, input[1])] : NON_NEGATIVE;
    case 'linear':
      return input;
    case 'silu':
      // x sigmoid(x) is least (-0.27846...) at x = -1.27846...: rounded down, so the bound holds.
      return [-0.2785, Infinity];
    default:
      return undefined;
  }
}

/** `[0, 1]`, `(-∞, ∞)`: for messages. */
export const formatBounds = (bounds: Bounds | undefined): string =>
  bounds ? `${bounds[0] === -Infinity ? '(-∞' : `[${bounds[0]}`}, ${bounds[1] === Infinity ? '∞)' : `${bounds[1]}]`}` : 'unknown bounds';

const num = (n: number) => String(n);

/** Bounds in words, for messages: "between 0 and 1", "0 or more", "of any size". */
export function boundsInWords(bounds: Bounds | undefined): string {
  if (!bounds || (bounds[0] === -Infinity && bounds[1] === Infinity)) return 'of any size';
  if (bounds[0] === -Infinity) return `${num(bounds[1])} or less`;
  if (bounds[1] === Infinity) return `${num(bounds[0])} or more`;
  return `between ${num(bounds[0])} and ${num(bounds[1])}`;
}

/**
 * The activation a layer can end with to keep its output within `wanted`,
 * for a kind whose params choose one (`confine` of dense, conv, activation):
 * sigmoid for [0, 1], tanh for [-1, 1].
 */
export function confiningActivation(wanted: Bounds): 'sigmoid' | 'tanh' | undefined {
  if (within(UNIT, wanted)) return 'sigmoid';
  if (within(SYMMETRIC_UNIT, wanted)) return 'tanh';
  return undefined;
}
