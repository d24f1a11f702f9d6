/**
 * Reader for the IDX format of the original MNIST files (big-endian header:
 * two zero bytes, a type code, the number of dimensions, then each size).
 * Only unsigned bytes (type 0x08) are used by MNIST.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * An IDX file's dimensions and where its data starts, from its first bytes
 * (`head`: at least 4 + 4 * rank of them) and its size: the data must be
 * exactly what the dimensions say.
 */
export function parseIdxHeader(head: Uint8Array, fileSize: number, what = 'IDX file'): { dims: number[]; offset: number } {
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) throw new Error(`${what}: not an IDX file (bad magic number)`);
  if (head[2] !== 0x08) throw new Error(`${what}: element type 0x${head[2]!.toString(16)} is not supported (expected unsigned bytes, 0x08)`);
  const rank = head[3]!;
  const offset = 4 + 4 * rank;
  if (rank === 0 || head.length < offset || fileSize < offset) throw new Error(`${what}: truncated header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (fileSize !== offset + size) throw new Error(`${what}: header says ${dims.join('x')} = ${size} bytes of data, file has ${fileSize - offset}`);
  return { dims, offset };
}

export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  const { dims, offset } = parseIdxHeader(bytes, bytes.length, what);
  return { dims, data: bytes.subarray(offset) };
}

/** The header of an IDX file of unsigned bytes of these dimensions. */
export function idxHeader(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/** Unsigned bytes as an IDX file of these dimensions. */
export function idxBytes(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`IDX: ${data.length} bytes for dimensions ${dims.join('x')} (${size})`);
  const header = idxHeader(dims);
  const out = new Uint8Array(header.length + size);
  out.set(header);
  out.set(data, header.length);
  return out;
}
