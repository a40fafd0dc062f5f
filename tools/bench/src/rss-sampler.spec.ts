import { residentMiB, slope } from './rss-sampler.ts';

describe('rss sampler', () => {
  it('reads this process’s resident size and nothing for a pid that does not exist', () => {
    const mine = residentMiB(process.pid);
    expect(mine).toBeGreaterThan(1);
    expect(Math.abs(mine! - process.memoryUsage().rss / 2 ** 20)).toBeLessThan(64);
    expect(residentMiB(2 ** 22 + 12_345)).toBeUndefined();
  });

  it('fits the growth rate by least squares', () => {
    expect(slope([{ x: 0, y: 100 }, { x: 1, y: 102 }, { x: 2, y: 104 }])).toBeCloseTo(2, 12);
    expect(slope([{ x: 0, y: 5 }, { x: 1, y: 7 }, { x: 2, y: 5 }, { x: 3, y: 7 }])).toBeCloseTo(0.4, 12);
    expect(slope([{ x: 3, y: 1 }])).toBe(0);
  });
});
