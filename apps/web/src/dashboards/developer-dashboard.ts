import { Role } from '@sophia/contracts/common';
import { Dimension, type UsageReportRow } from '@sophia/contracts/ledger';
import { backendLabel, tierLabel } from '../rpc/enum-labels.ts';
import { el, replaceChildren } from '../ui/el.ts';
import { formatCount, formatMs, formatPercent, formatUsd } from '../ui/format.ts';
import { failureText, reportLoop, type Dashboard, type DashboardContext } from './dashboard-frame.ts';
import { micro, periodRequest } from './report-values.ts';
import { dataTable, type Column } from './widgets.ts';

function usageColumns(first: string): Column<UsageReportRow>[] {
  return [
    { header: first, text: (r) => r.keys[0] || '(none)' },
    { header: 'Requests', text: (r) => formatCount(r.requests), raw: (r) => r.requests, numeric: true },
    { header: 'Prompt tokens', text: (r) => formatCount(r.promptTokens), raw: (r) => r.promptTokens, numeric: true },
    { header: 'Completion tokens', text: (r) => formatCount(r.completionTokens), raw: (r) => r.completionTokens, numeric: true },
    { header: 'Latency p50', text: (r) => formatMs(r.latencyP50Ms), raw: (r) => r.latencyP50Ms, numeric: true },
    { header: 'Latency p95', text: (r) => formatMs(r.latencyP95Ms), raw: (r) => r.latencyP95Ms, numeric: true },
    { header: 'Cost / request', text: (r) => formatUsd(micro(r.costPerRequest)), raw: (r) => micro(r.costPerRequest), numeric: true },
  ];
}

/** The box where a prompt is explained by the router's dry run (no model is called). */
function explainBox(ctx: DashboardContext): HTMLElement {
  const prompt = el('textarea', { id: 'explain-prompt', rows: 3, required: true });
  const result = el('div', { class: 'explain-result', 'aria-live': 'polite' });
  const button = el('button', { type: 'submit', id: 'explain-run' }, 'Explain');
  const form = el('form', { class: 'explain', 'aria-labelledby': 'explain-title' }, el('h2', { id: 'explain-title' }, 'How would this prompt be routed?'), el('label', { for: 'explain-prompt' }, 'Prompt (not sent to any model)'), prompt, button, result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (!text) return;
    button.disabled = true;
    ctx.client
      .explainRoute({ input: { model: 'auto', messages: [{ role: Role.USER, content: text }] } })
      .then(
        ({ explanation }) => {
          const d = explanation?.decision;
          const worstCase = d?.worstCaseCost ?? d?.estimatedCost;
          const facts: Array<[string, string]> = [
            ['Tier', d ? tierLabel(d.tier) : '—'],
            ['Model', d?.model || '—'],
            ['Backend', d ? backendLabel(d.backend) : '—'],
            ['Complexity score', d ? d.score.toFixed(2) : '—'],
            ['Worst-case cost', worstCase ? formatUsd(worstCase.microUsd) : '—'],
            ['Reasons', d?.reasons.join('; ') || '—'],
            ['Would try, in order', explanation?.plan.join(' → ') || '—'],
          ];
          replaceChildren(result, el('dl', { class: 'decision', 'data-explained': d?.model ?? '' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
        },
        (err: unknown) => replaceChildren(result, el('p', { class: 'error' }, failureText(err))),
      )
      .finally(() => (button.disabled = false));
  });
  return form;
}

/**
 * `/dashboards/developer`: per model and per workload tag — requests, tokens, latency, cost per
 * request — and the tier mix, from the ledger's usage report; plus the router's dry run for a prompt.
 */
export const developerDashboard: Dashboard = {
  title: 'Developer dashboard',
  ranged: true,
  mount(area, ctx, range, onRange) {
    const reports = el('div', { class: 'reports' });
    area.before(explainBox(ctx));
    area.append(reports);
    return reportLoop(area, ctx, range, onRange, async (period, signal) => {
      const ask = (groupBy: Dimension[]) => ctx.client.getUsageReport({ ...periodRequest(period), groupBy }, { signal });
      const [byModel, byWorkload, byTier] = await Promise.all([ask([Dimension.MODEL]), ask([Dimension.WORKLOAD_TAG]), ask([Dimension.TIER])]);
      return () => {
        const total = byTier.report?.total?.requests ?? 0n;
        if (total === 0n) return [el('p', { class: 'empty' }, 'No requests in this period yet.')];
        const tiers = byTier.report?.rows ?? [];
        return [
          dataTable('models', 'By model', usageColumns('Model'), byModel.report?.rows ?? [], 'No requests.'),
          dataTable('workloads', 'By workload tag', usageColumns('Workload'), byWorkload.report?.rows ?? [], 'No requests.'),
          dataTable(
            'tiers',
            'Tier mix',
            [
              { header: 'Tier', text: (r) => r.keys[0] || '(none)' },
              { header: 'Requests', text: (r) => formatCount(r.requests), raw: (r) => r.requests, numeric: true },
              { header: 'Share', text: (r) => formatPercent(Number(r.requests) / Number(total)), numeric: true },
              { header: 'Cost', text: (r) => formatUsd(micro(r.cost)), raw: (r) => micro(r.cost), numeric: true },
            ],
            tiers,
            'No requests.',
          ),
        ];
      };
    });
  },
};
