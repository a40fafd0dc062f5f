import { assignFolds } from './cross-validate.ts';
import { evaluateRouter, randomRouterMetrics, type RouterMetrics, type ScoredExample } from './routing-metrics.ts';
import type { PreparedExample } from './train-model.ts';

/**
 * A training recipe as the cross-validation sees it: fit on some prepared examples, return a scorer.
 * Only the ranking matters to the metrics, so the scorer may return a raw logit.
 */
export type FitScorer = (train: ReadonlyArray<PreparedExample>) => (example: PreparedExample) => number;

/** The three routers every held-out set is scored with. */
export interface RouterTriple {
  readonly ours: RouterMetrics;
  readonly length: RouterMetrics;
  readonly random: RouterMetrics;
}

/** One held-out fold of one seed: the MMLU prompts of the subjects that fold held out. */
export interface SubjectFold extends RouterTriple {
  readonly seed: number;
  readonly fold: number;
  readonly subjects: ReadonlyArray<string>;
}

/** One seed's pooled out-of-fold figures for a dataset (every prompt scored by a model that never saw it). */
export interface PooledRun extends RouterTriple {
  readonly seed: number;
}

/** Out-of-fold scores of one MMLU subject under one seed (its whole subject held out). */
export interface SubjectScores {
  readonly seed: number;
  readonly subject: string;
  readonly examples: ReadonlyArray<ScoredExample & { readonly length: number }>;
}

/** Everything grouped cross-validation measures; `formatGroupedCv` prints it. */
export interface GroupedCvResult {
  readonly folds: number;
  readonly seeds: ReadonlyArray<number>;
  readonly mmluFolds: ReadonlyArray<SubjectFold>;
  readonly mmluPooled: ReadonlyArray<PooledRun>;
  readonly gsm8kPooled: ReadonlyArray<PooledRun>;
  readonly subjects: ReadonlyArray<SubjectScores>;
}

function triple(items: ReadonlyArray<ScoredExample & { readonly length: number }>): RouterTriple {
  return {
    ours: evaluateRouter(items),
    length: evaluateRouter(items.map((e) => ({ ...e, score: e.length }))),
    random: randomRouterMetrics(items),
  };
}

/**
 * Grouped K-fold cross-validation, repeated over seeds: MMLU folds hold out whole subjects (so every
 * MMLU prompt is scored by a model that never saw its subject — the situation of a new kind of question
 * in production) and GSM8K folds hold out prompts. Each seed reshuffles which subjects share a fold.
 * Returns per-fold MMLU figures (the spread a single split hides), pooled figures per seed and the
 * out-of-fold scores per subject.
 */
export function groupedCrossValidation(
  prepared: ReadonlyArray<PreparedExample>,
  fit: FitScorer,
  folds: number,
  seeds: ReadonlyArray<number>,
): GroupedCvResult {
  if (!(Number.isInteger(folds) && folds >= 2)) throw new Error(`folds must be an integer >= 2, got ${folds}`);
  const mmluFolds: SubjectFold[] = [];
  const mmluPooled: PooledRun[] = [];
  const gsm8kPooled: PooledRun[] = [];
  const subjects: SubjectScores[] = [];
  for (const seed of seeds) {
    const foldOf = assignFolds(prepared, folds, seed);
    const scores = new Array<number>(prepared.length).fill(Number.NaN);
    for (let fold = 0; fold < folds; fold++) {
      const score = fit(prepared.filter((_, i) => foldOf[i] !== fold));
      prepared.forEach((p, i) => {
        if (foldOf[i] === fold) scores[i] = score(p);
      });
    }
    const scored = prepared.map((p, i) => ({
      score: scores[i]!,
      length: p.example.prompt.length,
      weakCorrect: p.example.weakCorrect,
      strongCorrect: p.example.strongCorrect,
    }));
    const mmlu = (keep: (p: PreparedExample, i: number) => boolean) => scored.filter((_, i) => prepared[i]!.example.dataset === 'mmlu' && keep(prepared[i]!, i));
    for (let fold = 0; fold < folds; fold++) {
      const held = mmlu((_, i) => foldOf[i] === fold);
      if (held.length === 0) continue;
      const names = [...new Set(prepared.filter((p, i) => p.example.dataset === 'mmlu' && foldOf[i] === fold).map((p) => p.example.group))].sort();
      mmluFolds.push({ seed, fold, subjects: names, ...triple(held) });
    }
    const allMmlu = mmlu(() => true);
    if (allMmlu.length > 0) mmluPooled.push({ seed, ...triple(allMmlu) });
    const gsm = scored.filter((_, i) => prepared[i]!.example.dataset === 'gsm8k');
    if (gsm.length > 0) gsm8kPooled.push({ seed, ...triple(gsm) });
    for (const subject of [...new Set(prepared.filter((p) => p.example.dataset === 'mmlu').map((p) => p.example.group))].sort()) {
      subjects.push({ seed, subject, examples: mmlu((p) => p.example.group === subject) });
    }
  }
  return { folds, seeds, mmluFolds, mmluPooled, gsm8kPooled, subjects };
}

/** Median of a non-empty list. */
export function median(values: ReadonlyArray<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The headline figures of a grouped run, as the targets read them. */
export interface GroupedCvSummary {
  readonly mmluMedian: { readonly ours: number; readonly length: number; readonly random: number };
  /** Smallest (ours − length-only) cost cut over all folds of all seeds; the target is ≥ −0.05. */
  readonly worstFoldMargin: number;
  readonly foldsBelowLength: number;
  readonly foldsMoreThan5Below: number;
  readonly gsm8kMedian: { readonly ours: number; readonly length: number; readonly random: number };
}

/** Medians over folds (MMLU) and seeds (GSM8K), and the worst fold against length-only. */
export function summariseGroupedCv(result: GroupedCvResult): GroupedCvSummary {
  const cut = (runs: ReadonlyArray<RouterTriple>, key: keyof RouterTriple) => median(runs.map((r) => r[key].costCutAtTarget));
  const margins = result.mmluFolds.map((f) => f.ours.costCutAtTarget - f.length.costCutAtTarget);
  return {
    mmluMedian: { ours: cut(result.mmluFolds, 'ours'), length: cut(result.mmluFolds, 'length'), random: cut(result.mmluFolds, 'random') },
    worstFoldMargin: Math.min(...margins),
    foldsBelowLength: margins.filter((m) => m < 0).length,
    foldsMoreThan5Below: margins.filter((m) => m < -0.05).length,
    gsm8kMedian: { ours: cut(result.gsm8kPooled, 'ours'), length: cut(result.gsm8kPooled, 'length'), random: cut(result.gsm8kPooled, 'random') },
  };
}
