import type { Classification, Classifier } from '@sophia/classifier-core';
import { formatTierMix, tierMix } from './tier-mix.ts';

/** A fake classifier whose score is the prompt's length / 100, tiers cut at 0.3 and 0.7. */
const fake: Classifier = {
  modelVersion: 'fake',
  thresholds: { balanced: 0.3, complex: 0.7 },
  classify(messages): Classification {
    const score = Math.min(1, (messages[0]?.content.length ?? 0) / 100);
    return {
      tier: score >= 0.7 ? 'complex' : score >= 0.3 ? 'balanced' : 'simple',
      taskType: 'other',
      score,
      promptTokens: 1,
      expectedOutputTokens: 1,
      features: [],
      modelVersion: 'fake',
    };
  },
};

describe('tierMix', () => {
  it('counts every prompt into the tier its score falls in and reports score percentiles', () => {
    const prompts = ['x'.repeat(10), 'x'.repeat(20), 'x'.repeat(50), 'x'.repeat(90), 'x'.repeat(100)];
    const mix = tierMix(fake, prompts);
    expect(mix.count).toBe(5);
    expect(mix.tiers).toEqual({ simple: 2, balanced: 1, complex: 2 });
    expect(mix.scorePercentiles).toContainEqual([50, 0.5]);
    const text = formatTierMix(mix, 'fake');
    expect(text).toContain('5 unlabelled prompts');
    expect(text).toMatch(/balanced\s+1\s+20\.0%/);
  });
});
