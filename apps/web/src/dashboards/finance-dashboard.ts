import type { BudgetWindowStatus } from '@sophia/contracts/ledger';
import { BudgetWindow, Dimension } from '@sophia/contracts/ledger';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { el } from '../ui/el.ts';
import { formatPercent, formatUsd, NO_FIGURE } from '../ui/format.ts';
import { alertLevel } from './budget-alert.ts';
import { failureText, reportLoop, type Dashboard } from './dashboard-frame.ts';
import { micro, periodRequest } from './report-values.ts';
import { usageCsv } from './usage-csv.ts';
import { dataTable, figureCard } from './widgets.ts';

function scopeText(b: BudgetWindowStatus): string {
  const s = b.scope;
  if (!s) return '—';
  return [s.tenant, s.apiKey ? `key ${s.apiKey}` : '', s.model ? `model ${s.model}` : ''].filter(Boolean).join(' · ');
}

function csvButton(onClick: () => Promise<void>): HTMLElement {
  const button = el('button', { type: 'button', id: 'export-csv', class: 'secondary' }, 'Export usage (CSV)');
  const note = el('span', { class: 'help', role: 'status' });
  button.addEventListener('click', () => {
    button.disabled = true;
    onClick().then(
      () => (note.textContent = ''),
      (err: unknown) => (note.textContent = failureText(err)),
    ).finally(() => (button.disabled = false));
  });
  return el('div', { class: 'toolbar' }, button, note);
}

/**
 * `/dashboards/finance`: month to date, burn rate and the ledger's month-end projection, cost per
 * request, every budget window with its utilisation and the 50 / 80 / 100 % alerts, and the usage
 * report as CSV.
 */
export const financeDashboard: Dashboard = {
  title: 'Finance dashboard',
  ranged: true,
  mount(area, ctx, range, onRange) {
    let lastPeriod = { startMs: 0, endMs: 0 };
    area.before(
      csvButton(async () => {
        const { report } = await ctx.client.getUsageReport({ ...periodRequest(lastPeriod), groupBy: [Dimension.DAY, Dimension.TENANT, Dimension.MODEL] });
        const blob = new Blob([usageCsv(report)], { type: 'text/csv;charset=utf-8' });
        const a = el('a', { href: URL.createObjectURL(blob), download: `sophia-usage-${new Date(lastPeriod.startMs).toISOString().slice(0, 10)}.csv` });
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      }),
    );
    return reportLoop(area, ctx, range, onRange, async (period, signal) => {
      lastPeriod = period;
      const [usage, budgets] = await Promise.all([
        ctx.client.getUsageReport(periodRequest(period), { signal }),
        ctx.client.getBudgets({}, { signal }),
      ]);
      return () => {
        const u = usage.report;
        const now = new Date(period.endMs);
        const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
        const daysElapsed = Math.max(1, (period.endMs - monthStart) / 86_400_000);
        const mtd = micro(u?.monthToDate);
        const burn = BigInt(Math.round(Number(mtd) / daysElapsed));
        const windows = budgets.status?.budgets ?? [];
        return [
          el(
            'div',
            { class: 'cards' },
            figureCard('month-to-date', 'Month to date', formatUsd(mtd), mtd),
            figureCard('burn-rate', 'Burn rate', `${formatUsd(burn)} / day`, burn, 'month to date ÷ days elapsed'),
            figureCard('projection', 'Month-end projection', formatUsd(micro(u?.monthEndProjection)), micro(u?.monthEndProjection)),
            figureCard('period-spend', 'Spend in the period', formatUsd(micro(u?.total?.cost)), micro(u?.total?.cost)),
            (u?.total?.requests ?? 0n) > 0n
              ? figureCard('cost-per-request', 'Cost per request', formatUsd(micro(u?.total?.costPerRequest)), micro(u?.total?.costPerRequest))
              : figureCard('cost-per-request', 'Cost per request', NO_FIGURE, '', 'no requests in the period'),
          ),
          dataTable(
            'budgets',
            `Budgets of ${budgets.tenant}`,
            [
              { header: 'Scope', text: scopeText },
              { header: 'Window', text: (b) => (b.window === BudgetWindow.DAY ? 'day' : b.window === BudgetWindow.MONTH ? 'month' : '—') },
              { header: 'Period', text: (b) => b.period },
              { header: 'Limit', text: (b) => (b.limit ? formatUsd(b.limit.microUsd) : 'none'), raw: (b) => micro(b.limit), numeric: true },
              { header: 'Spent', text: (b) => formatUsd(micro(b.spent)), raw: (b) => micro(b.spent), numeric: true },
              { header: 'Reserved', text: (b) => formatUsd(micro(b.reserved)), raw: (b) => micro(b.reserved), numeric: true },
              { header: 'Utilisation', text: (b) => (b.limit ? formatPercent(b.utilisation) : '—'), raw: (b) => b.utilisation, numeric: true },
              {
                header: 'Alert',
                text: (b) => {
                  const level = b.limit ? alertLevel(b.utilisation) : undefined;
                  return level === undefined ? '—' : level === 100 ? 'over budget (100 %)' : `past ${level} %`;
                },
                className: (b) => {
                  const level = b.limit ? alertLevel(b.utilisation) : undefined;
                  return level === undefined ? undefined : `alert-${level}`;
                },
              },
              { header: 'Resets', text: (b) => (b.resetsAt ? new Date(timestampMs(b.resetsAt)).toLocaleString() : '—') },
            ],
            windows,
            'No budget is set for this tenant.',
          ),
        ];
      };
    });
  },
};
