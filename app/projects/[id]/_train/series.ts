import type { MetricPoint } from '@/lib/train/protocol';
import type { Trace } from '@/lib/train/chart-data';

/** A run's logged values as one growing column per series (losses every iteration, monitors now and then). */
export class MetricSeries {
  private columns = new Map<string, { steps: number[]; values: number[] }>();
  names: string[] = [];

  reset(names: string[]) {
    this.names = names;
    this.columns = new Map(names.map((n) => [n, { steps: [], values: [] }]));
  }

  add(points: readonly MetricPoint[]) {
    for (const { step, values } of points) {
      for (const [name, value] of Object.entries(values)) {
        let column = this.columns.get(name);
        if (!column) {
          column = { steps: [], values: [] };
          this.columns.set(name, column);
          this.names.push(name);
        }
        column.steps.push(step);
        column.values.push(value);
      }
    }
  }

  traces(prefix = ''): Trace[] {
    return this.names.map((name) => ({ label: `${prefix}${name}`, ...this.columns.get(name)! }));
  }

  static from(names: string[], points: readonly MetricPoint[]): MetricSeries {
    const series = new MetricSeries();
    series.reset([...names]);
    series.add(points);
    return series;
  }
}
