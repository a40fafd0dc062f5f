import type { ClassifierModel } from './classifier-model.ts';

/**
 * A tiny hand-made model for unit tests: longer prompts and the word "theorem" push the score up, the
 * word "hello" pulls it down. Lets tests check direction and bookkeeping without the trained weights.
 */
export function makeTestModel(overrides: Partial<ClassifierModel> = {}): ClassifierModel {
  return {
    version: 'test-model',
    source: 'hand-made for tests',
    command: 'none',
    target: 'weak_wrong',
    bias: -1,
    calibration: { slope: 1, intercept: 0 },
    dense: {
      log_chars_total: { mean: 4, scale: 1, weight: 1 },
      has_system: { mean: 0.5, scale: 0.5, weight: 0.2 },
      'task:math_reasoning': { mean: 0.1, scale: 0.3, weight: 0.3 },
    },
    words: { theorem: 2, hello: -2, constructor: 0.5 },
    thresholds: { balanced: 0.3, complex: 0.7 },
    ...overrides,
  };
}
