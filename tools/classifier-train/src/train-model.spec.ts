import path from 'node:path';
import { createClassifier, parseClassifierModel, scoreFeatures, type ClassifierModel } from '@sophia/classifier-core';
import { fitCalibration } from './fit-calibration.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { trainRoutingModel } from './train-routing-model.ts';
import { bagSubsets, DEFAULT_TRAIN_OPTIONS, labelFor, prepareExamples, trainModel } from './train-model.ts';

const examples = loadRouteLlm(path.join(__dirname, 'fixtures'));
// The word and task-type machinery stays available (and tested) though the shipped recipe turns it off.
const options = { ...DEFAULT_TRAIN_OPTIONS, minDocFreq: 2, minGroups: 2, iterations: 200, vocabulary: true, taskOneHots: true };
const provenance = { version: 'v', source: 'fixture', command: 'test' };

describe('training', () => {
  it('labels targets as documented', () => {
    const gain = { dataset: 'mmlu' as const, group: 'g', prompt: '', weakCorrect: false, strongCorrect: true };
    const loss = { ...gain, weakCorrect: true, strongCorrect: false };
    const bothWrong = { ...gain, strongCorrect: false };
    expect([labelFor(gain, 'weak_wrong'), labelFor(gain, 'gain'), labelFor(gain, 'net'), labelFor(gain, 'blend')]).toEqual([1, 1, 1, 1]);
    expect([labelFor(loss, 'weak_wrong'), labelFor(loss, 'gain'), labelFor(loss, 'net'), labelFor(loss, 'blend')]).toEqual([0, 0, 0, 0]);
    expect(labelFor(bothWrong, 'blend')).toBe(0.75);
  });

  it('learns that words seen with weak-model failures raise the score, and is deterministic', () => {
    const prepared = prepareExamples(examples);
    const model = trainModel(prepared, options, provenance);
    expect(model.words['statute']).toBeGreaterThan(0);
    expect(parseClassifierModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(trainModel(prepared, options, provenance)).toEqual(model);
    const classifier = createClassifier(model);
    const hard = classifier.classify([{ role: 'user', content: 'Which statute applies to the tort doctrine?\nA. a\nB. b\nC. c\nD. d\nAnswer:' }]);
    const easy = classifier.classify([{ role: 'user', content: 'Which colour is the sky?\nA. a\nB. b\nC. c\nD. d\nAnswer:' }]);
    expect(hard.score).toBeGreaterThan(easy.score);
  });

  it('keeps task one-hots unstandardised, drops unsupported ones and records the clamp range', () => {
    const prepared = prepareExamples(examples);
    const model = trainModel(prepared, options, provenance);
    const taskTypes = new Map<string, Set<string>>();
    for (const p of prepared) {
      const name = `task:${p.features.taskType}`;
      taskTypes.set(name, (taskTypes.get(name) ?? new Set()).add(p.example.prompt));
    }
    for (const [name, weight] of Object.entries(model.dense)) {
      expect(weight.lo).toBeLessThanOrEqual(weight.hi!);
      if (!name.startsWith('task:')) continue;
      expect(weight).toMatchObject({ mean: 0, scale: 1 });
      expect(taskTypes.get(name)?.size ?? 0).toBeGreaterThanOrEqual(options.minDocFreq);
    }
    // A task type no training prompt has gets no weight at all (it would be fitted to nothing).
    expect(model.dense['task:chat']).toBeUndefined();
  });

  it('learns no task weight from a single-task dataset', () => {
    const prepared = prepareExamples(examples);
    const everywhere = trainModel(prepared, { ...options, singleTaskDatasets: [] }, provenance);
    const onlyMixed = trainModel(prepared, { ...options, singleTaskDatasets: ['gsm8k', 'mmlu'] }, provenance);
    expect(Object.keys(everywhere.dense).some((name) => name.startsWith('task:'))).toBe(true);
    expect(Object.keys(onlyMixed.dense).filter((name) => name.startsWith('task:'))).toEqual([]);
  });

  it('shipped recipe: no vocabulary, no task one-hots, the length boost added to the fitted length weight', () => {
    const prepared = prepareExamples(examples);
    const shipped = { ...DEFAULT_TRAIN_OPTIONS, iterations: 200 };
    const plain = trainModel(prepared, { ...shipped, lengthBoost: 0 }, provenance);
    const boosted = trainModel(prepared, { ...shipped, lengthBoost: 0.5 }, provenance);
    expect(plain.words).toEqual({});
    expect(Object.keys(plain.dense).filter((name) => name.startsWith('task:'))).toEqual([]);
    expect(boosted.dense['log_chars_total']!.weight).toBeCloseTo(plain.dense['log_chars_total']!.weight + 0.5, 6);
    expect(boosted.dense['log_prompt_tokens']).toEqual(plain.dense['log_prompt_tokens']);
  });

  it('bags: each keeps a seeded share of the subjects and every GSM8K prompt, reproducibly', () => {
    const prepared = prepareExamples(examples);
    const bagged = { ...DEFAULT_TRAIN_OPTIONS, bags: 4, bagGroupShare: 0.7 };
    const subsets = bagSubsets(prepared, bagged);
    const gsm8k = prepared.filter((p) => p.example.dataset === 'gsm8k').length;
    expect(subsets).toHaveLength(4);
    for (const subset of subsets) {
      // 3 fixture subjects × 0.7 → 2 kept.
      expect(new Set(subset.filter((p) => p.example.dataset === 'mmlu').map((p) => p.example.group)).size).toBe(2);
      expect(subset.filter((p) => p.example.dataset === 'gsm8k')).toHaveLength(gsm8k);
    }
    expect(new Set(subsets.map((s) => s.map((p) => p.example.group).join())).size).toBeGreaterThan(1);
    expect(bagSubsets(prepared, bagged)).toEqual(subsets);
    expect(bagSubsets(prepared, { ...bagged, bags: 1 })).toEqual([prepared]);
  });

  it('ships the bags as one linear model whose logit is the mean of the members\' logits', () => {
    const prepared = prepareExamples(examples);
    const bagged = { ...DEFAULT_TRAIN_OPTIONS, iterations: 200, bags: 3, lengthBoost: 0 };
    const unclamped = (model: ClassifierModel): ClassifierModel => ({
      ...model,
      dense: Object.fromEntries(Object.entries(model.dense).map(([name, { mean, scale, weight }]) => [name, { mean, scale, weight }])),
    });
    const combined = unclamped(trainModel(prepared, bagged, provenance));
    const members = bagSubsets(prepared, bagged).map((subset) => unclamped(trainModel(subset, { ...bagged, bags: 1 }, provenance)));
    for (const p of prepared) {
      const mean = members.reduce((sum, m) => sum + scoreFeatures(m, p.features).logit, 0) / members.length;
      // Weights are rounded to 1e-6 in the file; the sum over ~50 features stays well inside 1e-3.
      expect(scoreFeatures(combined, p.features).logit).toBeCloseTo(mean, 3);
    }
  });

  it('teaches each dataset its own label when targetByDataset names it', () => {
    const prepared = prepareExamples(examples);
    const base = { ...DEFAULT_TRAIN_OPTIONS, iterations: 200, target: 'weak_wrong' as const };
    const same = trainModel(prepared, { ...base, targetByDataset: {} }, provenance);
    const mixed = trainModel(prepared, { ...base, targetByDataset: { gsm8k: 'net' } }, provenance);
    const onlyMmlu = prepareExamples(examples.filter((e) => e.dataset === 'mmlu'));
    expect(mixed.bias).not.toBe(same.bias);
    // Without GSM8K prompts the override has nothing to act on.
    expect(trainModel(onlyMmlu, { ...base, targetByDataset: { gsm8k: 'net' } }, provenance)).toEqual(trainModel(onlyMmlu, { ...base, targetByDataset: {} }, provenance));
  });

  it('runs the whole recipe: grouped out-of-fold calibration per prompt kind, thresholds, version hash', () => {
    const config = { seed: 1, folds: 2, options, command: 'test', source: 'fixture' };
    const model = trainRoutingModel(examples, config);
    expect(model.version).toMatch(/^routellm-lr-[0-9a-f]{12}$/);
    expect(model.thresholds.balanced).toBeLessThanOrEqual(model.thresholds.complex);
    expect(Object.keys(model.calibrationByKind ?? {}).sort()).toEqual(['multiple_choice', 'open']);
    expect(model.evaluation).toMatchObject({ seed: 1, folds: 2, trainCount: examples.length });
    expect(trainRoutingModel(examples, config)).toEqual(model);
  });
});

describe('fitCalibration', () => {
  it('recovers a known logistic relationship', () => {
    const logits: number[] = [];
    const outcomes: number[] = [];
    // Outcome frequencies follow σ(2x − 1) exactly at each logit, in units of 1/100.
    for (const x of [-2, -1, 0, 1, 2]) {
      const p = 1 / (1 + Math.exp(-(2 * x - 1)));
      const ones = Math.round(p * 1000);
      for (let i = 0; i < 1000; i++) {
        logits.push(x);
        outcomes.push(i < ones ? 1 : 0);
      }
    }
    const { slope, intercept } = fitCalibration(logits, outcomes);
    expect(slope).toBeCloseTo(2, 1);
    expect(intercept).toBeCloseTo(-1, 1);
  });

  it('rejects mismatched input', () => {
    expect(() => fitCalibration([1], [])).toThrow('equal, non-empty');
  });
});
