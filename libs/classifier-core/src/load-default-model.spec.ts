import { createClassifier } from './create-classifier.ts';
import { loadDefaultModel } from './load-default-model.ts';

describe('loadDefaultModel', () => {
  it('loads and validates the committed weights', () => {
    const model = loadDefaultModel();
    expect(model.version).toMatch(/^routellm-lr-[0-9a-f]{12}$/);
    expect(model.thresholds.balanced).toBeLessThanOrEqual(model.thresholds.complex);
    expect(Object.keys(model.words).length).toBeGreaterThan(100);
    expect(loadDefaultModel()).toBe(model);
  });

  it('classifies with the committed weights', () => {
    const result = createClassifier(loadDefaultModel()).classify([{ role: 'user', content: 'What is the capital of France?' }]);
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.modelVersion).toBe(loadDefaultModel().version);
  });
});
