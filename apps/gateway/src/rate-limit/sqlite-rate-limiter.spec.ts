import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { rateLimiterContract } from './rate-limiter-contract.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { createSqliteRateLimiter, RATE_LIMITER_SCHEMA } from './sqlite-rate-limiter.ts';

describe('sqlite rate limiter', () => {
  let state: StateDatabase;
  let limiter: RateLimiter;
  beforeEach(() => {
    state = memoryStateDatabase(RATE_LIMITER_SCHEMA);
    limiter = createSqliteRateLimiter(state.db);
  });
  afterEach(() => state.close());
  rateLimiterContract(() => limiter);

  it('forgets idle buckets and dead leases, so the file holds only recent callers', async () => {
    const limits = { tenant: { requestsPerMinute: 10, concurrentRequests: 5 }, perKey: {} };
    for (let i = 0; i < 20; i++) await limiter.admit({ tenant: `t${i}`, keyId: 'k', limits, tokens: 1, leaseId: `l${i}`, leaseMs: 1000, nowMs: 0 });
    const count = (table: string): number => Number((state.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
    expect(count('gateway_rate_buckets')).toBe(20);
    expect(count('gateway_rate_leases')).toBe(20);
    // Three minutes later: each admission removes a batch of expired rows.
    for (let i = 0; i < 2; i++) await limiter.admit({ tenant: 'fresh', keyId: 'k', limits, tokens: 1, leaseId: `f${i}`, leaseMs: 1000, nowMs: 180_000 });
    expect(count('gateway_rate_buckets')).toBe(1);
    expect(count('gateway_rate_leases')).toBe(2);
  });
});
