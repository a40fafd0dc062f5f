import path from 'node:path';
import { scoreFeatures } from '@sophia/classifier-core';
import { groupedCrossValidation } from './grouped-cross-validation.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { nestedLengthBoost } from './nested-length-boost.ts';
import { DEFAULT_TRAIN_OPTIONS, prepareExamples, trainModel } from './train-model.ts';

const prepared = prepareExamples(loadRouteLlm(path.join(__dirname, 'fixtures')));
const options = { ...DEFAULT_TRAIN_OPTIONS, iterations: 60 };

describe('nestedLengthBoost', () => {
  it('picks one candidate per outer training set, reproducibly', () => {
    const chosen: number[] = [];
    const result = groupedCrossValidation(prepared, nestedLengthBoost(options, [0, 0.5, 5], 2, 1, chosen), 3, [1]);
    expect(chosen).toHaveLength(3);
    for (const pick of chosen) expect([0, 0.5, 5]).toContain(pick);
    const again: number[] = [];
    expect(groupedCrossValidation(prepared, nestedLengthBoost(options, [0, 0.5, 5], 2, 1, again), 3, [1])).toEqual(result);
    expect(again).toEqual(chosen);
  });

  it('with one candidate it is the plain recipe at that boost', () => {
    const nested = groupedCrossValidation(prepared, nestedLengthBoost(options, [0.25], 2, 1, []), 3, [1]);
    const plain = groupedCrossValidation(
      prepared,
      (train) => {
        const model = trainModel(train, { ...options, lengthBoost: 0.25 }, { version: 'p', source: 'test', command: 'test' });
        return (p) => scoreFeatures(model, p.features).logit;
      },
      3,
      [1],
    );
    expect(nested).toEqual(plain);
  });
});
