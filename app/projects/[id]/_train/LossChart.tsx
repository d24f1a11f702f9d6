'use client';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, settledRange, type Trace } from '@/lib/train/chart-data';

/** Points drawn per line: enough for any screen, few enough to redraw live. */
const MAX_POINTS = 1500;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** "#3 D_loss" (an overlaid run's) and "D_loss" are one quantity. */
const baseName = (label: string) => label.replace(/^#\d+ /, '');

/** The plot's height: the chart's box less its legend, so the legend never spills over what follows. */
function plotHeight(element: HTMLElement): number {
  const legend = element.querySelector<HTMLElement>('.u-legend');
  return Math.max(140, element.clientHeight - (legend ? legend.offsetHeight + 8 : 40));
}

/** The two axes' labels, and the right one's fixed range. */
export interface ChartAxes {
  left: string;
  right: string;
  rightRange: [number, number];
}
const LOSS_AXES: ChartAxes = { left: 'loss', right: 'mean D', rightRange: [0, 1] };

interface Props {
  traces: Trace[];
  /** Traces drawn on the right-hand axis (a discriminator's mean output on 0..1). */
  probabilities: ReadonlySet<string>;
  axes?: ChartAxes;
  /** The accessible name (one page may show several charts). */
  name?: string;
  /** Traces drawn dashed (an overlaid earlier run). */
  dashed: ReadonlySet<string>;
  log: boolean;
  /** Changes when the traces' data grew. */
  version: number;
}

/** Losses (and monitors) against iterations, decimated; the loss axis zooms past the warm-up (or is logarithmic). */
export function LossChart({ traces, probabilities, dashed, log, version, axes = LOSS_AXES, name = 'Loss chart' }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>(undefined);
  const shape = `${traces.map((t) => t.label).join('|')}/${log}`;
  const lossRange = useRef<[number, number]>(undefined);
  const setData = (data: Trace[]) => {
    lossRange.current = settledRange(data.filter((t) => !probabilities.has(t.label)));
    plot.current?.setData(chartColumns(data, MAX_POINTS, log) as uPlot.AlignedData);
  };

  useEffect(() => {
    const element = host.current!;
    // One colour per quantity: an overlaid run's "#3 D_loss" is drawn (dashed) in D_loss's colour.
    const colors = new Map<string, string>();
    for (const t of traces) if (!colors.has(baseName(t.label))) colors.set(baseName(t.label), COLORS[colors.size % COLORS.length]!);
    const options: uPlot.Options = {
      width: element.clientWidth || 600,
      height: plotHeight(element),
      scales: {
        x: { time: false },
        y: log ? { distr: 3, log: 10 } : { range: (_u, min, max) => lossRange.current ?? [min, max] },
        p: { range: axes.rightRange },
      },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } },
        // Wide enough for its longest tick label, so the axis label never sits on the numbers.
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, label: log ? `${axes.left} (log)` : axes.left, size: (_u, values) => 28 + 7 * Math.max(3, ...(values ?? []).map((v) => v.length)) },
        ...(traces.some((t) => probabilities.has(t.label)) ? [{ scale: 'p', side: 1, stroke: 'currentColor', grid: { show: false }, label: axes.right } as uPlot.Axis] : []),
      ],
      series: [
        { label: 'iteration' },
        ...traces.map((t) => ({
          label: t.label,
          scale: probabilities.has(t.label) ? 'p' : 'y',
          stroke: colors.get(baseName(t.label)),
          width: 1.25,
          spanGaps: true,
          points: { show: false },
          ...(dashed.has(t.label) && { dash: [6, 4] }),
        })),
      ],
      legend: { live: true },
    };
    lossRange.current = settledRange(traces.filter((t) => !probabilities.has(t.label)));
    plot.current = new uPlot(options, chartColumns(traces, MAX_POINTS, log) as uPlot.AlignedData, element);
    // The legend (one entry per line, wrapping) takes what it needs below the plot, inside the chart's box.
    const fit = () => plot.current?.setSize({ width: element.clientWidth, height: plotHeight(element) });
    fit();
    const resize = new ResizeObserver(fit);
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // The chart is rebuilt only when its lines or scale change; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  // Redraws at most every ten times as long as a redraw takes: a long run's chart never hogs the page.
  const lastDraw = useRef({ at: 0, took: 0 });
  const latest = useRef(traces);
  latest.current = traces;
  useEffect(() => {
    const draw = () => {
      const start = performance.now();
      setData(latest.current);
      lastDraw.current = { at: start, took: performance.now() - start };
    };
    const wait = lastDraw.current.at + 10 * lastDraw.current.took - performance.now();
    if (wait <= 0) return draw();
    const timer = setTimeout(draw, wait);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version]);

  return <div className="loss-chart" ref={host} role="img" aria-label={name} data-points={traces[0]?.steps.length ?? 0} />;
}
