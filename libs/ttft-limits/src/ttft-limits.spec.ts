import { createTtftLimits } from './ttft-limits.ts';
import { createTtftWindow } from './ttft-window.ts';

describe('createTtftWindow', () => {
  it('reads quantiles of the recent samples within the sketch accuracy', () => {
    const w = createTtftWindow({ now: () => 0 });
    for (let i = 1; i <= 1000; i++) w.observe(i);
    expect(w.count()).toBe(1000);
    expect(w.quantile(0.5)).toBeGreaterThan(495);
    expect(w.quantile(0.5)).toBeLessThan(506);
    expect(w.quantile(0.99)).toBeGreaterThan(980);
    expect(w.quantile(0.99)).toBeLessThan(1001);
  });

  it('forgets samples older than two windows, keeps the previous window', () => {
    let t = 0;
    const w = createTtftWindow({ windowMs: 1000, now: () => t });
    for (let i = 0; i < 10; i++) w.observe(5000);
    t = 1500; // next window: the slow samples are the previous one
    for (let i = 0; i < 10; i++) w.observe(100);
    expect(w.count()).toBe(20);
    expect(w.quantile(0.99)).toBeGreaterThan(4900);
    t = 2600; // the slow window is now two rotations old
    w.observe(100);
    expect(w.count()).toBe(11);
    expect(w.quantile(0.99)).toBeLessThan(102);
    t = 10_000; // long silence: nothing recent
    expect(w.count()).toBe(0);
    expect(w.quantile(0.99)).toBeUndefined();
  });

  it('ignores samples that are not durations', () => {
    const w = createTtftWindow({ now: () => 0 });
    w.observe(Number.NaN);
    w.observe(-1);
    w.observe(Number.POSITIVE_INFINITY);
    expect(w.count()).toBe(0);
  });
});

describe('createTtftLimits', () => {
  const base = { minMs: 250, maxMs: 30_000, minSamples: 20, factor: 4, hedgeFactor: 2, hedgeMinMs: 200, now: () => 0 };

  it('uses the configured maximum and no hedge while a target is cold', () => {
    const limits = createTtftLimits(base);
    for (let i = 0; i < 19; i++) limits.observe('a', 50);
    expect(limits.limitMs('a')).toBe(30_000);
    expect(limits.hedgeAfterMs('a')).toBeUndefined();
    expect(limits.limitMs('never-seen')).toBe(30_000);
  });

  it('follows each target: factor × p99, clamped to [min, max]', () => {
    const limits = createTtftLimits(base);
    for (let i = 0; i < 100; i++) {
      limits.observe('fast', 20);
      limits.observe('normal', 1000);
      limits.observe('glacial', 20_000);
    }
    expect(limits.limitMs('fast')).toBe(250); // 80 ms learned, min wins
    expect(limits.hedgeAfterMs('fast')).toBe(200);
    expect(limits.limitMs('normal')).toBeGreaterThanOrEqual(3960);
    expect(limits.limitMs('normal')).toBeLessThanOrEqual(4040);
    expect(limits.hedgeAfterMs('normal')).toBeGreaterThanOrEqual(1980);
    expect(limits.hedgeAfterMs('normal')).toBeLessThanOrEqual(2020);
    expect(limits.limitMs('glacial')).toBe(30_000); // max wins
    expect(limits.targets().sort()).toEqual(['fast', 'glacial', 'normal']);
  });

  it('a target that became slower lifts its own limit through censored samples', () => {
    const limits = createTtftLimits(base);
    for (let i = 0; i < 100; i++) limits.observe('a', 100);
    const before = limits.limitMs('a');
    expect(before).toBeLessThan(500);
    // Every attempt now times out at the current limit: each round of censored samples raises it.
    let limit = before;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) limits.observeCensored('a', limit);
      const next = limits.limitMs('a');
      expect(next).toBeGreaterThan(limit);
      limit = next;
    }
    expect(limit).toBeGreaterThan(4 * before);
  });

  it('refuses bounds that cannot hold', () => {
    expect(() => createTtftLimits({ minMs: 0, maxMs: 10 })).toThrow(/minMs/);
    expect(() => createTtftLimits({ minMs: 100, maxMs: 10 })).toThrow(/maxMs/);
  });
});
