import { describe, expect, it } from 'vitest';
import { fieldValues, paramFields, readParams, requirement } from '../../../lib/kinds/fields';
import { getKind, kinds } from '../../../lib/kinds/registry';

/** Params as the inspector and the problems list show them: every field its real value, every message in words. */
const dense = getKind('dense')!;
const read = (kind: string, raw: Record<string, unknown>) => {
  const k = getKind(kind)!;
  const reading = readParams(k, raw);
  return { messages: [...reading.issues.values()], values: fieldValues(k, raw, reading), reading };
};

describe('param fields in words', () => {
  it('says what a whole number out of range must be, and keeps the other fields as they are', () => {
    const { messages, values, reading } = read('dense', { units: -5, activation: 'relu' });
    expect(messages).toEqual(['units must be a whole number from 1 to 65,536']);
    // Stddev and use bias are not stored: they show the defaults that apply, not blanks.
    expect(values).toEqual({ units: -5, activation: 'relu', kernelInit: 'xavier-normal', stddev: 0.01, useBias: true });
    expect(reading.parsed).toBeUndefined();
    expect(reading.fallback).toMatchObject({ units: 128, activation: 'relu' });
  });

  it('refuses a fraction where a whole number goes, in words rather than zod\'s', () => {
    expect(read('dense', { units: 2.5 }).messages).toEqual(['units must be a whole number from 1 to 65,536']);
    expect(read('dense', { units: -2.5 }).messages).toHaveLength(1);
  });

  it('an emptied field needs a value: it never silently means the default', () => {
    const { messages, values } = read('dense', { units: null });
    expect(messages).toEqual(['units needs a value: a whole number from 1 to 65,536']);
    expect(values.units).toBeNull();
  });

  it('names only the bounds that matter: a technical cap is said to a value beyond it', () => {
    const reshape = getKind('reshape')!;
    expect(requirement(paramFields(reshape).find((f) => f.key === 'shape')!, [3])).toBe('a list of 1 to 8 whole numbers of at least -1, separated by commas');
    expect(read('flatten', {}).messages).toEqual([]);
    expect(read('dense', { stddev: 0 }).messages).toEqual(['stddev must be a number greater than 0']);
    expect(read('dense', { activation: 'swish' }).messages).toEqual(['activation must be one of linear, relu, sigmoid, tanh, silu']);
    expect(read('dense', { useBias: 'yes' }).messages).toEqual(['use bias must be on or off']);
    expect(read('dropout', { rate: 2 }).messages).toEqual(['rate must be a number from 0 to 0.95']);
  });

  it('keeps a kind\'s own message, naming the field', () => {
    expect(read('reshape', { shape: [0, 4] }).messages).toEqual(['shape: dimensions must be positive or -1']);
    expect(read('resize-bilinear', { alignCorners: true, halfPixelCenters: true }).messages).toEqual(['half pixel centers: cannot be on together with align corners']);
  });

  it('every field of every kind has a requirement in words, and defaults read without a message', () => {
    for (const kind of kinds) {
      for (const field of paramFields(kind)) expect(requirement(field), `${kind.kind}.${field.key}`).not.toMatch(/valid value|undefined|NaN/);
      if (kind.params.safeParse({}).success) expect(readParams(kind, {}).issues.size, kind.kind).toBe(0);
    }
    expect(paramFields(dense).map((f) => f.title)).toEqual(['Units', 'Activation', 'Kernel init', 'Stddev', 'Use bias']);
  });
});
