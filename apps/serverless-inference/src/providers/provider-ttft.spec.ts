import { createProviderTtft } from './provider-ttft.ts';

describe('createProviderTtft', () => {
  const bounds = { failoverMinMs: 250, failoverMaxMs: 1000, firstTokenMinMs: 2000, firstTokenMaxMs: 30_000, now: () => 0 };

  it('starts at the configured maxima, then follows each provider on its own', () => {
    const ttft = createProviderTtft(bounds);
    expect([ttft.failoverBudgetMs('a'), ttft.firstTokenLimitMs('a')]).toEqual([1000, 30_000]);
    for (let i = 0; i < 50; i++) {
      ttft.observe('a', 30); // fast: both limits at their minimum
      ttft.observe('b', 2000); // slow: 4 × p99 ≈ 8 s timeout, failover budget at its maximum
    }
    expect([ttft.failoverBudgetMs('a'), ttft.firstTokenLimitMs('a')]).toEqual([250, 2000]);
    expect(ttft.failoverBudgetMs('b')).toBe(1000);
    expect(ttft.firstTokenLimitMs('b')).toBeGreaterThan(7900);
    expect(ttft.firstTokenLimitMs('b')).toBeLessThan(8100);
  });

  it('learns from timeouts only for the first-token limit (silence says nothing about speed)', () => {
    const ttft = createProviderTtft({ ...bounds, firstTokenMinMs: 100 });
    for (let i = 0; i < 50; i++) ttft.observe('a', 30);
    const before = ttft.firstTokenLimitMs('a');
    for (let i = 0; i < 5; i++) ttft.censored('a', before);
    expect(ttft.firstTokenLimitMs('a')).toBeGreaterThan(before);
    expect(ttft.failoverBudgetMs('a')).toBe(250);
  });

  it('a configured maximum below the default minimum wins', () => {
    const ttft = createProviderTtft({ ...bounds, failoverMaxMs: 150, firstTokenMaxMs: 1500 });
    for (let i = 0; i < 50; i++) ttft.observe('a', 10);
    expect([ttft.failoverBudgetMs('a'), ttft.firstTokenLimitMs('a')]).toEqual([150, 1500]);
  });
});
