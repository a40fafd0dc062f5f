import { QUANTITY_FEATURE_NAMES, quantityFeatures } from './quantity-features.ts';

const asMap = (text: string) => new Map(quantityFeatures(text));

describe('quantityFeatures', () => {
  it('returns every named feature, finite, in order', () => {
    const features = quantityFeatures('');
    expect(features.map(([name]) => name)).toEqual([...QUANTITY_FEATURE_NAMES]);
    for (const [, value] of features) expect(value).toBe(0);
  });

  it('counts distinct numbers and the largest magnitude (thousands separators included)', () => {
    const f = asMap('He buys a house for $80,000 and spends $50,000; then 80,000 again and 2.5 more.');
    expect(f.get('log_distinct_numbers')).toBeCloseTo(Math.log1p(3), 12);
    expect(f.get('log_max_number')).toBeCloseTo(Math.log1p(Math.log10(80_001)), 12);
    expect(f.get('log_decimals')).toBeCloseTo(Math.log1p(1), 12);
    expect(f.get('log_money')).toBeCloseTo(Math.log1p(2), 12);
  });

  it('sees percentages, fractions, rates, times and number words', () => {
    const f = asMap('It rose by 150% and then 20 percent. Half of the 3/4 left, twice per hour for three weeks.');
    expect(f.get('log_percentages')).toBeCloseTo(Math.log1p(2), 12);
    expect(f.get('log_fractions')).toBeCloseTo(Math.log1p(3), 12);
    expect(f.get('log_rate_words')).toBeCloseTo(Math.log1p(1), 12);
    expect(f.get('log_time_words')).toBeCloseTo(Math.log1p(2), 12);
    expect(f.get('log_number_words')).toBeCloseTo(Math.log1p(1), 12);
  });

  it('counts sentences that carry a quantity, named entities and question clauses', () => {
    const f = asMap('Janet has 16 eggs. She is happy. Then Mark gives her two more. How many eggs does Janet have and how much are they worth?');
    expect(f.get('log_quantity_sentences')).toBeCloseTo(Math.log1p(2), 12);
    // "Mark" and the mid-sentence "Janet"; sentence-initial capitals ("Janet", "She", "Then") do not count.
    expect(f.get('log_entities')).toBeCloseTo(Math.log1p(2), 12);
    expect(f.get('log_question_clauses')).toBeCloseTo(Math.log1p(2), 12);
    expect(f.get('log_comparisons')).toBeCloseTo(Math.log1p(1), 12);
  });

  it('stays finite on huge numbers', () => {
    const f = asMap(`${'9'.repeat(400)} apples`);
    expect(Number.isFinite(f.get('log_max_number'))).toBe(true);
  });
});
