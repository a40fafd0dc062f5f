import { parseClassifierModel } from './classifier-model.ts';
import { makeTestModel } from './test-model.ts';

describe('parseClassifierModel', () => {
  it('accepts a well-formed model', () => {
    expect(parseClassifierModel(JSON.parse(JSON.stringify(makeTestModel())))).toEqual(makeTestModel());
  });

  it('names the offending field', () => {
    const bad = JSON.parse(JSON.stringify(makeTestModel()));
    bad.dense.log_chars_total.scale = 0;
    expect(() => parseClassifierModel(bad)).toThrow('invalid classifier model: dense.log_chars_total.scale: must be > 0');
    expect(() => parseClassifierModel({ ...makeTestModel(), bias: 'x' })).toThrow(/bias/);
    expect(() => parseClassifierModel({ ...makeTestModel(), words: { a: null } })).toThrow(/words\.a/);
    expect(() => parseClassifierModel({ ...makeTestModel(), thresholds: { balanced: 0.9, complex: 0.1 } })).toThrow(
      /thresholds: thresholds.balanced must be <= thresholds.complex/,
    );
    expect(() => parseClassifierModel(null)).toThrow(/invalid classifier model/);
    expect(() => parseClassifierModel({ ...makeTestModel(), calibrationByKind: { open: { slope: 1 } } })).toThrow(/calibrationByKind\.open\.intercept/);
    expect(() => parseClassifierModel({ ...makeTestModel(), calibrationByKind: { essay: { slope: 1, intercept: 0 } } })).toThrow(/calibrationByKind/);
  });
});
