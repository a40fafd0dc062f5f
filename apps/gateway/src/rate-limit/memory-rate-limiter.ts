import { levelAt, msUntil, type Bucket } from './token-bucket.ts';
import { scopesOf, viewOf, type Admission, type RateLimiter, type RefusalReason, type ScopeLevels } from './rate-limiter.ts';

/** How long a refused-for-concurrency client is told to wait: a slot frees when any request ends. */
export const CONCURRENCY_RETRY_MS = 1000;

/**
 * The limiter for one gateway process (embedded mode, no Redis). Its windows live in memory on
 * purpose: a bucket refills to full within 60 s anyway, so a restart forgets at most one minute of
 * charges (it errs towards admitting), and in-flight slots must die with the process that held
 * them — persisting either would cost a synchronous SQLite write per request for no guarantee a
 * client can observe. The per-tenant limits themselves are durable (config + the limits store).
 * Single-threaded JS makes each admit atomic. State is bounded by the configured keys and tenants.
 */
export function createMemoryRateLimiter(): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const leases = new Map<string, Map<string, number>>();
  const slots = (id: string, nowMs: number): Map<string, number> => {
    let held = leases.get(id);
    if (!held) leases.set(id, (held = new Map()));
    for (const [lease, expires] of held) if (expires <= nowMs) held.delete(lease);
    return held;
  };
  return {
    admit(req): Promise<Admission> {
      const scopes = scopesOf(req);
      const now = req.nowMs;
      const levels: ScopeLevels[] = [];
      let refusal: { reason: RefusalReason; scope: 'key' | 'tenant'; retryAfterMs: number | undefined } | undefined;
      for (const scope of scopes) {
        const { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: conc } = scope.limits;
        const r = rpm === undefined ? NaN : levelAt(buckets.get(`${scope.id}:r`), rpm, now);
        const t = tpm === undefined ? NaN : levelAt(buckets.get(`${scope.id}:t`), tpm, now);
        levels.push({ requests: r, tokens: t });
        if (refusal) continue;
        if (rpm !== undefined && r < 1) refusal = { reason: 'requests', scope: scope.name, retryAfterMs: msUntil(r, 1, rpm) };
        else if (tpm !== undefined && req.tokens > tpm) refusal = { reason: 'too_large', scope: scope.name, retryAfterMs: undefined };
        else if (tpm !== undefined && t < req.tokens) refusal = { reason: 'tokens', scope: scope.name, retryAfterMs: msUntil(t, req.tokens, tpm) };
        else if (conc !== undefined && slots(scope.id, now).size >= conc) refusal = { reason: 'concurrency', scope: scope.name, retryAfterMs: CONCURRENCY_RETRY_MS };
      }
      if (refusal) return Promise.resolve({ admitted: false, ...refusal, view: viewOf(scopes, levels) });
      const after = scopes.map((scope, i): ScopeLevels => {
        const { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: conc } = scope.limits;
        const before = levels[i]!;
        if (rpm !== undefined) buckets.set(`${scope.id}:r`, { level: before.requests - 1, updatedMs: now });
        if (tpm !== undefined) buckets.set(`${scope.id}:t`, { level: before.tokens - req.tokens, updatedMs: now });
        if (conc !== undefined) slots(scope.id, now).set(req.leaseId, now + req.leaseMs);
        return { requests: before.requests - 1, tokens: before.tokens - req.tokens };
      });
      return Promise.resolve({ admitted: true, view: viewOf(scopes, after) });
    },
    settle(req): Promise<void> {
      for (const scope of scopesOf(req)) {
        leases.get(scope.id)?.delete(req.leaseId);
        const tpm = scope.limits.tokensPerMinute;
        if (tpm === undefined || req.tokenDelta === 0) continue;
        const level = levelAt(buckets.get(`${scope.id}:t`), tpm, req.nowMs);
        // Debt is capped at one window: a single huge answer never locks a tenant out for longer.
        buckets.set(`${scope.id}:t`, { level: Math.max(-tpm, level - req.tokenDelta), updatedMs: req.nowMs });
      }
      return Promise.resolve();
    },
  };
}
