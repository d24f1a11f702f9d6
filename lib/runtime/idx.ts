/**
 * Reader for the IDX format of the original MNIST files (big-endian header:
 * two zero bytes, a type code, the number of dimensions, then each size).
 * Only unsigned bytes (type 0x08) are used by MNIST.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${what}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08) throw new Error(`${what}: element type 0x${bytes[2]!.toString(16)} is not supported (expected unsigned bytes, 0x08)`);
  const rank = bytes[3]!;
  const header = 4 + 4 * rank;
  if (rank === 0 || bytes.length < header) throw new Error(`${what}: truncated header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new Error(`${what}: header says ${dims.join('x')} = ${size} bytes of data, file has ${bytes.length - header}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Unsigned bytes as an IDX file of these dimensions. */
export function idxBytes(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`IDX: ${data.length} bytes for dimensions ${dims.join('x')} (${size})`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
