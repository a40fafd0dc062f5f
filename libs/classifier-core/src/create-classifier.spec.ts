import { createClassifier, scoreFeatures, tierFor } from './create-classifier.ts';
import { extractFeatures } from './extract-features.ts';
import { makeTestModel } from './test-model.ts';

const user = (content: string) => [{ role: 'user', content }];

describe('createClassifier', () => {
  const classifier = createClassifier(makeTestModel());

  it('returns a score in [0, 1] and the full classification', () => {
    const result = classifier.classify(user('hello'));
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.taskType).toBe('chat');
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.expectedOutputTokens).toBe(150);
    expect(result.modelVersion).toBe('test-model');
  });

  it('is deterministic', () => {
    const messages = user('State and prove the fundamental theorem of algebra.');
    expect(classifier.classify(messages)).toEqual(classifier.classify(messages));
  });

  it('is monotone in the evidence the model weights', () => {
    const short = classifier.classify(user('Explain it.')).score;
    const long = classifier.classify(user(`Explain it. ${'More context about the situation. '.repeat(30)}`)).score;
    expect(long).toBeGreaterThan(short);
    const plain = classifier.classify(user('Explain this result please.')).score;
    const hard = classifier.classify(user('Explain this theorem please.')).score;
    const easy = classifier.classify(user('Explain this hello please.')).score;
    expect(hard).toBeGreaterThan(plain);
    expect(easy).toBeLessThan(plain);
  });

  it('stays within [0, 1] for extreme inputs', () => {
    const huge = classifier.classify(user('theorem '.repeat(5000))).score;
    const empty = classifier.classify(user('')).score;
    for (const s of [huge, empty]) {
      expect(Number.isFinite(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('reports the top features by absolute contribution, with the words that occurred', () => {
    const result = classifier.classify(user('hello theorem'));
    const names = result.features.map((f) => f.name);
    expect(names).toContain('word:theorem');
    expect(names).toContain('word:hello');
    const magnitudes = result.features.map((f) => Math.abs(f.contribution));
    expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
    expect(result.features.length).toBeLessThanOrEqual(5);
    expect(createClassifier(makeTestModel(), { topFeatures: 1 }).classify(user('hello theorem')).features).toHaveLength(1);
  });

  it('counts the system prompt and every turn', () => {
    const single = classifier.classify(user('What is 2 + 2?'));
    const conversation = classifier.classify([
      { role: 'system', content: 'You are a careful maths tutor who shows every step.' },
      { role: 'user', content: 'What is 2 + 2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'What is 2 + 2?' },
    ]);
    expect(conversation.promptTokens).toBeGreaterThan(single.promptTokens);
    expect(conversation.score).not.toBe(single.score);
  });

  it('applies the calibration to the raw logit', () => {
    const model = makeTestModel({ calibration: { slope: 0, intercept: 2 } });
    expect(createClassifier(model).classify(user('anything')).score).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
  });

  it('calibrates each prompt kind with its own mapping, falling back to the shared one', () => {
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const choice = user('Which is larger?\nA. 1\nB. 2\nC. 3\nD. 4');
    const open = user('Which is larger, 1 or 2?');
    const both = createClassifier(
      makeTestModel({ calibration: { slope: 0, intercept: 0 }, calibrationByKind: { multiple_choice: { slope: 0, intercept: 1 }, open: { slope: 0, intercept: -1 } } }),
    );
    expect(both.classify(choice).score).toBeCloseTo(sigmoid(1), 12);
    expect(both.classify(open).score).toBeCloseTo(sigmoid(-1), 12);
    const onlyChoice = createClassifier(makeTestModel({ calibration: { slope: 0, intercept: 3 }, calibrationByKind: { multiple_choice: { slope: 0, intercept: 1 } } }));
    expect(onlyChoice.classify(open).score).toBeCloseTo(sigmoid(3), 12);
  });

  it('ignores words that only exist on Object.prototype', () => {
    const model = makeTestModel({ words: {} });
    const result = createClassifier(model).classify(user('constructor tostring valueof'));
    expect(Number.isFinite(result.score)).toBe(true);
    expect(result.features.some((f) => f.name.startsWith('word:'))).toBe(false);
  });

  it('maps scores to tiers with the model thresholds or an override', () => {
    expect(tierFor(0.1, { balanced: 0.3, complex: 0.7 })).toBe('simple');
    expect(tierFor(0.3, { balanced: 0.3, complex: 0.7 })).toBe('balanced');
    expect(tierFor(0.7, { balanced: 0.3, complex: 0.7 })).toBe('complex');
    const allComplex = createClassifier(makeTestModel(), { thresholds: { balanced: 0, complex: 0 } });
    expect(allComplex.classify(user('hello')).tier).toBe('complex');
    expect(allComplex.thresholds).toEqual({ balanced: 0, complex: 0 });
    expect(() => createClassifier(makeTestModel(), { thresholds: { balanced: 0.8, complex: 0.2 } })).toThrow(
      'thresholds.balanced must be <= thresholds.complex',
    );
  });

  it('scores absent task one-hots against their mean', () => {
    const model = makeTestModel({ dense: { 'task:math_reasoning': { mean: 0.5, scale: 1, weight: 2 } }, words: {}, bias: 0 });
    const features = extractFeatures(user('hello'), 3);
    expect(scoreFeatures(model, features).logit).toBeCloseTo(-1, 12);
    const maths = extractFeatures(user('Solve 3x + 7 = 22'), 9);
    expect(scoreFeatures(model, maths).logit).toBeCloseTo(1, 12);
  });

  it('clamps a standardised feature to the training range the model records', () => {
    const clamped = makeTestModel({ dense: { log_chars_total: { mean: 4, scale: 1, weight: 1, lo: -1, hi: 0.5 } }, words: {}, bias: 0 });
    const unclamped = makeTestModel({ dense: { log_chars_total: { mean: 4, scale: 1, weight: 1 } }, words: {}, bias: 0 });
    const long = extractFeatures(user('x'.repeat(5000)), 1000);
    expect(scoreFeatures(unclamped, long).logit).toBeGreaterThan(4);
    expect(scoreFeatures(clamped, long).logit).toBeCloseTo(0.5, 12);
    const short = extractFeatures(user('x'), 1);
    expect(scoreFeatures(clamped, short).logit).toBeCloseTo(-1, 12);
  });
});
