import { describe, expect, it } from 'vitest';
import { categorical, fnv1a64, normals, permutation, philox4x32, randomBits, stream, uniforms } from '../../../lib/runtime/random';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => w.toString(16).padStart(8, '0'));

describe('the counter-based generator', () => {
  it("is Philox4x32-10: Random123's known-answer vectors", () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  it('keys streams by FNV-1a 64 (its published vectors)', () => {
    const word = ([lo, hi]: [number, number]) => hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
    expect(word(fnv1a64(''))).toBe('cbf29ce484222325');
    expect(word(fnv1a64('a'))).toBe('af63dc4c8601ec8c');
    expect(word(fnv1a64('foobar'))).toBe('85944171f73967e8');
  });

  it('makes each value a function of its position: any slice of a draw equals the same words of the whole draw', () => {
    const s = stream(3, 'train:/Z');
    const whole = randomBits(s, { iteration: 7, draw: 1 }, 37);
    for (const [start, count] of [[0, 37], [1, 5], [3, 10], [4, 4], [30, 7]] as const) {
      expect(Array.from(randomBits(s, { iteration: 7, draw: 1 }, count, start))).toEqual(Array.from(whole.subarray(start, start + count)));
    }
    // Another iteration, draw, stream or seed: other words.
    const others = [randomBits(s, { iteration: 8, draw: 1 }, 37), randomBits(s, { iteration: 7, draw: 2 }, 37), randomBits(stream(3, 'train:/X'), { iteration: 7, draw: 1 }, 37), randomBits(stream(4, 'train:/Z'), { iteration: 7, draw: 1 }, 37)];
    for (const other of others) expect(Array.from(other)).not.toEqual(Array.from(whole));
  });

  it('gives uniforms and normals with the right moments, and classes and permutations as documented', () => {
    const s = stream(0, 'moments');
    const u = uniforms(s, { iteration: 0, draw: 0 }, 100_000, -1, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 1)).toBeLessThan(0.02);
    const n = normals(s, { iteration: 1, draw: 0 }, 100_001, 2, 3);
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.05);
    expect(Math.abs(variance - 9)).toBeLessThan(0.15);
    // Value i of a normal draw is Box-Muller over words i & ~1 and i | 1.
    const bits = randomBits(s, { iteration: 1, draw: 0 }, 2);
    const radius = Math.sqrt(-2 * Math.log((bits[0]! + 1) / 2 ** 32));
    expect(n[1]).toBe(Math.fround(2 + 3 * (radius * Math.sin((2 * Math.PI * bits[1]!) / 2 ** 32))));
    const classes = categorical(s, { iteration: 2, draw: 0 }, 50_000, 10);
    const counts = Array.from({ length: 10 }, (_, k) => classes.filter((c) => c === k).length);
    for (const count of counts) expect(count).toBeGreaterThan(4_700);
    const order = permutation(s, { iteration: 3, draw: 0 }, 1000);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const keys = randomBits(s, { iteration: 3, draw: 0 }, 1000);
    for (let i = 1; i < order.length; i++) expect(keys[order[i - 1]!]! <= keys[order[i]!]!).toBe(true);
  });
});
