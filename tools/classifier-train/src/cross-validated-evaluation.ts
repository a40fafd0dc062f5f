import { outOfFoldLogits } from './cross-validate.ts';
import type { EvaluationRow } from './evaluate-split.ts';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, randomRouterMetrics } from './routing-metrics.ts';
import { prepareExamples, type TrainOptions } from './train-model.ts';

/**
 * A split-independent check: k-fold over *all* labelled prompts (MMLU folds by whole subject, GSM8K by
 * prompt), each fold scored by a model trained on the others with the committed recipe's options. Every
 * prompt is scored by a model that never saw its subject, so this is still held-out, just pooled over folds.
 */
export function crossValidatedEvaluation(
  examples: ReadonlyArray<RoutingExample>,
  options: TrainOptions,
  folds: number,
  seed: number,
): EvaluationRow[] {
  const prepared = prepareExamples(examples);
  const logits = outOfFoldLogits(prepared, options, folds, seed);
  const rows: EvaluationRow[] = [];
  for (const dataset of [...new Set(examples.map((e) => e.dataset))].sort()) {
    const pick = (score: (i: number) => number) =>
      prepared.flatMap((p, i) =>
        p.example.dataset === dataset ? [{ score: score(i), weakCorrect: p.example.weakCorrect, strongCorrect: p.example.strongCorrect }] : [],
      );
    const ours = pick((i) => logits[i]!);
    rows.push({ dataset, router: `ours (${folds}-fold)`, metrics: evaluateRouter(ours) });
    rows.push({ dataset, router: 'length-only', metrics: evaluateRouter(pick((i) => prepared[i]!.example.prompt.length)) });
    rows.push({ dataset, router: 'random', metrics: randomRouterMetrics(ours) });
  }
  return rows;
}
