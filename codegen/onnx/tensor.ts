import { buildError } from './errors';

/** A float32 tensor on the host, row-major (a weight, a feed or an output); never changed once made (builders remember tensors by identity). */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function hostTensor(data: Float32Array, shape: readonly number[]): HostTensor {
  if (data.length !== sizeOf(shape)) buildError('shape', `${data.length} values do not fill a tensor of shape [${shape.join(', ')}]`);
  return { data, shape };
}

/** The tensor with its axes reordered (numpy's transpose): weights change layout on the host, not in the graph. */
export function permute(t: HostTensor, perm: readonly number[]): HostTensor {
  const rank = t.shape.length;
  if (perm.length !== rank || [...perm].sort().some((axis, i) => axis !== i)) buildError('shape', `[${perm.join(', ')}] is not a permutation of ${rank} axes`);
  const shape = perm.map((axis) => t.shape[axis]!);
  const strides = new Array<number>(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= t.shape[axis]!;
  }
  const moved = perm.map((axis) => strides[axis]!);
  const out = new Float32Array(t.data.length);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) from += index[axis]! * moved[axis]!;
    out[i] = t.data[from]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return { data: out, shape };
}

/** ONNX raw_data is little-endian whatever the host: written through a DataView, not the typed array's bytes. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

export function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    if (!Number.isSafeInteger(v)) buildError('value', `${v} is not an integer`);
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  return bytes;
}
