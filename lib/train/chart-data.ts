import { createLTTB } from 'downsample';

/** One line on a chart: its points in step order. */
export interface Trace {
  label: string;
  steps: readonly number[];
  values: readonly number[];
}

interface Point {
  x: number;
  y: number;
}

const lttb = createLTTB<Point>({ x: 'x', y: 'y' });

/**
 * Chart columns for uPlot: each trace decimated on its own (largest triangle
 * three buckets keeps spikes, which averaging would hide) to at most
 * `maxPoints`, then laid on the union of the kept steps, null where a trace
 * has no point. With log scale, values that are not positive are dropped.
 */
export function chartColumns(traces: readonly Trace[], maxPoints: number, log = false): [number[], ...(number | null)[][]] {
  const kept = traces.map((trace) => {
    const points: Point[] = [];
    trace.steps.forEach((x, i) => {
      const y = trace.values[i]!;
      if (Number.isFinite(y) && (!log || y > 0)) points.push({ x, y });
    });
    return points.length > maxPoints ? Array.from(lttb(points, maxPoints) as ArrayLike<Point>) : points;
  });
  const xs = [...new Set(kept.flatMap((points) => points.map((p) => p.x)))].sort((a, b) => a - b);
  const column = new Map(xs.map((x, i) => [x, i]));
  const ys = kept.map((points) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of points) out[column.get(p.x)!] = p.y;
    return out;
  });
  return [xs, ...ys];
}
