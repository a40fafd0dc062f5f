import { median, percentile, summarize } from './latency-stats.ts';

describe('latency stats', () => {
  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 1)).toBe(100);
    expect(percentile([], 0.5)).toBeNaN();
  });
  it('computes throughput from the wall-clock span, not the sum of latencies', () => {
    const s = summarize([10, 20, 30, 40], 1, 2000);
    expect(s.rps).toBe(2);
    expect(s.errors).toBe(1);
    expect(s.meanMs).toBe(25);
  });
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});
