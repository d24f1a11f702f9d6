import { describe, expect, it } from 'vitest';
import { readParams } from '../../../lib/kinds/fields';
import { memoryOf, ShapeError, type OpKind } from '../../../lib/kinds/kind';
import { getKind } from '../../../lib/kinds/registry';
import type { Shape } from '../../../lib/kinds/shape';

/**
 * The layers a diffusion model's denoiser needs (the time embedding,
 * self-attention at low resolution): what they refuse, in words that say the
 * fix, and what they tell analysis. Their numerics: tests/unit/compile/ops.test.ts.
 */
const op = (kind: string) => getKind(kind) as OpKind;
const ctx = { network: () => undefined };

/** The ShapeError a kind throws for these inputs. */
function refusal(kind: string, params: object, inputs: Record<string, Shape>): ShapeError {
  const k = op(kind);
  try {
    k.inferShape(k.params.parse(params), inputs, ctx);
  } catch (e) {
    if (e instanceof ShapeError) return e;
    throw e;
  }
  throw new Error(`${kind} accepted ${JSON.stringify(inputs)}`);
}

describe('time embedding', () => {
  it('embeds one time per row into dim values between -1 and 1, keeping the rows', () => {
    const k = op('time-embedding');
    expect(k.inferShape(k.params.parse({ dim: 32 }), { t: [null, 1] }, ctx)).toEqual({ y: [null, 32] });
    expect(k.inferShape(k.params.parse({}), { t: [3, 1] }, ctx)).toEqual({ y: [3, 64] });
    expect(k.bounds!(k.params.parse({}), {})).toEqual({ y: [-1, 1] });
  });

  it('refuses t that is not [b, 1] on its port, naming the shape and the fix', () => {
    const wide = refusal('time-embedding', {}, { t: [null, 3] });
    expect(wide).toMatchObject({ port: 't', message: 'expects one time per row [b, 1], got [b, 3]' });
    expect(wide.fix).toMatch(/shape \[1\]/);
    expect(refusal('time-embedding', {}, { t: [null, 1, 1] }).port).toBe('t');
  });

  it('refuses an odd dim, naming the field', () => {
    expect([...readParams(op('time-embedding'), { dim: 7 }).issues.values()]).toEqual(['dim: must be even (as many sines as cosines)']);
    expect(readParams(op('time-embedding'), { dim: 8, maxPeriod: 100, scale: 1000 }).issues.size).toBe(0);
  });
});

describe('self-attention', () => {
  it('keeps the feature map\'s shape, up to 32 x 32 positions', () => {
    const k = op('self-attention');
    expect(k.inferShape(k.params.parse({ heads: 4 }), { x: [null, 32, 32, 8] }, ctx)).toEqual({ y: [null, 32, 32, 8] });
    expect(k.inferShape(k.params.parse({}), { x: [2, 1, 1, 3] }, ctx)).toEqual({ y: [2, 1, 1, 3] });
  });

  it('refuses heads that do not divide the channels, naming both', () => {
    const e = refusal('self-attention', { heads: 3 }, { x: [null, 4, 4, 8] });
    expect(e).toMatchObject({ port: 'x', message: '3 heads do not divide its 8 channels' });
    expect(e.fix).toMatch(/divisor of 8/);
  });

  it('refuses more than 1024 positions: it is meant for low resolutions', () => {
    const e = refusal('self-attention', {}, { x: [null, 64, 64, 4] });
    expect(e.port).toBe('x');
    expect(e.message).toMatch(/^attention over 4096 positions \(64 x 64\)/);
    expect(e.fix).toMatch(/lower resolution/);
    expect(op('self-attention').inferShape({ heads: 1 }, { x: [null, 33, 31, 4] }, ctx)).toEqual({ y: [null, 33, 31, 4] });
  });

  it('counts its [b, heads, hw, hw] matrices in its memory figure, per value of x', () => {
    const k = op('self-attention');
    const figure = (heads: number, x: Shape) => memoryOf(k, k.params.parse({ heads }), { x });
    // hw^2 heads per b hw c values of x: 5 matrices of heads hw / c each, beside the linear parts' 28.
    expect(figure(1, [null, 32, 32, 8])).toBe(28 + 5 * 128);
    expect(figure(4, [null, 8, 8, 16])).toBe(28 + 5 * 16);
    // A node with errors still has a figure.
    expect(figure(1, [null, 8])).toBe(28);
    expect(memoryOf(k, k.params.parse({}), {})).toBe(28);
  });
});
