import path from 'node:path';
import { scoreFeatures } from '@sophia/classifier-core';
import { formatGroupedCv } from './format-grouped-cv.ts';
import { groupedCrossValidation, median, summariseGroupedCv, type FitScorer } from './grouped-cross-validation.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { DEFAULT_TRAIN_OPTIONS, prepareExamples, trainModel } from './train-model.ts';

const prepared = prepareExamples(loadRouteLlm(path.join(__dirname, 'fixtures')));
const subjects = [...new Set(prepared.filter((p) => p.example.dataset === 'mmlu').map((p) => p.example.group))].sort();
const byLength: FitScorer = () => (p) => p.example.prompt.length;

describe('groupedCrossValidation', () => {
  it('holds out whole subjects: no model is trained on a prompt of a subject it scores', () => {
    const seen: Array<{ trained: Set<string>; scored: Set<string> }> = [];
    const spy: FitScorer = (train) => {
      const record = { trained: new Set(train.filter((p) => p.example.dataset === 'mmlu').map((p) => p.example.group)), scored: new Set<string>() };
      seen.push(record);
      return (p) => {
        if (p.example.dataset === 'mmlu') record.scored.add(p.example.group);
        return p.example.prompt.length;
      };
    };
    const result = groupedCrossValidation(prepared, spy, 3, [1, 2]);
    expect(seen).toHaveLength(6);
    for (const { trained, scored } of seen) {
      expect(scored.size).toBeGreaterThan(0);
      for (const subject of scored) expect(trained.has(subject)).toBe(false);
    }
    // Per seed the folds' subjects partition all subjects, and every MMLU prompt is in exactly one fold.
    for (const seed of [1, 2]) {
      const folds = result.mmluFolds.filter((f) => f.seed === seed);
      expect(folds.flatMap((f) => f.subjects).sort()).toEqual(subjects);
      expect(folds.reduce((n, f) => n + f.ours.count, 0)).toBe(prepared.filter((p) => p.example.dataset === 'mmlu').length);
    }
    expect(result.gsm8kPooled.map((r) => r.ours.count)).toEqual([6, 6]);
    expect(result.subjects).toHaveLength(subjects.length * 2);
  });

  it('scores a length router exactly like length-only, and a trained recipe reproducibly', () => {
    const length = summariseGroupedCv(groupedCrossValidation(prepared, byLength, 3, [1]));
    expect(length.worstFoldMargin).toBe(0);
    expect(length.mmluMedian.ours).toBe(length.mmluMedian.length);
    const options = { ...DEFAULT_TRAIN_OPTIONS, iterations: 100 };
    const fit: FitScorer = (train) => {
      const model = trainModel(train, options, { version: 'cv', source: 'test', command: 'test' });
      return (p) => scoreFeatures(model, p.features).logit;
    };
    const once = groupedCrossValidation(prepared, fit, 3, [1, 2]);
    expect(groupedCrossValidation(prepared, fit, 3, [1, 2])).toEqual(once);
    const text = formatGroupedCv(once);
    expect(text).toContain('grouped 3-fold CV by whole subject × 2 seeds');
    expect(text).toMatch(/target "median ≥ length-only \+ 10 points": .* → (met|NOT met)/);
    for (const subject of subjects) expect(text).toContain(subject);
    // The pooled line names the subjects this run really held out, not the full data set's count.
    expect(text).toContain(`all ${subjects.length} subjects pooled, out-of-fold`);
    expect(subjects.length).not.toBe(29);
  });

  it('rejects fewer than two folds', () => {
    expect(() => groupedCrossValidation(prepared, byLength, 1, [1])).toThrow('folds must be an integer >= 2');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
