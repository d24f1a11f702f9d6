import { describe, expect, it } from 'vitest';
import { ImportError } from '../../../lib/data/import/files';
import { parseImportOptions } from '../../../lib/data/import/options';
import { mergeRanges, pixelScale, RangeScanner, toBytes, type FoundRange } from '../../../lib/data/import/range';

/** The range of `values` as an importer finds it, each value's place named by its index. */
const found = (values: number[], file = 'x.npy'): FoundRange => {
  const scanner = new RangeScanner((i) => `${file}, value ${i}`);
  values.forEach((v, i) => scanner.see(v, i));
  return scanner;
};
const bytes = (values: number[], declared?: { low: number; high: number }) => Array.from(toBytes(values, pixelScale(found(values), declared)));
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('pixel values to bytes', () => {
  it('keeps bytes of 0-255 as they are, and says nothing', () => {
    expect(bytes([0, 17, 128, 255])).toEqual([0, 17, 128, 255]);
    expect(pixelScale(found([0, 64]), undefined)).toEqual({ shift: 0, scale: 1 });
  });

  it('scales small whole numbers (8x8 digits of 0-16) from 0..max, saying so', () => {
    expect(bytes([0, 4, 8, 16])).toEqual([0, 64, 128, 255]);
    expect(pixelScale(found([0, 16]), undefined).note).toMatch(/whole numbers from 0 to 16, far below 255: read as 0 to 16 and scaled to 0-255 \(x15\.9375\)/);
    // 63 is still small; 64 is a quarter of the range and kept.
    expect(bytes([0, 63])).toEqual([0, 255]);
    expect(bytes([0, 64])).toEqual([0, 64]);
    // Whole numbers stored as floats (scikit-learn's digits.data is float64 0.0-16.0) are whole numbers too.
    expect(bytes([0.0, 16.0, 2.0])).toEqual([0, 255, 32]);
  });

  it('reads 0/1 as black and white, [0, 1] and [-1, 1] floats as before', () => {
    expect(bytes([0, 1, 1, 0])).toEqual([0, 255, 255, 0]);
    expect(pixelScale(found([0, 1]), undefined).note).toMatch(/0 and 1 only/);
    expect(bytes([0, 0.5, 1])).toEqual([0, 128, 255]);
    expect(bytes([-1, 0, 1])).toEqual([0, 128, 255]);
    // Fractions within 0-255 are rounded, not scaled.
    expect(bytes([0.4, 100.6, 200])).toEqual([0, 101, 200]);
  });

  it('takes a declared range as black to white, refusing values outside it where they lie', () => {
    expect(bytes([0, 8, 16], { low: 0, high: 32 })).toEqual([0, 64, 128]);
    expect(bytes([0, 2048, 4095], { low: 0, high: 4095 })).toEqual([0, 128, 255]);
    expect(pixelScale(found([0, 8]), { low: 0, high: 32 }).note).toMatch(/read as 0 \(black\) to 32 \(white\), as declared/);
    expect(refusal(() => pixelScale(found([0, 40]), { low: 0, high: 32 }))).toBe('x.npy, value 1: value 40 is above the declared range 0 to 32');
    expect(refusal(() => pixelScale(found([3, -2]), { low: 0, high: 32 }))).toBe('x.npy, value 1: value -2 is below the declared range 0 to 32');
  });

  it('refuses values no rule reads, naming where the extreme lies and how to declare a range', () => {
    expect(refusal(() => pixelScale(found([0, 300, 4095, 7]), undefined))).toBe(
      'x.npy, value 2: value 4095 is above 255: pixels must be 0-255, or floats in [0, 1] or [-1, 1]; declare their range (e.g. 0-4095) to scale others',
    );
    expect(refusal(() => pixelScale(found([5, -3]), undefined))).toMatch(/^x\.npy, value 1: value -3 is below 0: .*declare their range \(e\.g\. -3\.\.5\)/);
  });

  it('decides one scale for all splits of a dataset', () => {
    const train = found([0, 16], 'train.npy');
    const test = found([0, 12], 'test.npy');
    const scale = pixelScale(mergeRanges([train, test]), undefined);
    expect(Array.from(toBytes([12], scale))).toEqual([191]);
    expect(mergeRanges([train, found([0, 300], 'test.npy')]).maxAt).toBe('test.npy, value 1');
  });
});

describe('import options from a form or a command line', () => {
  it('reads every option, an empty field being the default', () => {
    expect(parseImportOptions({ size: '32x32', channels: 'rgb', background: 'black', range: '0-16', label: 'last', shape: '8x8' })).toEqual({
      ok: true,
      value: { size: { height: 32, width: 32 }, channels: 3, background: 'black', range: { low: 0, high: 16 }, label: 'last', shape: { height: 8, width: 8, channels: 1 } },
    });
    expect(parseImportOptions({ size: '', channels: undefined, range: ' ', label: null })).toEqual({ ok: true, value: {} });
    expect(parseImportOptions({ range: '-1..1', label: 'digit', shape: '32x32x3', background: 'alpha' })).toEqual({
      ok: true,
      value: { range: { low: -1, high: 1 }, label: { name: 'digit' }, shape: { height: 32, width: 32, channels: 3 }, background: 'alpha' },
    });
    expect(parseImportOptions({ range: '0 to 4095' })).toMatchObject({ value: { range: { low: 0, high: 4095 } } });
  });

  it('refuses a bad value naming the option and what it takes', () => {
    const error = (raw: Parameters<typeof parseImportOptions>[0]) => {
      const parsed = parseImportOptions(raw);
      return parsed.ok ? 'accepted' : parsed.error;
    };
    expect(error({ size: '64' })).toBe('size must be HEIGHTxWIDTH, e.g. 64x64, got "64"');
    expect(error({ size: '2000x2000' })).toBe('size: from 1x1 to 1024x1024, got "2000x2000"');
    expect(error({ channels: 'cmyk' })).toBe('channels must be grey or rgb, got "cmyk"');
    expect(error({ background: 'grey' })).toMatch(/^background must be white, black or alpha/);
    expect(error({ background: 'alpha', channels: 'grey' })).toMatch(/^background alpha keeps transparency as a fourth channel .* cannot be combined with channels grey/);
    expect(error({ range: 'sixteen' })).toMatch(/^range must be LOW-HIGH/);
    expect(error({ range: '16-0' })).toBe('range: its high end must be above its low end, got "16-0"');
    expect(error({ shape: '8x8x2' })).toBe('shape: 1 (greyscale) or 3 (RGB) channels, got "8x8x2"');
    expect(error({ shape: 'eight' })).toMatch(/^shape must be HEIGHTxWIDTH/);
  });
});
