import { growthPerRequest } from './memory-trend.ts';

const at = (mibs: readonly number[], step = 500): Array<{ requests: number; mib: number }> => mibs.map((mib, i) => ({ requests: i * step, mib }));

describe('growthPerRequest (Theil–Sen)', () => {
  it('reads a steady climb in full', () => {
    // 100 KB retained a request: +48.8 MiB a round of 500.
    expect(growthPerRequest(at([150, 198.8, 247.6, 296.4, 345.2])) * 2000).toBeCloseTo(195.2, 1);
  });

  it('is not moved by one reading off in either direction', () => {
    expect(growthPerRequest(at([160, 171, 160, 160, 160])) * 2000).toBe(0);
    expect(growthPerRequest(at([160, 160, 160, 160, 149])) * 2000).toBe(0);
  });

  it('sees a small steady leak (4 KB a request) under noise of ±3 MiB', () => {
    const leak = (i: number): number => (i * 500 * 4) / 1024;
    const noisy = at([0, 1, 2, 3, 4].map((i) => 160 + leak(i) + [3, -3, 2, -2, 3][i]!));
    expect(growthPerRequest(noisy) * 2000).toBeGreaterThan(4);
  });

  it('refuses fewer than two distinct request counts', () => {
    expect(() => growthPerRequest([{ requests: 0, mib: 1 }])).toThrow(/two readings/);
  });
});
