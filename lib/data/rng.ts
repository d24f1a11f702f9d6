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
