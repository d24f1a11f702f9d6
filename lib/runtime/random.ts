/**
 * Netloom's one random generator, behind every draw: initial weights, batch
 * order, noise, class labels, dropout masks. It is counter-based, so each
 * value is a pure function of (seed, stream, iteration, draw, index): the
 * app, the CLI and both exports compute the same values, any of them
 * directly (a resumed run continues every stream exactly; the PyTorch export
 * computes many iterations' draws in one vectorised call). Runtime: exports
 * ship it verbatim; netloom/random.py is the same in numpy.
 *
 * The bits are Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; checked against Random123's
 * known-answer vectors). For value `index` of draw `draw` in iteration
 * `iteration` of the stream named `name` under seed `seed`:
 *   key     = FNV-1a, 64 bits, over the UTF-16 code units of `${seed}:${name}` (low word, high word)
 *   counter = (floor(index / 4), iteration, draw, 0), and the value is word index mod 4 of the output
 * Bits become numbers in float64, rounded to float32 once:
 *   uniform(low, high)   low + (high - low) * bits / 2^32
 *   normal(mean, stddev) Box-Muller on the word pairs (0, 1) and (2, 3) of each output:
 *                        r = sqrt(-2 ln((b0 + 1) / 2^32)), t = 2 pi b1 / 2^32, values r cos t and r sin t
 *   class among k        floor(bits * k / 2^32)
 *   permutation of n     0..n-1 ordered by their bits, ties by index
 */

/** A stream's Philox key: two 32-bit words. */
export interface Stream {
  readonly key0: number;
  readonly key1: number;
}

/** Where a draw sits in its stream: the iteration, and which of its draws in that iteration. */
export interface DrawAt {
  iteration: number;
  draw: number;
}

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_M32 = 2 ** -32;

/** FNV-1a, 64 bits, over a string's UTF-16 code units: [low word, high word]. */
export function fnv1a64(text: string): [number, number] {
  // 0xcbf29ce484222325, in two words; times the prime 2^40 + 0x1b3 in 32-bit pieces.
  let lo = 0x84222325;
  let hi = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    const low = lo * 0x1b3;
    hi = (Math.imul(hi, 0x1b3) + Math.floor(low * TWO_POW_M32) + (lo << 8)) >>> 0;
    lo = low >>> 0;
  }
  return [lo, hi];
}

/** The stream named `name` under `seed`: its key is the FNV-1a 64-bit hash of `${seed}:${name}`. */
export function stream(seed: number, name: string): Stream {
  const [key0, key1] = fnv1a64(`${seed}:${name}`);
  return { key0, key1 };
}

/** Philox4x32-10 of one counter (c0, c1, c2, c3) under the key (k0, k1), written into `out` from `offset`. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, offset = 0): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  for (let round = 0; round < 10; round++) {
    // The 64-bit products: the low words exactly (imul), the high words from the double product,
    // which is within 2^10 of the exact one, so rounding recovers them exactly.
    const lo0 = Math.imul(M0, x0) >>> 0;
    const lo1 = Math.imul(M1, x2) >>> 0;
    const hi0 = Math.round((M0 * x0 - lo0) * TWO_POW_M32);
    const hi1 = Math.round((M1 * x2 - lo1) * TWO_POW_M32);
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x1 = lo1;
    x3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/** `count` 32-bit words of a draw, from `start` (index `start` is the first). */
export function randomBits({ key0, key1 }: Stream, { iteration, draw }: DrawAt, count: number, start = 0): Uint32Array {
  const out = new Uint32Array(count);
  if (count <= 0) return out;
  const first = Math.floor(start / 4);
  const last = Math.floor((start + count - 1) / 4);
  // Whole outputs straight into place; the partial first and last through a scratch block.
  const block = new Uint32Array(4);
  for (let b = first; b <= last; b++) {
    const offset = 4 * b - start;
    if (offset >= 0 && offset + 4 <= count) {
      philox4x32(b, iteration, draw, 0, key0, key1, out, offset);
      continue;
    }
    philox4x32(b, iteration, draw, 0, key0, key1, block);
    for (let lane = 0; lane < 4; lane++) if (offset + lane >= 0 && offset + lane < count) out[offset + lane] = block[lane]!;
  }
  return out;
}

