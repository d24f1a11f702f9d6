import { memoryOf } from '../kinds/kind';
import { featureSize, isBatched, type Shape } from '../kinds/shape';
import { updateGroupSizes } from '../runtime/optimizers';
import type { NetworkScope, OptimizerInfo, Scope } from './analyse';

/**
 * About how much memory training a graph takes at most, in bytes (float32),
 * as tfjs allocates it: the weights and the optimizers' slots, always; and
 * the costliest step on top, in whichever of its two phases costs more:
 *  - forward and backward: what each node holds while the iteration's
 *    values and their gradients are computed (its kind's `memory` values per
 *    value of its larger side, at the training batch size; each call's
 *    nodes counted for each call), and per call the gradient of the weights
 *    it applies (tfjs holds each call's until the pass ends: a network
 *    called 16 times holds 16), with their sums;
 *  - the update: the weight gradients, the values still held, and the
 *    optimizer's temporaries (its kind's `temporaries`) over the largest
 *    group of weights it updates at once.
 * tests/integration/memory.test.ts checks it against what tfjs allocates
 * for every template and random graphs: none exceeds it by more than 1.5x.
 * It refuses what cannot fit, and is shown beside the graph.
 */
export interface MemoryEstimate {
  weights: number;
  slots: number;
  /** The costliest step beyond the weights and slots: values, gradients, temporaries. */
  step: number;
  total: number;
}

/** The ceiling the analysis refuses graphs above: 2 GiB (a browser's WASM memory is 4 GiB at most), NETLOOM_MEMORY_LIMIT_MB in Node. */
export const MEMORY_LIMIT_BYTES = (Number(globalThis.process?.env?.NETLOOM_MEMORY_LIMIT_MB) || 2048) * 2 ** 20;

const FLOAT = 4;
/** Values an op's kernels hold whatever its size: the scalars of its constants and reductions. */
const OP_CONSTANTS = 32;

export function estimateMemory(main: Scope, networks: ReadonlyMap<string, NetworkScope>, order: readonly string[], optimizers: readonly OptimizerInfo[], batchSize: number): MemoryEstimate {
  const values = (shape: Shape) => (isBatched(shape) ? featureSize(shape) * batchSize : shape.reduce<number>((n, d) => n * (d ?? 1), 1));
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  /** Each network's own variables (by size); per pass through it, its values, what its nodes hold, and the weights it and its callees apply. */
  const variablesOf = new Map<string, number[]>();
  const figuresOf = new Map<string, { computed: number; held: number; applied: number }>();
  const measure = (scope: Scope, own: readonly number[]) => {
    let computed = 0;
    let held = 0;
    let applied = sum(own);
    for (const info of scope.nodes.values()) {
      const kind = info.kind;
      if (!kind || info.params === undefined) continue;
      if (kind.role === 'call') {
        const callee = figuresOf.get(kind.network(info.params));
        computed += callee?.computed ?? 0;
        held += callee?.held ?? 0;
        applied += callee?.applied ?? 0;
        continue;
      }
      const out = sum(Object.values(info.outShapes).map(values));
      computed += out;
      // A source's batch is drawn as an array, then made a tensor; network inputs and outputs pass values on.
      if (kind.role === 'source') held += 2 * out;
      if (kind.role === 'op') held += memoryOf(kind, info.params, info.inShapes) * Math.max(out, sum(Object.values(info.inShapes).map(values))) + OP_CONSTANTS;
    }
    return { computed, held, applied };
  };
  // Callees come first in `order`, so every network's figures include the networks it calls.
  for (const id of order) {
    const scope = networks.get(id)!;
    const sizes: number[] = [];
    for (const info of scope.nodes.values()) {
      if (info.kind?.role !== 'op' || !info.kind.weights || info.params === undefined || Object.keys(info.outShapes).length === 0) continue;
      for (const spec of info.kind.weights(info.params, info.inShapes)) sizes.push(spec.shape.reduce((a, b) => a * b, 1));
    }
    variablesOf.set(id, sizes);
    figuresOf.set(id, measure(scope, sizes));
  }
  const weights = sum([...variablesOf.values()].map(sum));
  const iteration = measure(main, []);
  const slots = sum(optimizers.map((o) => o.kind.slots * sum(o.networks.map((id) => sum(variablesOf.get(id) ?? [])))));
  // Without an optimizer, a forward pass of its own still runs (previews, monitors).
  const step = Math.max(
    iteration.held,
    ...optimizers.map((o) => {
      const sizes = o.networks.flatMap((id) => variablesOf.get(id) ?? []);
      const trained = sum(sizes);
      // Each call's backward pass makes its own gradient of the weights it applies, held until the pass ends; then their sums.
      const backward = iteration.held + iteration.applied + trained;
      const update = iteration.computed + trained + o.kind.temporaries * Math.max(0, ...updateGroupSizes(sizes));
      return Math.max(backward, update);
    }),
  );
  return { weights: weights * FLOAT, slots: slots * FLOAT, step: step * FLOAT, total: (weights + slots + step) * FLOAT };
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

