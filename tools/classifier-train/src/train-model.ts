import {
  DENSE_FEATURE_NAMES,
  TASK_TYPES,
  countPromptTokens,
  extractFeatures,
  type ClassifierModel,
  type FeatureSet,
} from '@sophia/classifier-core';
import type { RoutingExample } from './load-routellm.ts';
import { createRandom, shuffled } from './seeded-random.ts';

/** What the logistic regression is taught to predict from a prompt. */
export const TRAINING_TARGETS = ['weak_wrong', 'gain', 'net', 'blend'] as const;
export type TrainingTarget = (typeof TRAINING_TARGETS)[number];

/** Hyper-parameters of one training run; all defaults live in `DEFAULT_TRAIN_OPTIONS`. */
export interface TrainOptions {
  readonly target: TrainingTarget;
  readonly iterations: number;
  readonly learningRate: number;
  readonly l2Dense: number;
  readonly l2Words: number;
  /** A word enters the vocabulary only if it occurs in at least this many training prompts… */
  readonly minDocFreq: number;
  /** …and in at least this many groups (MMLU subjects / GSM8K), so subject-only jargon is not memorised. */
  readonly minGroups: number;
  /** Give each dataset equal total weight, so the 10× larger MMLU does not drown GSM8K. */
  readonly balanceDatasets: boolean;
  /**
   * Within a dataset, weight each example by (size of its group)^−power (renormalised to the dataset's
   * count): 0 = every prompt counts the same, 1 = every MMLU subject counts the same, so one large subject
   * (professional_law is a quarter of the training MMLU prompts) does not dictate what "hard" means.
   */
  readonly groupWeightPower: number;
  /**
   * Datasets that are one task by construction (GSM8K: maths word problems). The task type the detector
   * reports inside them is detection noise, so their task one-hots are zero in training and the task
   * weights are learned where the task really varies (across MMLU subjects).
   */
  readonly singleTaskDatasets: ReadonlyArray<string>;
  /**
   * Per-dataset override of `target`. Chosen by grouped CV: on MMLU "weak wrong" ranks best (the gain
   * label is too sparse there), on GSM8K the net gain does (both-wrong problems buy nothing).
   */
  readonly targetByDataset: Readonly<Record<string, TrainingTarget>>;
  /**
   * Learn a weight per word of the vocabulary. Off in the shipped recipe: across held-out MMLU subjects
   * the words encode the subject, not the difficulty, and grouped CV scores no gain from them.
   */
  readonly vocabulary: boolean;
  /** Use the task-type one-hots as inputs (learned from MMLU's subject mix, so off in the shipped recipe). */
  readonly taskOneHots: boolean;
  /**
   * Added to the fitted weight of the standardised log prompt length: the score is the learned model
   * plus this much pure length, so on a kind of prompt where the other features mislead, the ranking
   * still leans on the signal that transfers everywhere. Chosen by grouped CV.
   */
  readonly lengthBoost: number;
  /**
   * Fit this many models, each on a seeded share (`bagGroupShare`) of the groups (MMLU subjects) and all
   * of every single-group dataset, and average them into one linear model. A weight that only one
   * subject supports is diluted by the bags that never saw that subject, so the average leans on what
   * holds across subjects. 1 = one fit on everything. Chosen by grouped CV (README).
   */
  readonly bags: number;
  readonly bagGroupShare: number;
  readonly bagSeed: number;
}

/** The values of `lengthBoost` that were compared by grouped CV (and that `eval --nested` chooses from), ascending. */
export const LENGTH_BOOST_CANDIDATES: ReadonlyArray<number> = [0, 0.25, 0.5, 0.75];

/** The standardised feature that `lengthBoost` adds to. */
export const LENGTH_FEATURE = 'log_chars_total';

/** Defaults chosen by grouped cross-validation (whole MMLU subjects held out, several seeds; see README). */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  target: 'blend',
  iterations: 400,
  learningRate: 0.05,
  l2Dense: 1e-2,
  l2Words: 1e-3,
  minDocFreq: 5,
  minGroups: 2,
  balanceDatasets: true,
  groupWeightPower: 0,
  singleTaskDatasets: ['gsm8k'],
  targetByDataset: { mmlu: 'weak_wrong', gsm8k: 'net' },
  vocabulary: false,
  taskOneHots: false,
  lengthBoost: 0.25,
  bags: 5,
  bagGroupShare: 0.7,
  bagSeed: 7,
};

