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
