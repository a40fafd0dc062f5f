import { scoreFeatures, type ClassifierModel } from '@sophia/classifier-core';
import { assignFolds } from './cross-validate.ts';
import { median, type FitScorer } from './grouped-cross-validation.ts';
import { evaluateRouter } from './routing-metrics.ts';
import { LENGTH_FEATURE, trainModel, type PreparedExample, type TrainOptions } from './train-model.ts';

/** The model with `boost` more weight on the standardised log length (what `lengthBoost` does in training). */
function withBoost(model: ClassifierModel, boost: number): ClassifierModel {
  const length = model.dense[LENGTH_FEATURE];
  if (length === undefined) throw new Error(`model has no ${LENGTH_FEATURE} weight`);
  return { ...model, dense: { ...model.dense, [LENGTH_FEATURE]: { ...length, weight: length.weight + boost } } };
}

/**
 * A recipe whose `lengthBoost` is chosen inside each training set by its own grouped cross-validation
 * (nested CV): the outer evaluation then measures the whole procedure, selection included, instead of
 * a value picked by looking at the folds it is scored on. The criterion is the mean of the median MMLU
 * inner-fold cost cut and the pooled GSM8K cost cut; ties go to the smaller boost. `chosen` receives
 * each pick, so the report can show how stable the choice is.
 */
export function nestedLengthBoost(
  options: TrainOptions,
  candidates: ReadonlyArray<number>,
  innerFolds: number,
  seed: number,
  chosen: number[],
): FitScorer {
  return (train) => {
    const base = { ...options, lengthBoost: 0 };
    const foldOf = assignFolds(train, innerFolds, seed);
    const logits = candidates.map(() => new Array<number>(train.length).fill(Number.NaN));
    for (let fold = 0; fold < innerFolds; fold++) {
      const model = trainModel(
        train.filter((_, i) => foldOf[i] !== fold),
        base,
        { version: 'inner', source: 'nested cv', command: 'eval --nested' },
      );
      candidates.forEach((boost, c) => {
        const boosted = withBoost(model, boost);
        train.forEach((p, i) => {
          if (foldOf[i] === fold) logits[c]![i] = scoreFeatures(boosted, p.features).logit;
        });
      });
    }
    const criterion = (scores: ReadonlyArray<number>): number => {
      const items = (keep: (p: PreparedExample, i: number) => boolean) =>
        train.flatMap((p, i) => (keep(p, i) ? [{ score: scores[i]!, weakCorrect: p.example.weakCorrect, strongCorrect: p.example.strongCorrect }] : []));
      const mmluFolds = Array.from({ length: innerFolds }, (_, f) => items((p, i) => p.example.dataset === 'mmlu' && foldOf[i] === f)).filter((f) => f.length > 0);
      const gsm = items((p) => p.example.dataset === 'gsm8k');
      const parts = [
        ...(mmluFolds.length > 0 ? [median(mmluFolds.map((f) => evaluateRouter(f).costCutAtTarget))] : []),
        ...(gsm.length > 0 ? [evaluateRouter(gsm).costCutAtTarget] : []),
      ];
      return parts.reduce((a, b) => a + b, 0) / parts.length;
    };
    let best = 0;
    let bestValue = -Infinity;
    candidates.forEach((boost, c) => {
      const value = criterion(logits[c]!);
      if (value > bestValue + 1e-12) {
        best = boost;
        bestValue = value;
      }
    });
    chosen.push(best);
    const model = trainModel(train, { ...options, lengthBoost: best }, { version: 'outer', source: 'nested cv', command: 'eval --nested' });
    return (p) => scoreFeatures(model, p.features).logit;
  };
}