/** A labelled example with its features computed once (feature extraction dominates training time). */
export interface PreparedExample {
  readonly example: RoutingExample;
  readonly features: FeatureSet;
}

/** Computes features for each example exactly as the serving path does (single user turn). */
export function prepareExamples(examples: ReadonlyArray<RoutingExample>): PreparedExample[] {
  return examples.map((example) => {
    const messages = [{ role: 'user', content: example.prompt }];
    return { example, features: extractFeatures(messages, countPromptTokens(messages)) };
  });
}

/**
 * The label for a target, in [0, 1]. `weak_wrong`: the weak model failed. `gain`: the strong model fixes
 * what the weak one got wrong. `net`: (strong − weak + 1) / 2, a soft label whose expectation is monotone
 * in the expected quality gain of escalating — exactly the ordering the routing curve rewards. `blend`:
 * the mean of `weak_wrong` and `net` (gain 1, both wrong 0.75, both right 0.25, loss 0): hard prompts
 * rank above easy ones even when the strong model may fail them too.
 */
export function labelFor(example: RoutingExample, target: TrainingTarget): number {
  const weak = example.weakCorrect ? 1 : 0;
  const strong = example.strongCorrect ? 1 : 0;
  if (target === 'weak_wrong') return 1 - weak;
  if (target === 'gain') return (1 - weak) * strong;
  const net = (strong - weak + 1) / 2;
  return target === 'net' ? net : (1 - weak + net) / 2;
}

const TASK_FEATURES: string[] = TASK_TYPES.map((t) => `task:${t}`);

/**
 * The dense inputs of one fit: every general feature, plus the task one-hots seen in enough prompts and
 * groups (the same support rule as words). A task type that labels one training prompt would otherwise
 * get a weight fitted to that one label and apply it to every future prompt of that type.
 */
function denseNamesFor(prepared: ReadonlyArray<PreparedExample>, options: TrainOptions): string[] {
  if (!options.taskOneHots) return [...DENSE_FEATURE_NAMES];
  const supported = TASK_FEATURES.filter((name) => {
    const groups = new Set<string>();
    let docs = 0;
    for (const { example, features } of prepared) {
      if (options.singleTaskDatasets.includes(example.dataset)) continue;
      if ((features.dense.get(name) ?? 0) === 0) continue;
      docs++;
      groups.add(example.group);
    }
    return docs >= options.minDocFreq && groups.size >= options.minGroups;
  });
  return [...DENSE_FEATURE_NAMES, ...supported];
}

function buildVocabulary(prepared: ReadonlyArray<PreparedExample>, options: TrainOptions): string[] {
  if (!options.vocabulary) return [];
  const docs = new Map<string, number>();
  const groups = new Map<string, Set<string>>();
  for (const { example, features } of prepared) {
    for (const word of features.words) {
      docs.set(word, (docs.get(word) ?? 0) + 1);
      let g = groups.get(word);
      if (g === undefined) groups.set(word, (g = new Set()));
      g.add(example.group);
    }
  }
  return [...docs]
    .filter(([word, n]) => n >= options.minDocFreq && (groups.get(word)?.size ?? 0) >= options.minGroups)
    .map(([word]) => word)
    .sort();
}

/** Model metadata written next to the weights. */
export interface ModelProvenance {
  readonly version: string;
  readonly source: string;
  readonly command: string;
}

/** One logistic fit: the standardisation it used (its own training rows) and its parameters. */
interface MemberFit {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** [bias, dense..., words...] */
  readonly theta: Float64Array;
}

/**
 * Fits an L2-regularised logistic regression by full-batch Adam (deterministic: no sampling) on the
 * given dense names and vocabulary, standardising each dense feature on these rows.
 */