/** Uniform floats in [low, high). */
export function uniforms(s: Stream, at: DrawAt, count: number, low = 0, high = 1): Float32Array {
  const bits = randomBits(s, at, count);
  const out = new Float32Array(count);
  const span = high - low;
  for (let i = 0; i < count; i++) out[i] = low + span * (bits[i]! * TWO_POW_M32);
  return out;
}

/** Normal floats (Box-Muller over word pairs: value i uses words i and i ^ 1 of its output). */
export function normals(s: Stream, at: DrawAt, count: number, mean = 0, stddev = 1): Float32Array {
  const bits = randomBits(s, at, count + (count & 1));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log((bits[i]! + 1) * TWO_POW_M32));
    const angle = 2 * Math.PI * (bits[i + 1]! * TWO_POW_M32);
    out[i] = mean + stddev * (radius * Math.cos(angle));
    if (i + 1 < count) out[i + 1] = mean + stddev * (radius * Math.sin(angle));
  }
  return out;
}

/** A class in 0..classes-1 per value, each equally likely. */
export function categorical(s: Stream, at: DrawAt, count: number, classes: number): Uint32Array {
  const bits = randomBits(s, at, count);
  // bits * classes < 2^40: exact in a double.
  for (let i = 0; i < count; i++) bits[i] = Math.floor(bits[i]! * classes * TWO_POW_M32);
  return bits;
}

/** A permutation of 0..n-1: the indices ordered by their bits, ties by index. */
export function permutation(s: Stream, at: DrawAt, n: number): Uint32Array {
  const bits = randomBits(s, at, n);
  const order = new Uint32Array(n);
  if (n <= 2 ** 21) {
    // bits * 2^21 + index < 2^53: one exact number per index, sorted natively.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = bits[i]! * 2 ** 21 + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % 2 ** 21;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => bits[a]! - bits[b]! || a - b);
}

/**
 * Where a random layer draws in one training forward pass: the run's seed,
 * the path of call nodes down to it (`/D_real/drop1`: each call of a network
 * draws its own masks), the iteration, and the round of a repeated step
 * (n_critic: each round draws its own).
 */
export interface DrawSite {
  seed: number;
  path: string;
  iteration: number;
  round: number;
}

/** The draws of one training iteration, at the main graph. */
export const iterationSite = (seed: number, iteration: number): DrawSite => ({ seed, path: '', iteration, round: 0 });
/** Round `round` of a repeated step. */
export const roundSite = (site: DrawSite, round: number): DrawSite => ({ ...site, round });
/** A site extended by a call node or a layer node below it. */
export const nodeSite = (site: DrawSite, node: string): DrawSite => ({ ...site, path: `${site.path}/${node}` });
/** The stream and position of a random layer's draws at a site. */
export const siteDraws = (site: DrawSite): { stream: Stream; at: DrawAt } => ({ stream: stream(site.seed, `layer:${site.path}`), at: { iteration: site.iteration, draw: site.round } });

/** A weight's initial values draw from the stream `weight:network/node/weight`. */
export const weightStream = (seed: number, name: string): Stream => stream(seed, `weight:${name}`);

/** What a data source draws for: training batches, the fixed preview batch, samples in bulk, the quality scores' fixed batch. */
export type SourcePurpose = 'train' | 'preview' | 'samples' | 'evaluation';
/** A data source's stream for one purpose (`train:/X`). */
export const sourceStream = (seed: number, purpose: SourcePurpose, source: string): Stream => stream(seed, `${purpose}:${source}`);
