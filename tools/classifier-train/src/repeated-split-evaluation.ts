import { scoreFeatures } from '@sophia/classifier-core';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, randomRouterMetrics, type RouterMetrics } from './routing-metrics.ts';
import { splitRouteLlm } from './split-routellm.ts';
import { prepareExamples, trainModel, type TrainOptions } from './train-model.ts';

/** One router's held-out figures over many splits of one dataset. */
export interface RepeatedSplitRow {
  readonly dataset: string;
  readonly router: 'ours' | 'length-only' | 'random';
  /** One entry per split, in seed order. */
  readonly runs: ReadonlyArray<RouterMetrics>;
}

/**
 * The held-out protocol repeated over `seeds`: each seed draws its own split (MMLU by whole subject, GSM8K
 * by prompt, `testFraction` held out), a model is trained with `options` on the rest and scored on the
 * held-out part. One split's cost cut is read off one point of a noisy curve; the spread over splits
 * says how much of a single figure is the draw. Ranking only: no calibration is needed.
 */
export function repeatedSplitEvaluation(
  examples: ReadonlyArray<RoutingExample>,
  options: TrainOptions,
  seeds: ReadonlyArray<number>,
  testFraction: number,
): RepeatedSplitRow[] {
  const prepared = prepareExamples(examples);
  const byPrompt = new Map(prepared.map((p) => [p.example, p]));
  const datasets = [...new Set(examples.map((e) => e.dataset))].sort();
  const runs = new Map<string, RouterMetrics[]>();
  const push = (key: string, m: RouterMetrics): void => {
    runs.set(key, [...(runs.get(key) ?? []), m]);
  };
  for (const seed of seeds) {
    const split = splitRouteLlm(examples, seed, testFraction);
    const model = trainModel(
      split.train.map((e) => byPrompt.get(e)!),
      options,
      { version: `split-${seed}`, source: 'repeated split', command: 'eval --splits' },
    );
    for (const dataset of datasets) {
      const test = split.test.filter((e) => e.dataset === dataset);
      const items = (score: (e: RoutingExample) => number) =>
        test.map((e) => ({ score: score(e), weakCorrect: e.weakCorrect, strongCorrect: e.strongCorrect }));
      const ours = items((e) => scoreFeatures(model, byPrompt.get(e)!.features).logit);
      push(`${dataset}\0ours`, evaluateRouter(ours));
      push(`${dataset}\0length-only`, evaluateRouter(items((e) => e.prompt.length)));
      push(`${dataset}\0random`, randomRouterMetrics(ours));
    }
  }
  return datasets.flatMap((dataset) =>
    (['ours', 'length-only', 'random'] as const).map((router) => ({ dataset, router, runs: runs.get(`${dataset}\0${router}`) ?? [] })),
  );
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median [min, max] of the cost cut and APGR per dataset and router, plus how often ours beat length. */
export function formatRepeatedSplits(rows: ReadonlyArray<RepeatedSplitRow>): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = ['dataset  router        splits  cost-cut@95% median [min, max]   APGR median [min, max]'];
  for (const { dataset, router, runs } of rows) {
    const cuts = runs.map((m) => m.costCutAtTarget);
    const apgrs = runs.map((m) => m.apgr);
    lines.push(
      [
        dataset.padEnd(8),
        router.padEnd(13),
        String(runs.length).padStart(6),
        `  ${pct(median(cuts))} [${pct(Math.min(...cuts))}, ${pct(Math.max(...cuts))}]`.padEnd(33),
        `${median(apgrs).toFixed(3)} [${Math.min(...apgrs).toFixed(3)}, ${Math.max(...apgrs).toFixed(3)}]`,
      ].join(' '),
    );
  }
  for (const dataset of [...new Set(rows.map((r) => r.dataset))]) {
    const ours = rows.find((r) => r.dataset === dataset && r.router === 'ours')?.runs ?? [];
    const length = rows.find((r) => r.dataset === dataset && r.router === 'length-only')?.runs ?? [];
    const wins = ours.filter((m, i) => m.costCutAtTarget > (length[i]?.costCutAtTarget ?? Infinity)).length;
    lines.push(`${dataset}: ours cuts more than length-only in ${wins} of ${ours.length} splits`);
  }
  return lines.join('\n');
}