function fitMember(prepared: ReadonlyArray<PreparedExample>, options: TrainOptions, names: ReadonlyArray<string>, vocab: ReadonlyArray<string>): MemberFit {
  const n = prepared.length;
  const binary = names.map((name) => TASK_FEATURES.includes(name));
  const d = names.length;
  const vocabIndex = new Map(vocab.map((w, i) => [w, i]));
  const raw = new Float64Array(n * d);
  prepared.forEach(({ example, features }, i) => {
    const taskless = options.singleTaskDatasets.includes(example.dataset);
    names.forEach((name, j) => (raw[i * d + j] = taskless && binary[j] ? 0 : (features.dense.get(name) ?? 0)));
  });
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // One-hots stay 0/1: standardising a rare one divides by a tiny spread and turns "present" into ±30.
    if (binary[j]) {
      mean[j] = 0;
      scale[j] = 1;
      continue;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += raw[i * d + j]!;
    mean[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (raw[i * d + j]! - mean[j]!) ** 2;
    scale[j] = Math.sqrt(v / n) > 1e-9 ? Math.sqrt(v / n) : 1;
  }
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (raw[i * d + j]! - mean[j]!) / scale[j]!;
  // The standardised range seen in training; serving clamps to it (no extrapolation beyond the data).
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      lo[j] = Math.min(lo[j]!, x[i * d + j]!);
      hi[j] = Math.max(hi[j]!, x[i * d + j]!);
    }
  }
  const wordIdx: Int32Array[] = prepared.map(({ features }) =>
    Int32Array.from(features.words.map((w) => vocabIndex.get(w) ?? -1).filter((k) => k >= 0)),
  );
  const wordVal = prepared.map(({ features }) => (features.words.length === 0 ? 0 : 1 / Math.sqrt(features.words.length)));
  const y = prepared.map(({ example }) => labelFor(example, options.targetByDataset[example.dataset] ?? options.target));

  const datasetTotals = new Map<string, number>();
  for (const { example } of prepared) datasetTotals.set(example.dataset, (datasetTotals.get(example.dataset) ?? 0) + 1);
  const groupSizes = new Map<string, number>();
  for (const { example } of prepared) groupSizes.set(example.group, (groupSizes.get(example.group) ?? 0) + 1);
  const groupWeight = prepared.map(({ example }) => groupSizes.get(example.group)! ** -options.groupWeightPower);
  const groupWeightTotals = new Map<string, number>();
  prepared.forEach(({ example }, i) =>
    groupWeightTotals.set(example.dataset, (groupWeightTotals.get(example.dataset) ?? 0) + groupWeight[i]!),
  );
  const sampleWeight = prepared.map(({ example }, i) => {
    const datasetCount = datasetTotals.get(example.dataset)!;
    const withinDataset = (groupWeight[i]! * datasetCount) / groupWeightTotals.get(example.dataset)!;
    return withinDataset * (options.balanceDatasets ? n / (datasetTotals.size * datasetCount) : 1);
  });
  const totalWeight = sampleWeight.reduce((a, b) => a + b, 0);

  // Parameters: [bias, dense..., words...] with Adam moments.
  const p = 1 + d + vocab.length;
  const theta = new Float64Array(p);
  const m = new Float64Array(p);
  const v = new Float64Array(p);
  const grad = new Float64Array(p);
  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let t = 1; t <= options.iterations; t++) {
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let z = theta[0]!;
      for (let j = 0; j < d; j++) z += theta[1 + j]! * x[i * d + j]!;
      const idx = wordIdx[i]!;
      const wv = wordVal[i]!;
      for (let k = 0; k < idx.length; k++) z += theta[1 + d + idx[k]!]! * wv;
      const g = (sampleWeight[i]! * (1 / (1 + Math.exp(-z)) - y[i]!)) / totalWeight;
      grad[0] = grad[0]! + g;
      for (let j = 0; j < d; j++) grad[1 + j] = grad[1 + j]! + g * x[i * d + j]!;
      for (let k = 0; k < idx.length; k++) grad[1 + d + idx[k]!] = grad[1 + d + idx[k]!]! + g * wv;
    }
    for (let j = 0; j < d; j++) grad[1 + j] = grad[1 + j]! + options.l2Dense * theta[1 + j]!;
    for (let k = 0; k < vocab.length; k++) grad[1 + d + k] = grad[1 + d + k]! + options.l2Words * theta[1 + d + k]!;
    for (let q = 0; q < p; q++) {
      m[q] = beta1 * m[q]! + (1 - beta1) * grad[q]!;
      v[q] = beta2 * v[q]! + (1 - beta2) * grad[q]! ** 2;
      const mHat = m[q]! / (1 - beta1 ** t);
      const vHat = v[q]! / (1 - beta2 ** t);
      theta[q] = theta[q]! - (options.learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }

  return { mean, scale, lo, hi, theta };
}

