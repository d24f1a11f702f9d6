/**
 * Tensor shapes as the analysis sees them. `null` is the batch dimension, whose
 * size is only known when training runs; every other dimension is a number.
 */
export type Dim = number | null;
export type Shape = readonly Dim[];

export const BATCH: Dim = null;

/** `[b, 28, 28, 1]`: the form every message and port label uses. */
export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'b' : String(d))).join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Number of elements per batch item, e.g. 784 for [b, 28, 28, 1]. */
export function featureSize(shape: Shape): number {
  return shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
}

export function isBatched(shape: Shape): boolean {
  return shape.length > 0 && shape[0] === null;
}

/** Replaces the batch dimension with a concrete size, for building tensors. */
export function concreteShape(shape: Shape, batchSize: number): number[] {
  return shape.map((d) => (d === null ? batchSize : d));
}
