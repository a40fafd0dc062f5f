import { bootstrapInterval } from './bootstrap-interval.ts';

describe('bootstrapInterval', () => {
  const sample = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // mean 0.25
  const mean = (idx: ReadonlyArray<number>) => idx.reduce((s, i) => s + sample[i]!, 0) / idx.length;

  it('brackets the estimate with a plausible, seeded interval', () => {
    const interval = bootstrapInterval(sample.length, mean, { reps: 400, seed: 3 });
    expect(interval.estimate).toBeCloseTo(0.25, 12);
    expect(interval.low).toBeLessThan(0.25);
    expect(interval.high).toBeGreaterThan(0.25);
    // Binomial standard error is ≈ 0.0217, so the 95 % interval is ≈ ±0.042.
    expect(interval.high - interval.low).toBeGreaterThan(0.06);
    expect(interval.high - interval.low).toBeLessThan(0.11);
    expect(bootstrapInterval(sample.length, mean, { reps: 400, seed: 3 })).toEqual(interval);
  });

  it('rejects empty samples and bad options', () => {
    expect(() => bootstrapInterval(0, mean)).toThrow('at least one example');
    expect(() => bootstrapInterval(10, mean, { level: 1 })).toThrow('level');
    expect(() => bootstrapInterval(10, mean, { reps: 1 })).toThrow('reps');
  });
});
