import type { RouterMetrics } from './routing-metrics.ts';

/** One row of the evaluation table. */
export interface EvaluationRow {
  readonly dataset: string;
  readonly router: string;
  readonly metrics: RouterMetrics;
}

/** RouteLLM's published best results (cost cut at 95 % quality), for the table's reference column. */
export const ROUTELLM_PUBLISHED: Readonly<Record<string, string>> = {
  gsm8k: '35% cut',
  mmlu: '45% cut',
  'mt-bench': '26% strong calls (74% cut)',
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);

/** Renders rows as a fixed-width table (also pasted into the README). */
export function formatEvaluation(rows: ReadonlyArray<EvaluationRow>): string {
  const routerWidth = Math.max(14, ...rows.map((r) => r.router.length));
  const lines = [
    `dataset  ${'router'.padEnd(routerWidth)}     n    weak   strong  strong-share@95%  cost-cut@95%  APGR   RouteLLM published`,
  ];
  for (const { dataset, router, metrics: m } of rows) {
    lines.push(
      [
        dataset.padEnd(8),
        router.padEnd(routerWidth),
        String(m.count).padStart(5),
        pct(m.weakQuality),
        pct(m.strongQuality),
        pct(m.strongShareAtTarget).padStart(17),
        pct(m.costCutAtTarget).padStart(13),
        m.apgr.toFixed(3).padStart(6),
        router.startsWith('ours') ? ` ${ROUTELLM_PUBLISHED[dataset] ?? ''}` : '',
      ].join(' '),
    );
  }
  return lines.join('\n');
}
