import { describe, expect, it } from 'vitest';
import { chartColumns, settledRange } from '../../../lib/train/chart-data';

describe('chart columns', () => {
  it('decimates 300,000 points to the limit, keeping the ends and a spike', () => {
    const steps = Array.from({ length: 300_000 }, (_, i) => i);
    const values = steps.map((i) => (i === 123_457 ? 50 : 1 + Math.sin(i / 1000) * 0.1));
    const [xs, ys] = chartColumns([{ label: 'loss', steps, values }], 1000);
    expect(xs.length).toBe(1000);
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)).toBe(299_999);
    expect(Math.max(...(ys as number[]))).toBe(50);
  });

  it('aligns traces with different steps on one axis, null where a trace has no point', () => {
    const columns = chartColumns(
      [
        { label: 'loss', steps: [0, 1, 2, 3], values: [4, 3, 2, 1] },
        { label: 'monitor', steps: [1, 3], values: [0.5, 0.6] },
      ],
      100,
    );
    expect(columns).toEqual([
      [0, 1, 2, 3],
      [4, 3, 2, 1],
      [null, 0.5, null, 0.6],
    ]);
  });

  it('drops values a log scale cannot show', () => {
    expect(chartColumns([{ label: 'loss', steps: [0, 1, 2], values: [1, 0, -1] }], 10, true)).toEqual([[0], [1]]);
  });

  it('zooms the loss axis past the warm-up: a VAE loss that starts at 1e5 and settles near 100 stays readable', () => {
    const steps = Array.from({ length: 200 }, (_, i) => i);
    const vae = { label: 'loss', steps, values: steps.map((i) => (i < 5 ? 1e5 / (i + 1) : 100 + 10 * Math.sin(i))) };
    const [low, high] = settledRange([vae])!;
    expect(low).toBeGreaterThan(80);
    expect(high).toBeLessThan(120);
    // Few points: nothing is skipped yet.
    expect(settledRange([{ label: 'loss', steps: [0, 1], values: [1e5, 100] }])![1]).toBeGreaterThan(1e5);
    expect(settledRange([{ label: 'loss', steps: [], values: [] }])).toBeUndefined();
  });
});