/**
 * The training subsets of the bags: each keeps a seeded `bagGroupShare` of the groups of every dataset
 * that has several (MMLU subjects) and every prompt of a single-group dataset (GSM8K).
 */
export function bagSubsets(prepared: ReadonlyArray<PreparedExample>, options: TrainOptions): ReadonlyArray<ReadonlyArray<PreparedExample>> {
  if (options.bags <= 1) return [prepared];
  const groupsOf = new Map<string, Set<string>>();
  for (const { example } of prepared) groupsOf.set(example.dataset, (groupsOf.get(example.dataset) ?? new Set()).add(example.group));
  const sampled = [...groupsOf].filter(([, groups]) => groups.size > 1).map(([dataset, groups]) => [dataset, [...groups].sort()] as const);
  const random = createRandom(options.bagSeed);
  return Array.from({ length: options.bags }, () => {
    const kept = new Set(sampled.flatMap(([, groups]) => shuffled(groups, random).slice(0, Math.round(groups.length * options.bagGroupShare))));
    return prepared.filter(({ example }) => (groupsOf.get(example.dataset)?.size ?? 0) <= 1 || kept.has(example.group));
  });
}

/**
 * The mean of the members' logits as one linear model in the reference standardisation: averaging
 * linear functions of the raw features is again linear, so the bagged model ships in the same format.
 */
function averageMembers(members: ReadonlyArray<MemberFit>, reference: MemberFit, d: number): Float64Array {
  if (members.length === 1) return members[0]!.theta;
  const theta = new Float64Array(reference.theta.length);
  for (const member of members) {
    let bias = member.theta[0]!;
    for (let j = 0; j < d; j++) {
      const perUnit = member.theta[1 + j]! / member.scale[j]!;
      bias -= perUnit * member.mean[j]!;
      theta[1 + j] = theta[1 + j]! + (perUnit * reference.scale[j]!) / members.length;
    }
    theta[0] = theta[0]! + bias / members.length;
    for (let q = 1 + d; q < theta.length; q++) theta[q] = theta[q]! + member.theta[q]! / members.length;
  }
  for (let j = 0; j < d; j++) theta[0] = theta[0]! + (theta[1 + j]! * reference.mean[j]!) / reference.scale[j]!;
  return theta;
}

/**
 * Trains the routing model in the serving format: one logistic fit, or `bags` fits on subject subsets
 * averaged into one (standardised and clamped on all training rows), plus the length boost.
 * Calibration (identity) and thresholds (0.5/0.5) are placeholders; the caller sets them from
 * out-of-fold predictions.
 */
export function trainModel(
  prepared: ReadonlyArray<PreparedExample>,
  options: TrainOptions,
  provenance: ModelProvenance,
): ClassifierModel {
  const DENSE_NAMES = denseNamesFor(prepared, options);
  const d = DENSE_NAMES.length;
  const vocab = buildVocabulary(prepared, options);
  const members = bagSubsets(prepared, options).map((subset) => fitMember(subset, options, DENSE_NAMES, vocab));
  // The reference standardisation and clamp range are those of all rows (a fit of 0 iterations computes
  // only them); with one bag it is that bag's own fit.
  const reference = options.bags <= 1 ? members[0]! : fitMember(prepared, { ...options, iterations: 0 }, DENSE_NAMES, vocab);
  const { mean, scale, lo, hi } = reference;
  const theta = averageMembers(members, reference, d);

  const round = (value: number): number => Math.round(value * 1e6) / 1e6;
  const dense: ClassifierModel['dense'] = {};
  DENSE_NAMES.forEach((name, j) => {
    dense[name] = {
      mean: round(mean[j]!),
      scale: round(scale[j]!),
      weight: round(theta[1 + j]! + (name === LENGTH_FEATURE ? options.lengthBoost : 0)),
      lo: Math.floor(lo[j]! * 1e6) / 1e6,
      hi: Math.ceil(hi[j]! * 1e6) / 1e6,
    };
  });
  const words: Record<string, number> = {};
  vocab.forEach((word, k) => {
    const w = round(theta[1 + d + k]!);
    if (Math.abs(w) >= 1e-4) words[word] = w;
  });
  return {
    version: provenance.version,
    source: provenance.source,
    command: provenance.command,
    target: options.target,
    bias: round(theta[0]!),
    calibration: { slope: 1, intercept: 0 },
    dense,
    words,
    thresholds: { balanced: 0.5, complex: 0.5 },
  };
}
