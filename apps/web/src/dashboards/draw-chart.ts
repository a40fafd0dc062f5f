import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from '../ui/el.ts';

/** One plotted line. */
export interface Series {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly color: string;
  /** Which y axis: "left" (default) or "right". */
  readonly axis?: 'left' | 'right';
}

/** Options for {@link drawChart}. */
export interface ChartOptions {
  readonly title: string;
  /** x values in seconds since the epoch. */
  readonly x: readonly number[];
  readonly series: readonly Series[];
  readonly leftLabel: string;
  readonly rightLabel?: string;
  readonly format?: (v: number) => string;
}

/**
 * A time-series chart (uPlot: canvas, ~45 KB, draws thousands of points in milliseconds) in a
 * figure with a text caption, so the chart's content is also readable without the canvas.
 */
export function drawChart(options: ChartOptions): HTMLElement {
  const holder = el('div', { class: 'chart', role: 'img', 'aria-label': options.title });
  const figure = el('figure', { class: 'chart-figure' }, el('figcaption', {}, options.title), holder);
  const fmt = options.format ?? ((v: number) => String(v));
  const axes: uPlot.Axis[] = [{}, { label: options.leftLabel, values: (_u, vals) => vals.map(fmt) }];
  if (options.rightLabel) axes.push({ side: 1, scale: 'right', label: options.rightLabel, grid: { show: false } });
  const width = Math.max(320, Math.min(1100, window.innerWidth - 80));
  new uPlot(
    {
      width,
      height: 240,
      axes,
      // One point (a single day) gets a day of room instead of uPlot's years-wide default.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 43_200, max + 43_200] : [min, max]) } },
      // Points always: sparse series (windows without traffic are gaps) would otherwise be invisible.
      series: [{}, ...options.series.map((s) => ({ label: s.label, stroke: s.color, fill: undefined, width: 2, scale: s.axis === 'right' ? 'right' : 'y', points: { show: true, size: 5, fill: s.color } }))],
    },
    [options.x as number[], ...options.series.map((s) => s.values as Array<number | null>)],
    holder,
  );
  return figure;
}
