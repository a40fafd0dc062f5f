import { createClassifier, type ClassifierModel } from '@sophia/classifier-core';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, randomRouterMetrics, type RouterMetrics, type ScoredExample } from './routing-metrics.ts';

/** One row of the evaluation table. */
export interface EvaluationRow {
  readonly dataset: string;
  readonly router: string;
  readonly metrics: RouterMetrics;
}

/**
 * Scores held-out examples with the serving classifier (the exact code path the gRPC service runs) and
 * compares it with a prompt-length-only router (score = characters) and the expected random router.
 */
export function evaluateSplit(model: ClassifierModel, test: ReadonlyArray<RoutingExample>): EvaluationRow[] {
  const classifier = createClassifier(model);
  const rows: EvaluationRow[] = [];
  for (const dataset of [...new Set(test.map((e) => e.dataset))].sort()) {
    const examples = test.filter((e) => e.dataset === dataset);
    const scored = (score: (e: RoutingExample) => number): ScoredExample[] =>
      examples.map((e) => ({ score: score(e), weakCorrect: e.weakCorrect, strongCorrect: e.strongCorrect }));
    const ours = scored((e) => classifier.classify([{ role: 'user', content: e.prompt }]).score);
    rows.push({ dataset, router: 'ours', metrics: evaluateRouter(ours) });
    rows.push({ dataset, router: 'length-only', metrics: evaluateRouter(scored((e) => e.prompt.length)) });
    rows.push({ dataset, router: 'random', metrics: randomRouterMetrics(ours) });
  }
  return rows;
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
