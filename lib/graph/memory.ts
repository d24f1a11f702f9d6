import { featureSize, isBatched, type Shape } from '../kinds/shape';
import type { NetworkScope, OptimizerInfo, Scope } from './analyse';

/**
 * About how much memory training a graph takes, in bytes (float32): its
 * weights, the optimizers' slots, and every value one iteration computes,
 * twice (the value and its gradient), at the training batch size. An estimate
 * for refusing what cannot fit, and for showing beside the graph.
 */
export interface MemoryEstimate {
  weights: number;
  slots: number;
  activations: number;
  total: number;
}

/** The ceiling the analysis refuses graphs above: 2 GiB (a browser's WASM memory is 4 GiB at most), NETLOOM_MEMORY_LIMIT_MB in Node. */
export const MEMORY_LIMIT_BYTES = (Number(globalThis.process?.env?.NETLOOM_MEMORY_LIMIT_MB) || 2048) * 2 ** 20;

const FLOAT = 4;

export function estimateMemory(main: Scope, networks: ReadonlyMap<string, NetworkScope>, order: readonly string[], optimizers: readonly OptimizerInfo[], batchSize: number): MemoryEstimate {
  const values = (shape: Shape) => (isBatched(shape) ? featureSize(shape) * batchSize : shape.reduce<number>((n, d) => n * (d ?? 1), 1));
  const weightsOf = new Map<string, number>();
  const valuesOf = new Map<string, number>();
  const scopeValues = (scope: Scope) => {
    let total = 0;
    for (const info of scope.nodes.values()) {
      if (info.kind?.role === 'call') total += info.params === undefined ? 0 : (valuesOf.get(info.kind.network(info.params)) ?? 0);
      else for (const shape of Object.values(info.outShapes)) total += values(shape);
    }
    return total;
  };
  // Callees come first in `order`, so every network's values include the networks it calls.
  for (const id of order) {
    const scope = networks.get(id)!;
    let weights = 0;
    for (const info of scope.nodes.values()) {
      if (info.kind?.role !== 'op' || !info.kind.weights || info.params === undefined || Object.keys(info.outShapes).length === 0) continue;
      for (const spec of info.kind.weights(info.params, info.inShapes)) weights += spec.shape.reduce((a, b) => a * b, 1);
    }
    weightsOf.set(id, weights);
    valuesOf.set(id, scopeValues(scope));
  }
  const weights = [...weightsOf.values()].reduce((a, b) => a + b, 0) * FLOAT;
  const slots = optimizers.reduce((n, o) => n + o.kind.slots * o.networks.reduce((m, id) => m + (weightsOf.get(id) ?? 0), 0), 0) * FLOAT;
  const activations = 2 * scopeValues(main) * FLOAT;
  return { weights, slots, activations, total: weights + slots + activations };
}

/** `1.2 GB`, `340 MB`, `12 KB`. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TB'],
    [2 ** 30, 'GB'],
    [2 ** 20, 'MB'],
    [2 ** 10, 'KB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${(bytes / size).toFixed(bytes >= 10 * size ? 0 : 1)} ${unit}`;
  return `${bytes} B`;
}

