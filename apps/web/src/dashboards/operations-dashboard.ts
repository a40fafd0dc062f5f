import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { TrafficWindow, WatchLiveResponse } from '@sophia/contracts/dashboard';
import { BreakerState, type BreakerStatus, type BreakerTransition } from '@sophia/contracts/router';
import { el, replaceChildren } from '../ui/el.ts';
import { formatCount, formatMs, formatPercent } from '../ui/format.ts';
import { failureText, markDrawn, type Dashboard } from './dashboard-frame.ts';
import { drawChart } from './draw-chart.ts';
import { startLiveStream } from './live-stream.ts';
import { dataTable, figureCard } from './widgets.ts';

const WINDOWS = [
  { ms: 60_000, label: 'Last minute' },
  { ms: 300_000, label: 'Last 5 minutes' },
  { ms: 900_000, label: 'Last 15 minutes' },
];
const INTERVAL_MS = 5000;

function stateText(state: BreakerState): string {
  switch (state) {
    case BreakerState.CLOSED:
      return 'closed';
    case BreakerState.HALF_OPEN:
      return 'half-open';
    case BreakerState.OPEN:
      return 'open';
    default:
      return 'unknown';
  }
}

/** When a transition happened: the time today, else the date and time. */
function whenText(atMs: number, nowMs: number): string {
  const at = new Date(atMs);
  return at.toDateString() === new Date(nowMs).toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}

/** The seconds the series covers: from the first interval's start to the last one's end. */
function seriesSpan(series: readonly TrafficWindow[]): [number, number] {
  const first = series[0];
  const last = series[series.length - 1];
  const endOf = (w: TrafficWindow | undefined): number => (w?.end ? timestampMs(w.end) / 1000 : 0);
  return [endOf(first) - (first?.windowMs ?? 0) / 1000, endOf(last)];
}

function rate(part: bigint, whole: bigint): string {
  return whole === 0n ? '—' : formatPercent(Number(part) / Number(whole));
}

