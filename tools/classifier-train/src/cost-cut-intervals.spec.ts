import { costCutIntervals, formatCostCutIntervals, type PairedExample } from './cost-cut-intervals.ts';

describe('costCutIntervals', () => {
  // Weak fails exactly the prompts with the highest score; the baseline ranks them backwards.
  const items: PairedExample[] = Array.from({ length: 200 }, (_, i) => ({
    score: i,
    baseline: -i,
    weakCorrect: i < 150,
    strongCorrect: true,
  }));

  it('gives a perfect router a large, significant paired advantage over a reversed one', () => {
    const intervals = costCutIntervals(items);
    expect(intervals.ours.estimate).toBeGreaterThan(0.7);
    expect(intervals.baseline.estimate).toBeCloseTo(0.05, 9); // reversed: only the last 5 % can stay weak
    expect(intervals.difference.low).toBeGreaterThan(0.5);
    expect(intervals.ours.low).toBeLessThanOrEqual(intervals.ours.estimate);
    expect(formatCostCutIntervals('toy', intervals)).toMatch(/^toy\s+ours \d+\.\d% \[/);
  });
});
