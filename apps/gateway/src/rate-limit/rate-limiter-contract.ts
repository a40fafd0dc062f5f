// The behaviour every RateLimiter must have, as a reusable suite run in memory and on real Redis.
import type { AdmitRequest, RateLimiter } from './rate-limiter.ts';
import type { TenantRateLimits } from './rate-limits.ts';

const T0 = Date.UTC(2026, 11, 5, 9);
let lease = 0;

function ask(limits: TenantRateLimits, over: Partial<AdmitRequest> = {}): AdmitRequest {
  return { tenant: 'acme', keyId: 'k1', limits, tokens: 10, leaseId: `l${++lease}`, leaseMs: 60_000, nowMs: T0, ...over };
}

/** Registers the contract tests; `limiter()` is a fresh, empty limiter for the current test. */
export function rateLimiterContract(limiter: () => RateLimiter): void {
  it('admits exactly the per-minute request limit at one instant, then refuses with the wait for one request', async () => {
    const limits: TenantRateLimits = { tenant: {}, perKey: { requestsPerMinute: 5 } };
    const results = await Promise.all(Array.from({ length: 12 }, () => limiter().admit(ask(limits))));
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
    const refused = results.find((r) => !r.admitted);
    expect(refused).toMatchObject({ admitted: false, reason: 'requests', scope: 'key', retryAfterMs: 12_000 });
    expect(refused?.view.requests).toEqual({ limit: 5, remaining: 0, resetMs: 60_000 });
    // 12 s later exactly one more fits (the bucket refills 5 per 60 s).
    expect((await limiter().admit(ask(limits, { nowMs: T0 + 12_000 }))).admitted).toBe(true);
    expect((await limiter().admit(ask(limits, { nowMs: T0 + 12_000 }))).admitted).toBe(false);
  });

  it('reports the tightest scope in the view and counts keys separately under a shared tenant limit', async () => {
    const limits: TenantRateLimits = { tenant: { requestsPerMinute: 3 }, perKey: { requestsPerMinute: 2 } };
    const first = await limiter().admit(ask(limits));
    expect(first).toMatchObject({ admitted: true, view: { requests: { limit: 2, remaining: 1 } } });
    expect((await limiter().admit(ask(limits))).admitted).toBe(true);
    expect(await limiter().admit(ask(limits))).toMatchObject({ admitted: false, scope: 'key' });
    expect((await limiter().admit(ask(limits, { keyId: 'k2' }))).admitted).toBe(true);
    expect(await limiter().admit(ask(limits, { keyId: 'k3' }))).toMatchObject({ admitted: false, scope: 'tenant', reason: 'requests' });
    // Another tenant is untouched.
    expect((await limiter().admit(ask(limits, { tenant: 'globex' }))).admitted).toBe(true);
  });

  it('charges estimated tokens, refuses what does not fit, and says when a request can never fit', async () => {
    const limits: TenantRateLimits = { tenant: { tokensPerMinute: 100 }, perKey: {} };
    expect(await limiter().admit(ask(limits, { tokens: 70 }))).toMatchObject({ admitted: true, view: { tokens: { limit: 100, remaining: 30 } } });
    expect(await limiter().admit(ask(limits, { tokens: 40 }))).toMatchObject({ admitted: false, reason: 'tokens', scope: 'tenant', retryAfterMs: 6000 });
    expect(await limiter().admit(ask(limits, { tokens: 101 }))).toMatchObject({ admitted: false, reason: 'too_large', retryAfterMs: undefined });
    // A refusal charges nothing: 30 still fit.
    expect((await limiter().admit(ask(limits, { tokens: 30 }))).admitted).toBe(true);
  });

  it('corrects the token charge to actual usage when settled', async () => {
    const limits: TenantRateLimits = { tenant: { tokensPerMinute: 100 }, perKey: {} };
    const a = ask(limits, { tokens: 80 });
    expect((await limiter().admit(a)).admitted).toBe(true);
    await limiter().settle({ tenant: 'acme', keyId: 'k1', limits, leaseId: a.leaseId, tokenDelta: -60, nowMs: T0 });
    expect(await limiter().admit(ask(limits, { tokens: 80 }))).toMatchObject({ admitted: true, view: { tokens: { remaining: 0 } } });
    // Usage above the estimate puts the bucket in debt: nothing fits until it refills.
    await limiter().settle({ tenant: 'acme', keyId: 'k1', limits, leaseId: 'x', tokenDelta: 50, nowMs: T0 });
    expect(await limiter().admit(ask(limits, { tokens: 1 }))).toMatchObject({ admitted: false, reason: 'tokens', retryAfterMs: 30_600 });
  });

  it('holds a concurrency slot until settled, and frees the slot of a lease that expired', async () => {
    const limits: TenantRateLimits = { tenant: { concurrentRequests: 2 }, perKey: {} };
    const a = ask(limits);
    expect((await limiter().admit(a)).admitted).toBe(true);
    expect((await limiter().admit(ask(limits, { leaseMs: 5000 }))).admitted).toBe(true);
    expect(await limiter().admit(ask(limits))).toMatchObject({ admitted: false, reason: 'concurrency', retryAfterMs: 1000 });
    await limiter().settle({ tenant: 'acme', keyId: 'k1', limits, leaseId: a.leaseId, tokenDelta: 0, nowMs: T0 });
    expect((await limiter().admit(ask(limits))).admitted).toBe(true);
    expect((await limiter().admit(ask(limits))).admitted).toBe(false);
    // The 5 s lease ran out (its holder died without settling): its slot is free again.
    expect((await limiter().admit(ask(limits, { nowMs: T0 + 5001 }))).admitted).toBe(true);
  });
}