function draw(snap: WatchLiveResponse, windowLabel: string): Node[] {
  const w = snap.current;
  const requests = w?.requests ?? 0n;
  const gpu = snap.gpuCapacity;
  const series = snap.series;
  return [
    el(
      'div',
      { class: 'cards' },
      figureCard('requests', `Requests (${windowLabel.toLowerCase()})`, formatCount(requests), requests),
      figureCard('p50', 'Latency p50', requests ? formatMs(w?.latencyP50Ms ?? 0) : '—', w?.latencyP50Ms ?? 0),
      figureCard('p95', 'Latency p95', requests ? formatMs(w?.latencyP95Ms ?? 0) : '—', w?.latencyP95Ms ?? 0),
      figureCard('p99', 'Latency p99', requests ? formatMs(w?.latencyP99Ms ?? 0) : '—', w?.latencyP99Ms ?? 0),
      figureCard('error-rate', 'Error rate', rate(w?.errors ?? 0n, requests), String(w?.errors ?? 0n), `${formatCount(w?.errors ?? 0n)} failed, ${formatCount(w?.cancelled ?? 0n)} cancelled`),
      figureCard('fallback-rate', 'Fallback rate', rate(w?.fallbacks ?? 0n, requests), String(w?.fallbacks ?? 0n), `${formatCount(w?.fallbacks ?? 0n)} answered by a fallback`),
      figureCard('in-flight', 'In flight now', formatCount(snap.inFlight), snap.inFlight),
      figureCard('gpu-queue', 'GPU queue depth', gpu ? formatCount(gpu.totalWaiting) : '—', gpu?.totalWaiting ?? '', gpu ? `${formatCount(gpu.totalRunning)} running on ${gpu.healthyEndpoints}/${gpu.endpoints.length} healthy endpoints` : 'no GPU pool reported'),
    ),
    series.some((s) => s.requests > 0n)
      ? drawChart({
          title: `Latency per ${INTERVAL_MS / 1000} s over the last ${Math.round((series.length * INTERVAL_MS) / 60_000)} minutes (answered requests)`,
          x: series.map((s) => (s.end ? timestampMs(s.end) / 1000 : 0)),
          xRange: seriesSpan(series),
          series: [
            { label: 'p50', values: series.map((s) => (s.requests > 0n ? s.latencyP50Ms : null)), color: '#166534' },
            { label: 'p95', values: series.map((s) => (s.requests > 0n ? s.latencyP95Ms : null)), color: '#b45309' },
            { label: 'p99', values: series.map((s) => (s.requests > 0n ? s.latencyP99Ms : null)), color: '#b91c1c' },
          ],
          leftLabel: 'ms',
          format: (v) => formatMs(v),
        })
      : el('p', { class: 'empty' }, 'No chat requests through this gateway in the last few minutes.'),
    dataTable<BreakerStatus>(
      'breakers',
      'Circuit breakers (router)',
      [
        { header: 'Target', text: (b) => b.target },
        { header: 'State', text: (b) => stateText(b.state), className: (b) => (b.state === BreakerState.OPEN ? 'alert-100' : b.state === BreakerState.HALF_OPEN ? 'alert-80' : undefined) },
        { header: 'Consecutive failures', text: (b) => formatCount(b.consecutiveFailures), numeric: true },
        { header: 'Failures / calls (window)', text: (b) => `${b.windowFailures} / ${b.windowFires}`, numeric: true },
        { header: 'Last change', text: (b) => (b.changedAt ? new Date(timestampMs(b.changedAt)).toLocaleTimeString() : 'never') },
      ],
      snap.breakers,
      'The router reports no breakers yet (none has been called).',
    ),
    dataTable<BreakerTransition>(
      'transitions',
      'Breaker transitions (recorded by the router, newest first)',
      [
        { header: 'When', text: (t) => (t.at ? whenText(timestampMs(t.at), snap.time ? timestampMs(snap.time) : Date.now()) : '—'), raw: (t) => (t.at ? timestampMs(t.at) : '') },
        { header: 'Target', text: (t) => t.target },
        { header: 'From', text: (t) => stateText(t.from) },
        { header: 'To', text: (t) => stateText(t.to), className: (t) => (t.to === BreakerState.OPEN ? 'alert-100' : t.to === BreakerState.HALF_OPEN ? 'alert-80' : undefined) },
      ],
      snap.breakerTransitions,
      'No breaker has changed state in the router’s history (kept for 7 days by default).',
    ),
    gpu
      ? dataTable(
          'gpu',
          'GPU pool',
          [
            { header: 'Endpoint', text: (e) => e.endpoint },
            { header: 'Healthy', text: (e) => (e.healthy ? 'yes' : `no${e.lastError ? ` (${e.lastError})` : ''}`) },
            { header: 'Running', text: (e) => formatCount(e.requestsRunning), raw: (e) => e.requestsRunning, numeric: true },
            { header: 'Waiting', text: (e) => formatCount(e.requestsWaiting), raw: (e) => e.requestsWaiting, numeric: true },
            { header: 'KV cache', text: (e) => formatPercent(e.kvCacheUsage), numeric: true },
          ],
          gpu.endpoints,
          'The GPU pool has no endpoints.',
        )
      : null,
    snap.problems.length > 0 ? el('ul', { class: 'error', 'aria-label': 'What could not be read' }, ...snap.problems.map((p) => el('li', {}, p))) : null,
  ].filter((n): n is HTMLElement => n !== null);
}

/**
 * `/dashboards/operations`: the gateway's live traffic (latency percentiles, error and fallback
 * rates, requests in flight), the router's breakers with the transitions it recorded, and
 * the GPU pool's capacity and queue — one server stream, closed while the tab is hidden.
 */
export const operationsDashboard: Dashboard = {
  title: 'Operations dashboard',
  ranged: false,
  mount(area, ctx) {
    const select = el('select', { id: 'window', name: 'window' }, ...WINDOWS.map((w) => el('option', { value: w.ms }, w.label)));
    area.before(el('div', { class: 'toolbar' }, el('label', { for: 'window' }, 'Figures over'), select));
    let stop = (): void => undefined;
    const start = (): void => {
      stop();
      const windowMs = Number(select.value);
      const label = WINDOWS.find((w) => w.ms === windowMs)?.label ?? '';
      stop = startLiveStream({
        open: (signal) => ctx.client.watchLive({ intervalMs: INTERVAL_MS, windowMs }, { signal }),
        onMessage: (snap) => {
          const atMs = snap.time ? timestampMs(snap.time) : Date.now();
          markDrawn(() => {
            replaceChildren(area, ...draw(snap, label));
            area.setAttribute('aria-busy', 'false');
          });
          ctx.setStatus(`Live · updated ${new Date(atMs).toLocaleTimeString()} · the stream pauses while this tab is hidden`);
        },
        onError: (err) => {
          if (err !== undefined) ctx.setStatus(`Live stream interrupted: ${failureText(err)} (reconnecting with backoff)`, true);
        },
      });
    };
    select.addEventListener('change', start);
    start();
    return () => stop();
  },
};
