import { createHash } from 'node:crypto';
import type { ClassifierModel } from '@sophia/classifier-core';
import { outOfFoldLogits } from './cross-validate.ts';
import { fitCalibration } from './fit-calibration.ts';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, thresholdForQuality, type RouterMetrics } from './routing-metrics.ts';
import { splitRouteLlm } from './split-routellm.ts';
import { labelFor, prepareExamples, trainModel, type TrainOptions } from './train-model.ts';

/** Everything that determines a training run; stored in the weights file so `eval` can rebuild the split. */
export interface TrainRunConfig {
  readonly seed: number;
  readonly testFraction: number;
  readonly folds: number;
  readonly options: TrainOptions;
  readonly command: string;
  readonly source: string;
}

const DATASETS = ['gsm8k', 'mmlu'] as const;

/** Quality fractions whose score thresholds are recorded, so the router's quality levels are measured. */
export const QUALITY_FRACTIONS = [0.85, 0.9, 0.95, 0.98] as const;

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The whole training recipe: seeded split → out-of-fold logits on the training split (grouped folds) →
 * Platt calibration to P(weak wrong) and tier thresholds from those OOF predictions → final fit on the
 * full training split. The test split is never looked at here.
 */
export function trainRoutingModel(examples: ReadonlyArray<RoutingExample>, config: TrainRunConfig): ClassifierModel {
  const split = splitRouteLlm(examples, config.seed, config.testFraction);
  const prepared = prepareExamples(split.train);
  const oof = outOfFoldLogits(prepared, config.options, config.folds, config.seed);
  const perDataset = new Map(DATASETS.map((d) => [d, prepared.filter((p) => p.example.dataset === d).length]));
  const balance = prepared.map((p) => 1 / perDataset.get(p.example.dataset)!);
  const calibration = fitCalibration(
    oof,
    prepared.map((p) => labelFor(p.example, 'weak_wrong')),
    balance,
  );
  const oofScores = oof.map((z) => 1 / (1 + Math.exp(-(calibration.slope * z + calibration.intercept))));

  const oofMetrics: Record<string, RouterMetrics> = {};
  const byFraction = new Map<number, number>(QUALITY_FRACTIONS.map((q) => [q, 0]));
  for (const dataset of DATASETS) {
    const items = prepared.flatMap((p, i) =>
      p.example.dataset === dataset ? [{ score: oofScores[i]!, weakCorrect: p.example.weakCorrect, strongCorrect: p.example.strongCorrect }] : [],
    );
    oofMetrics[dataset] = evaluateRouter(items);
    for (const q of QUALITY_FRACTIONS) byFraction.set(q, byFraction.get(q)! + thresholdForQuality(items, q) / DATASETS.length);
  }
  const balanced = byFraction.get(0.95)!;
  const complex = byFraction.get(0.9)!;
  // Higher quality needs a lower threshold; keep the recorded list monotone even where folds are noisy.
  const qualityThresholds = Object.fromEntries(QUALITY_FRACTIONS.map((q) => [String(q), round(Math.min(...QUALITY_FRACTIONS.filter((r) => r <= q).map((r) => byFraction.get(r)!)))]));

  const fitted = trainModel(prepared, config.options, { version: 'pending', source: config.source, command: config.command });
  const body = {
    ...fitted,
    calibration: { slope: round(calibration.slope), intercept: round(calibration.intercept) },
    thresholds: { balanced: round(balanced), complex: round(Math.max(balanced, complex)) },
    evaluation: {
      qualityThresholds,
      thresholdRule:
        'balanced = score reaching 95% of strong quality, complex = score reaching 90% (fewest strong calls), on out-of-fold training predictions, mean over gsm8k and mmlu',
      split: {
        seed: config.seed,
        testFraction: config.testFraction,
        testSubjects: split.testSubjects,
        trainCount: split.train.length,
        testCount: split.test.length,
        rule: 'MMLU held out by whole subject, GSM8K by prompt, seeded (mulberry32)',
      },
      folds: config.folds,
      options: config.options,
      outOfFoldTrain: oofMetrics,
    },
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return { ...body, version: `routellm-lr-${hash}` };
}
