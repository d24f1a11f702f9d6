import { describe, expect, it } from 'vitest';
import { labelBatches } from '../../../lib/runtime/batches';
import { stream } from '../../../lib/runtime/random';

const classesOf = (labels: Float32Array, classes: number) => Array.from({ length: labels.length / classes }, (_, row) => labels.subarray(row * classes, (row + 1) * classes).indexOf(1));

describe('class labels for conditional models', () => {
  it('lays previews out one grid row of 8 per class, in class order', () => {
    const { labels } = labelBatches({ classes: 10, mode: 'random', class: 0 }, stream(0, 'labels')).fixed!(80);
    expect(classesOf(labels!, 10)).toEqual(Array.from({ length: 80 }, (_, i) => Math.floor(i / 8)));
    // One-hot: exactly one 1 per row.
    expect(labels!.reduce((a, b) => a + b, 0)).toBe(80);
  });

  it('draws each class about as often for training, and only the chosen one in class mode', () => {
    const drawn = classesOf(labelBatches({ classes: 10, mode: 'random', class: 0 }, stream(0, 'labels')).draw({ iteration: 0, draw: 0 }, 10_000).labels!, 10);
    const counts = Array.from({ length: 10 }, (_, k) => drawn.filter((c) => c === k).length);
    for (const count of counts) expect(count).toBeGreaterThan(850);
    const chosen = labelBatches({ classes: 10, mode: 'class', class: 7 }, stream(0, 'labels'));
    expect(new Set(classesOf(chosen.draw({ iteration: 0, draw: 0 }, 64).labels!, 10))).toEqual(new Set([7]));
    expect(new Set(classesOf(chosen.fixed!(80).labels!, 10))).toEqual(new Set([7]));
  });
});
