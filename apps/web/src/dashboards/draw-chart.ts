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
  /**
   * Totals per day instead of samples: grouped bars from zero (one slot per day, series side by
   * side) and the time axis labelled once per day.
   */
  readonly perDay?: boolean;
}

const DAY_S = 86_400;
const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** A y axis wide enough for its longest tick label, so the axis title never overlaps it. */
const fitLabels: uPlot.Axis.Size = (_u, values) => 36 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length));

/** y from zero to a little above the highest value (1 when there is nothing to show). */
const fromZero: uPlot.Range.Function = (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1];

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
  const perDay = options.perDay === true;
  const xAxis: uPlot.Axis = perDay ? { incrs: [DAY_S, 7 * DAY_S, 14 * DAY_S], values: (_u, splits) => splits.map((v) => dayLabel.format(v * 1000)) } : {};
  const axes: uPlot.Axis[] = [xAxis, { label: options.leftLabel, values: (_u, vals) => vals.map(fmt), size: fitLabels }];
  if (options.rightLabel) axes.push({ side: 1, scale: 'right', label: options.rightLabel, grid: { show: false }, size: fitLabels });
  // Per day: bars from zero; two series sit side by side (left of the day's midnight, right of it).
  const n = options.series.length;
  const bars = (i: number): uPlot.Series.PathBuilder | undefined => uPlot.paths.bars?.({ size: [n === 2 ? 0.35 : 0.6, 40], align: n === 2 ? (i === 0 ? -1 : 1) : 0 });
  const [from, to] = options.xRange;
  const width = Math.max(320, Math.min(1100, window.innerWidth - 80));
  new uPlot(
    {
      width,
      height: 240,
      axes,
      scales: perDay ? { x: { time: true, range: () => [from, to] }, y: { range: fromZero }, right: { range: fromZero } } : { x: { time: true, range: () => [from, to] } },
      legend: { live: false },
      // Days are the ledger's UTC days: tick and label them in UTC, whatever the browser's zone.
      ...(perDay ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            holder.dataset['xMin'] = String(u.scales['x']?.min ?? '');
            holder.dataset['xMax'] = String(u.scales['x']?.max ?? '');
          },
        ],
      },
      series: [
        {},
        ...options.series.map((s, i) =>
          perDay
            ? { label: s.label, stroke: s.color, fill: s.color, width: 1, scale: s.axis === 'right' ? 'right' : 'y', paths: bars(i), points: { show: false } }
            : // Points always: sparse series (windows without traffic are gaps) would otherwise be invisible.
              { label: s.label, stroke: s.color, fill: undefined, width: 2, scale: s.axis === 'right' ? 'right' : 'y', points: { show: true, size: 5, fill: s.color } },
        ),
      ],
    },
    [options.x as number[], ...options.series.map((s) => s.values as Array<number | null>)],
    holder,
  );
  return figure;
}
