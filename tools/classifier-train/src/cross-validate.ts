import { scoreFeatures } from '@sophia/classifier-core';
import { createRandom, shuffled } from './seeded-random.ts';
import { trainModel, type PreparedExample, type TrainOptions } from './train-model.ts';

/**
 * Assigns each example a fold in [0, k): MMLU by whole subject (round-robin over shuffled subjects),
 * GSM8K by prompt. Mirrors the held-out split so validation measures transfer to unseen subjects.
 */
export function assignFolds(prepared: ReadonlyArray<PreparedExample>, k: number, seed: number): number[] {
  const random = createRandom(seed);
  const subjects = [...new Set(prepared.filter((p) => p.example.dataset === 'mmlu').map((p) => p.example.group))].sort();
  const subjectFold = new Map(shuffled(subjects, random).map((s, i) => [s, i % k]));
  const gsmPositions = prepared.flatMap((p, i) => (p.example.dataset === 'gsm8k' ? [i] : []));
  const gsmFold = new Map(shuffled(gsmPositions, random).map((pos, i) => [pos, i % k]));
  return prepared.map((p, i) => (p.example.dataset === 'gsm8k' ? gsmFold.get(i)! : subjectFold.get(p.example.group)!));
}

/** Raw logits for every example from a model trained on the other folds (out-of-fold predictions). */
export function outOfFoldLogits(
  prepared: ReadonlyArray<PreparedExample>,
  options: TrainOptions,
  k: number,
  seed: number,
): number[] {
  const folds = assignFolds(prepared, k, seed);
  const scores = new Array<number>(prepared.length).fill(Number.NaN);
  for (let fold = 0; fold < k; fold++) {
    const train = prepared.filter((_, i) => folds[i] !== fold);
    const model = trainModel(train, options, { version: `cv-${fold}`, source: 'cv', command: 'cv' });
    prepared.forEach((p, i) => {
      if (folds[i] === fold) scores[i] = scoreFeatures(model, p.features).logit;
    });
  }
  return scores;
}
