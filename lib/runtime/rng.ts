import seedrandom from 'seedrandom';

/** A seeded generator of uniforms in [0, 1) and standard normals. */
export interface Rng {
  random(): number;
  normal(): number;
}

/** Alea, seeded by a string, so every source of a run can have its own independent stream. */
export function createRng(seed: string): Rng {
  const next = seedrandom.alea(seed);
  let spare: number | undefined;
  return {
    random: () => next(),
    // Box-Muller, using both values of each pair.
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = 1 - next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A 31-bit integer seed derived from a string (for tfjs's seeded initialisers). */
export function seedInt(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) & 0x7fffffff;
}

/**
 * The seed of a data source's random stream: its training draws (after a
 * resume, a stream of their own from that iteration on), its fixed preview
 * draws, or the fresh draws of samples generated in bulk. The app and
 * exported projects both seed through here.
 */
export function streamSeed(seed: number, stream: 'train' | 'preview' | 'samples' | 'evaluation', source: string, resumeAt = 0): string {
  return `${seed}${stream === 'train' && resumeAt ? `@${resumeAt}` : ''}:${stream}:${source}`;
}

/** The initialiser seed of the weight named `network/node/weight`. */
export const weightSeed = (seed: number, name: string): number => seedInt(`${seed}/${name}`);

/** Chris Wellons' lowbias32: a 32-bit integer hash whose every output bit depends on every input bit. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * `count` random 24-bit integers for a key: a counter-based generator (a
 * Weyl sequence from the key's hash, through lowbias32), so that any draw is
 * computed without replaying a stream, and numpy computes the same ones
 * vectorised. Random layers (dropout) draw through here, keyed by
 * `layerDrawKey`.
 */
export function keyedBits(key: string, count: number): Uint32Array {
  const base = lowbias32(seedInt(key));
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) bits[i] = lowbias32((base + Math.imul(i, 0x9e3779b9)) >>> 0) >>> 8;
  return bits;
}

/**
 * The key of a random layer's draws in one training iteration: the run's
 * seed, the iteration, then the call nodes down to the layer's node
 * (`0:12/logits_fake/drop1`). Two calls of a network draw differently; one
 * call draws the same wherever it is recomputed in the iteration.
 */
export const iterationDrawKey = (seed: number, iteration: number): string => `${seed}:${iteration}`;
/** Round `round` of a step repeated in an iteration (n_critic) draws masks of its own; round 0 keeps the iteration's key. */
export const roundDrawKey = (draws: string, round: number): string => (round === 0 ? draws : `${draws}.${round}`);
export const layerDrawKey = (at: string, node: string): string => `${at}/${node}`;
