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

/** The first part of a run that the loss axis leaves out (losses start far above where they settle: the VAE's at 1e5). */
const WARM_UP = 0.05;

/**
 * The loss axis after warm-up: the range of every trace's values past its
 * first 5% of points (all of them while there are fewer than 20), padded a
 * little. Undefined when there is nothing to show.
 */
export function settledRange(traces: readonly Trace[]): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const trace of traces) {
    const skip = trace.values.length < 20 ? 0 : Math.ceil(trace.values.length * WARM_UP);
    for (let i = skip; i < trace.values.length; i++) {
      const y = trace.values[i]!;
      if (!Number.isFinite(y)) continue;
      min = Math.min(min, y);
      max = Math.max(max, y);
    }
  }
  if (min > max) return undefined;
  const pad = (max - min) * 0.05 || Math.abs(max) * 0.05 || 1;
  return [min - pad, max + pad];
}
