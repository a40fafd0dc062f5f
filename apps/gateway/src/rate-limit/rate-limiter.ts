import type { RateLimits, TenantRateLimits } from './rate-limits.ts';

/** One request asking to start. */
export interface AdmitRequest {
  readonly tenant: string;
  /** The API key's id (a hash prefix, never the key). */
  readonly keyId: string;
  readonly limits: TenantRateLimits;
  /** Token estimate charged now (prompt + max_tokens); corrected by {@link RateLimiter.settle}. */
  readonly tokens: number;
  /** Unique per request: the concurrency slot it holds until settled. */
  readonly leaseId: string;
  /** A slot not settled by then (a crashed replica) frees itself. */
  readonly leaseMs: number;
  readonly nowMs: number;
}

/** Where one dimension stands after a decision, for the `x-ratelimit-*` headers. */
export interface DimensionView {
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

/** The tightest scope per dimension (undefined = no limit in that dimension). */
export interface RateLimitView {
  readonly requests?: DimensionView | undefined;
  readonly tokens?: DimensionView | undefined;
}

/** How long a refused-for-concurrency client is told to wait: a slot frees when any request ends. */
export const CONCURRENCY_RETRY_MS = 1000;

/** Why a request was refused. */
export type RefusalReason = 'requests' | 'tokens' | 'concurrency' | 'too_large';

/** The decision on one request. */
export type Admission =
  | { readonly admitted: true; readonly view: RateLimitView }
  | {
      readonly admitted: false;
      readonly reason: RefusalReason;
      /** Which scope refused: the key's own limit or the tenant's. */
      readonly scope: 'key' | 'tenant';
      /** When a retry can succeed; undefined when waiting cannot help (a request larger than the limit). */
      readonly retryAfterMs: number | undefined;
      readonly view: RateLimitView;
    };

/** A finished request: frees its slot and corrects the token charge to the actual usage. */
export interface SettleRequest {
  readonly tenant: string;
  readonly keyId: string;
  readonly limits: TenantRateLimits;
  readonly leaseId: string;
  /** Actual tokens minus the estimate charged at admission (negative gives tokens back). */
  readonly tokenDelta: number;
  readonly nowMs: number;
}

/**
 * Per-key and per-tenant limits. Every check-and-charge is one atomic step across all scopes and
 * dimensions, so concurrent requests — on one replica or many — can never together pass a limit.
 */
export interface RateLimiter {
  admit(request: AdmitRequest): Promise<Admission>;
  settle(request: SettleRequest): Promise<void>;
  close?(): Promise<void>;
}

/** One scope's limits with the storage key prefix of its state. */
export interface Scope {
  readonly name: 'key' | 'tenant';
  readonly id: string;
  readonly limits: RateLimits;
}

/** The key's scope first (its limit is usually the tighter one), then the tenant's. */
export function scopesOf(request: { tenant: string; keyId: string; limits: TenantRateLimits }): Scope[] {
  return [
    { name: 'key', id: `${request.tenant}:key:${request.keyId}`, limits: request.limits.perKey },
    { name: 'tenant', id: `${request.tenant}:tenant`, limits: request.limits.tenant },
  ];
}

/** True when no scope limits anything: such requests skip the limiter entirely. */
export function isUnlimited(limits: TenantRateLimits): boolean {
  const none = (l: RateLimits): boolean => l.requestsPerMinute === undefined && l.tokensPerMinute === undefined && l.concurrentRequests === undefined;
  return none(limits.tenant) && none(limits.perKey);
}

/** Bucket levels of one scope after a decision (NaN where the scope has no such limit). */
export interface ScopeLevels {
  readonly requests: number;
  readonly tokens: number;
}

function tightest(entries: Array<{ capacity: number | undefined; level: number }>): DimensionView | undefined {
  let best: DimensionView | undefined;
  for (const { capacity, level } of entries) {
    if (capacity === undefined) continue;
    const remaining = Math.max(0, Math.floor(level));
    const view = { limit: capacity, remaining, resetMs: Math.max(0, Math.ceil(((capacity - level) * 60_000) / capacity)) };
    if (!best || view.remaining < best.remaining) best = view;
  }
  return best;
}

/** The headers' view: per dimension, the scope with the least left. */
export function viewOf(scopes: readonly Scope[], levels: readonly ScopeLevels[]): RateLimitView {
  return {
    requests: tightest(scopes.map((s, i) => ({ capacity: s.limits.requestsPerMinute, level: levels[i]?.requests ?? 0 }))),
    tokens: tightest(scopes.map((s, i) => ({ capacity: s.limits.tokensPerMinute, level: levels[i]?.tokens ?? 0 }))),
  };
}
