import { createHash } from 'node:crypto';
import { promptKind, type ClassifierModel, type PromptKind } from '@sophia/classifier-core';
import { outOfFoldLogits } from './cross-validate.ts';
import { fitCalibration } from './fit-calibration.ts';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, thresholdForQuality, type RouterMetrics } from './routing-metrics.ts';
import { labelFor, prepareExamples, trainModel, type TrainOptions } from './train-model.ts';

/** Everything that determines a training run; stored in the weights file so `eval` can re-run the recipe. */
export interface TrainRunConfig {
  readonly seed: number;
  readonly folds: number;
  readonly options: TrainOptions;
  readonly command: string;
  readonly source: string;
}

const DATASETS = ['gsm8k', 'mmlu'] as const;
const KINDS: ReadonlyArray<PromptKind> = ['multiple_choice', 'open'];

/** Quality fractions whose score thresholds are recorded, so the router's quality levels are measured. */
export const QUALITY_FRACTIONS = [0.85, 0.9, 0.95, 0.98] as const;

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The whole training recipe on every labelled prompt (generalisation is measured by `eval`'s grouped
 * cross-validation, which re-runs this recipe per fold): out-of-fold logits over grouped folds (MMLU by
 * whole subject, GSM8K by prompt) → Platt calibration to P(weak wrong) per prompt kind and tier
 * thresholds from those out-of-fold predictions → final fit on all prompts.
 */
export function trainRoutingModel(examples: ReadonlyArray<RoutingExample>, config: TrainRunConfig): ClassifierModel {
  const prepared = prepareExamples(examples);
  const oof = outOfFoldLogits(prepared, config.options, config.folds, config.seed);
  const kinds = prepared.map((p) => promptKind(p.features));
  const perDataset = new Map(DATASETS.map((d) => [d, prepared.filter((p) => p.example.dataset === d).length]));
  const calibrationByKind = Object.fromEntries(
    KINDS.flatMap((kind) => {
      const at = prepared.flatMap((_, i) => (kinds[i] === kind ? [i] : []));
      if (at.length === 0) return [];
      const fitted = fitCalibration(
        at.map((i) => oof[i]!),
        at.map((i) => labelFor(prepared[i]!.example, 'weak_wrong')),
        at.map((i) => 1 / perDataset.get(prepared[i]!.example.dataset)!),
      );
      return [[kind, { slope: round(fitted.slope), intercept: round(fitted.intercept) }]];
    }),
  ) as Partial<Record<PromptKind, { slope: number; intercept: number }>>;
  // The fallback for a model file read by code that predates per-kind calibration: fitted on all prompts.
  const pooled = fitCalibration(
    oof,
    prepared.map((p) => labelFor(p.example, 'weak_wrong')),
    prepared.map((p) => 1 / perDataset.get(p.example.dataset)!),
  );
  const oofScores = oof.map((z, i) => {
    const c = calibrationByKind[kinds[i]!] ?? pooled;
    return 1 / (1 + Math.exp(-(c.slope * z + c.intercept)));
  });

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
    calibration: { slope: round(pooled.slope), intercept: round(pooled.intercept) },
    calibrationByKind,
    thresholds: { balanced: round(balanced), complex: round(Math.max(balanced, complex)) },
    evaluation: {
      qualityThresholds,
      thresholdRule:
        'balanced = score reaching 95% of strong quality, complex = score reaching 90% (fewest strong calls), on out-of-fold predictions, mean over gsm8k and mmlu',
      trainCount: prepared.length,
      seed: config.seed,
      folds: config.folds,
      foldRule: 'MMLU folds by whole subject, GSM8K by prompt, seeded (mulberry32)',
      options: config.options,
      outOfFold: oofMetrics,
    },
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return { ...body, version: `routellm-lr-${hash}` };
}
