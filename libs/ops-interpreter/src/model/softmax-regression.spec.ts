import { predictSoftmax, trainSoftmax, type Example } from './softmax-regression.ts';

const corpus: Example[] = [
  { features: ['w:show', 'c:usage'], label: 'usage' },
  { features: ['w:usage', 'c:usage'], label: 'usage' },
  { features: ['w:clear', 'c:overrides'], label: 'clear' },
  { features: ['w:remove', 'c:overrides'], label: 'clear' },
  { features: ['w:haiku'], label: 'none' },
  { features: ['w:poem'], label: 'none' },
];

describe('softmax regression', () => {
  it('learns a separable corpus and generalises through a shared feature', () => {
    const model = trainSoftmax(corpus);
    expect(predictSoftmax(model, ['w:show', 'c:usage'])[0]!.label).toBe('usage');
    expect(predictSoftmax(model, ['w:wipe', 'c:overrides'])[0]!.label).toBe('clear'); // unseen word, known concept
    expect(predictSoftmax(model, ['w:poem'])[0]!.label).toBe('none');
  });

  it('gives probabilities that sum to one, and the same model from the same corpus in any order', () => {
    const a = predictSoftmax(trainSoftmax(corpus), ['c:usage']);
    const b = predictSoftmax(trainSoftmax([...corpus].reverse()), ['c:usage']);
    expect(a.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 10);
    expect(b).toEqual(a);
  });
});
