import { percentile } from './percentiles.ts';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sample = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(sample, 50)).toBe(5);
    expect(percentile(sample, 99)).toBe(10);
    expect(percentile(sample, 0)).toBe(1);
    expect(percentile(sample, 100)).toBe(10);
  });

  it('rejects bad input', () => {
    expect(() => percentile([], 50)).toThrow('empty');
    expect(() => percentile([1], 101)).toThrow('p must be');
  });
});
