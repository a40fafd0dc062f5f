import type { ClassifierModel } from './classifier-model.ts';
import { countPromptTokens } from './count-tokens.ts';
import { expectedOutputTokens } from './expected-output-tokens.ts';
import { extractFeatures, type FeatureSet } from './extract-features.ts';
import type { ChatMessage, TaskType, Tier } from './task-type.ts';

/** A feature's signed contribution to the score's log-odds (proto `FeatureContribution`). */
export interface FeatureContribution {
  readonly name: string;
  readonly contribution: number;
}

/** Everything the router needs about one conversation (proto `ClassifyResponse`). */
export interface Classification {
  readonly tier: Tier;
  readonly taskType: TaskType;
  /** Calibrated probability in [0, 1] that the small tier's answer will not be good enough. */
  readonly score: number;
  readonly promptTokens: number;
  readonly expectedOutputTokens: number;
  /** Largest absolute contributions first, at most `topFeatures` of them. */
  readonly features: ReadonlyArray<FeatureContribution>;
  readonly modelVersion: string;
}

/** Score cut-points: score < balanced → simple; balanced ≤ score < complex → balanced; else complex. */
export interface TierThresholds {
  readonly balanced: number;
  readonly complex: number;
}

export interface ClassifierOptions {
  /** Overrides the cut-points stored with the model (e.g. to trade quality for cost per tenant). */
  readonly thresholds?: TierThresholds;
  /** How many features to report per decision; default 5. */
  readonly topFeatures?: number;
}

/** A ready-to-use classifier bound to one model; `classify` is synchronous and allocation-light. */
export interface Classifier {
  classify(messages: ReadonlyArray<ChatMessage>): Classification;
  readonly modelVersion: string;
  readonly thresholds: TierThresholds;
}

/** The raw linear score of a feature set: log-odds and each feature's share of it. */
export interface LinearScore {
  /** Uncalibrated log-odds; the score is σ(calibration.slope · logit + calibration.intercept). */
  readonly logit: number;
  readonly contributions: ReadonlyArray<FeatureContribution>;
}

/**
 * Applies a model's weights to features. Exported so training and evaluation score exactly as serving
 * does. Dense features are standardised, so a contribution reads "relative to an average training prompt".
 */
export function scoreFeatures(model: ClassifierModel, features: FeatureSet): LinearScore {
  let logit = model.bias;
  const contributions: FeatureContribution[] = [];
  for (const [name, value] of features.dense) {
    // Own-property lookups only: a prompt word like "constructor" must not hit Object.prototype.
    const weight = Object.hasOwn(model.dense, name) ? model.dense[name] : undefined;
    if (weight === undefined) continue;
    const contribution = weight.weight * standardised(weight, value);
    logit += contribution;
    if (contribution !== 0) contributions.push({ name, contribution });
  }
  // Task one-hots absent from this prompt still shift the logit (value 0 vs their mean).
  for (const [name, weight] of Object.entries(model.dense)) {
    if (features.dense.has(name)) continue;
    logit += weight.weight * standardised(weight, 0);
  }
  const wordValue = features.words.length === 0 ? 0 : 1 / Math.sqrt(features.words.length);
  for (const word of features.words) {
    const weight = Object.hasOwn(model.words, word) ? model.words[word] : undefined;
    if (weight === undefined) continue;
    const contribution = weight * wordValue;
    logit += contribution;
    contributions.push({ name: `word:${word}`, contribution });
  }
  return { logit, contributions };
}

/** (value − mean) / scale, clamped to the training range [lo, hi] when the model records one. */
function standardised(weight: ClassifierModel['dense'][string], value: number): number {
  const z = (value - weight.mean) / weight.scale;
  return Math.min(weight.hi ?? Infinity, Math.max(weight.lo ?? -Infinity, z));
}

/** The two kinds of prompt the labels come in: answer options to choose from, or an open request. */
export type PromptKind = 'multiple_choice' | 'open';

/** A prompt's kind, from the multiple-choice layout feature (two or more "A." … option lines). */
export function promptKind(features: FeatureSet): PromptKind {
  return features.dense.get('multiple_choice') === 1 ? 'multiple_choice' : 'open';
}

/** The calibrated score: σ(slope · logit + intercept) with the kind's own mapping when the model has one. */
export function calibratedScore(model: ClassifierModel, features: FeatureSet, logit: number): number {
  const calibration = model.calibrationByKind?.[promptKind(features)] ?? model.calibration;
  return sigmoid(calibration.slope * logit + calibration.intercept);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Maps a score to a tier with the given cut-points. */
export function tierFor(score: number, thresholds: TierThresholds): Tier {
  if (score >= thresholds.complex) return 'complex';
  if (score >= thresholds.balanced) return 'balanced';
  return 'simple';
}

/**
 * Binds a trained model to the classification pipeline: tokens → features → calibrated score → tier,
 * plus task type and expected output length. The gRPC classifier service holds one of these.
 */
export function createClassifier(model: ClassifierModel, options: ClassifierOptions = {}): Classifier {
  const thresholds = options.thresholds ?? model.thresholds;
  if (!(thresholds.balanced <= thresholds.complex)) {
    throw new Error('thresholds.balanced must be <= thresholds.complex');
  }
  const topFeatures = options.topFeatures ?? 5;
  return {
    modelVersion: model.version,
    thresholds,
    classify(messages) {
      const promptTokens = countPromptTokens(messages);
      const features = extractFeatures(messages, promptTokens);
      const { logit, contributions } = scoreFeatures(model, features);
      const score = calibratedScore(model, features, logit);
      const top = [...contributions]
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.name.localeCompare(b.name))
        .slice(0, topFeatures);
      return {
        tier: tierFor(score, thresholds),
        taskType: features.taskType,
        score,
        promptTokens,
        expectedOutputTokens: expectedOutputTokens(features.taskType, promptTokens),
        features: top,
        modelVersion: model.version,
      };
    },
  };
}
