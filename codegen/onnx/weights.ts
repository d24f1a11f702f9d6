import type { WeightPlan } from '../../lib/plan/plan';
import type { EncodedCheckpoint } from '../../lib/runtime/checkpoint';
import { initialValue } from '../../lib/runtime/init';
import type { TF } from '../../lib/runtime/ops';
import { weightStream } from '../../lib/runtime/random';
import { sizeOf, type HostTensor } from './tensor';

/**
 * Where an exported network's weights come from: a run's checkpoint, or the
 * initial weights the graph's seed makes (what lib/compile/variables.ts's
 * createVariables gives a program before its first step).
 */

/**
 * The three tfjs functions `initialValue` calls, on the host. It draws every
 * value on the host (the seeded streams) and asks tf only to hold them, so
 * these give createVariables's numbers without a tfjs backend (an export
 * thread has none set up).
 */
const host = {
  zeros: (shape: number[]): HostTensor => ({ data: new Float32Array(sizeOf(shape)), shape }),
  ones: (shape: number[]): HostTensor => ({ data: new Float32Array(sizeOf(shape)).fill(1), shape }),
  tensor: (values: ArrayLike<number>, shape: number[]): HostTensor => ({ data: Float32Array.from(values), shape }),
};

/** The initial value of each weight, by its plan name, as createVariables(tf, weights, seed) makes them. */
export function initialWeights(weights: readonly WeightPlan[], seed: number): Map<string, HostTensor> {
  return new Map(weights.map((w) => [w.name, initialValue(host as unknown as TF, w.init, w.shape, w.fans, weightStream(seed, w.name)) as unknown as HostTensor]));
}

/**
 * A checkpoint's tensors (weights and optimizer slots) by name, read from
 * weights.bin as the tfjs weights format lays them out: float32,
 * little-endian, one after another in the manifest's order. The checkpoint
 * is one parseCheckpoint accepted (sizes and CRCs checked).
 */
export function checkpointTensors({ manifest, weights }: EncodedCheckpoint): Map<string, HostTensor> {
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const tensors = new Map<string, HostTensor>();
  let offset = 0;
  for (const spec of manifest.weightsManifest[0].weights) {
    const data = new Float32Array(sizeOf(spec.shape));
    for (let i = 0; i < data.length; i++, offset += 4) data[i] = view.getFloat32(offset, true);
    tensors.set(spec.name, { data, shape: [...spec.shape] });
  }
  return tensors;
}
