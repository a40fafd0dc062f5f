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
  /**
   * The x axis, [from, to] in seconds: the period the chart reports on, never the data's own extent
   * (uPlot widens a single timestamp by 86,400 / 1e-3 s — 1,000 days — and stretches sparse points).
   */
  readonly xRange: readonly [number, number];
  readonly series: readonly Series[];
  readonly leftLabel: string;
  readonly rightLabel?: string;
  readonly format?: (v: number) => string;
}

/**
 * A time-series chart (uPlot: canvas, ~45 KB, draws thousands of points in milliseconds) in a
 * figure with a text caption, so the chart's content is also readable without the canvas. The x
 * axis is pinned to `xRange` whatever the data holds (one point, none, or two far apart); the range
 * uPlot actually drew is on the holder (`data-x-min`, `data-x-max`, seconds) for the browser suite.
 */
export function drawChart(options: ChartOptions): HTMLElement {
  const holder = el('div', { class: 'chart', role: 'img', 'aria-label': options.title });
  const figure = el('figure', { class: 'chart-figure' }, el('figcaption', {}, options.title), holder);
  const fmt = options.format ?? ((v: number) => String(v));
  const axes: uPlot.Axis[] = [{}, { label: options.leftLabel, values: (_u, vals) => vals.map(fmt) }];
  if (options.rightLabel) axes.push({ side: 1, scale: 'right', label: options.rightLabel, grid: { show: false } });
  const [from, to] = options.xRange;
  const width = Math.max(320, Math.min(1100, window.innerWidth - 80));
  new uPlot(
    {
      width,
      height: 240,
      axes,
      scales: { x: { time: true, range: () => [from, to] } },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            holder.dataset['xMin'] = String(u.scales['x']?.min ?? '');
            holder.dataset['xMax'] = String(u.scales['x']?.max ?? '');
          },
        ],
      },
      // Points always: sparse series (windows without traffic are gaps) would otherwise be invisible.
      series: [{}, ...options.series.map((s) => ({ label: s.label, stroke: s.color, fill: undefined, width: 2, scale: s.axis === 'right' ? 'right' : 'y', points: { show: true, size: 5, fill: s.color } }))],
    },
    [options.x as number[], ...options.series.map((s) => s.values as Array<number | null>)],
    holder,
  );
  return figure;
}
