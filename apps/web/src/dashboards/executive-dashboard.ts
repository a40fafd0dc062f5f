import { Dimension } from '@sophia/contracts/ledger';
import { el } from '../ui/el.ts';
import { formatCount, formatUsd, humanNote } from '../ui/format.ts';
import { reportLoop, type Dashboard } from './dashboard-frame.ts';
import { drawChart } from './draw-chart.ts';
import { daySeconds, daySlots, micro, periodRequest } from './report-values.ts';
import { roiFigure, savedShareText } from './roi-figure.ts';
import { figureCard } from './widgets.ts';

/**
 * `/dashboards/executive`: what the mesh saved against the always-on GPU fleet and against sending
 * everything to the largest tier, spend and requests per day, ROI and the month-end projection — all
 * from the ledger's usage and savings reports for the period.
 */
export const executiveDashboard: Dashboard = {
  title: 'Executive dashboard',
  ranged: true,
  mount(area, ctx, range, onRange) {
    return reportLoop(area, ctx, range, onRange, async (period, signal) => {
      const [usage, savings] = await Promise.all([
        ctx.client.getUsageReport({ ...periodRequest(period), groupBy: [Dimension.DAY] }, { signal }),
        ctx.client.getSavingsReport(periodRequest(period), { signal }),
      ]);
      return () => {
        const u = usage.report;
        const s = savings.report;
        const spend = micro(u?.total?.cost);
        const requests = u?.total?.requests ?? 0n;
        if (!u || !s || requests === 0n) return [el('p', { class: 'empty' }, 'No requests in this period yet: figures appear once the mesh has served traffic.')];
        const vsBaseline = micro(s.savingsVsGpuBaseline);
        const baseline = micro(s.gpuBaseline);
        const roi = roiFigure(vsBaseline, spend);
        const share = savedShareText(vsBaseline, baseline);
        const days = [...u.rows].sort((a, b) => (a.keys[0] ?? '').localeCompare(b.keys[0] ?? ''));
        return [
          el(
            'div',
            { class: 'cards' },
            figureCard('spend', 'Spend', formatUsd(spend), spend),
            figureCard('requests', 'Requests', formatCount(requests), requests),
            figureCard('savings-gpu', 'Saved vs the GPU baseline', formatUsd(vsBaseline), vsBaseline, share ? `${share} of the ${formatUsd(baseline)} baseline for the period` : 'no GPU baseline configured'),
            figureCard('savings-largest', 'Saved vs all on the largest tier', formatUsd(micro(s.savingsVsLargestTier)), micro(s.savingsVsLargestTier), `all-largest would cost ${formatUsd(micro(s.allLargestTier))}`),
            figureCard('roi', 'ROI vs the GPU baseline', roi.text, roi.raw, '(baseline − spend) ÷ spend; n/a under a cent of spend'),
            figureCard('projection', 'Month-end projection', formatUsd(micro(u.monthEndProjection)), micro(u.monthEndProjection), `month to date ${formatUsd(micro(u.monthToDate))}`),
          ),
          days.length > 0
            ? drawChart({
                title: 'Spend and requests per day',
                x: days.map((r) => daySeconds(r.keys[0] ?? '')),
                xRange: daySlots(period),
                series: [
                  { label: 'Spend (USD)', values: days.map((r) => Number(micro(r.cost)) / 1e6), color: '#1d4ed8' },
                  { label: 'Requests', values: days.map((r) => Number(r.requests)), color: '#b45309', axis: 'right' },
                ],
                leftLabel: 'USD',
                rightLabel: 'requests',
                format: (v) => formatUsd(v * 1e6),
                perDay: true,
              })
            : null,
          s.notes.length > 0 ? el('ul', { class: 'notes', 'aria-label': 'How the savings were computed' }, ...s.notes.map((n) => el('li', {}, humanNote(n)))) : null,
        ].filter((n): n is HTMLElement => n !== null);
      };
    });
  },
};
