import { limitsFor, type TenantRateLimits } from './rate-limits.ts';
import type { RateLimitStore } from './rate-limit-store.ts';

/** The limits in force for a tenant: an operator's override, else config (tenant entry, else "*"). */
export interface RateLimitSource {
  limitsFor(tenant: string): Promise<TenantRateLimits>;
  /** Operator API: set (or with undefined, clear) a tenant's override; applies on every replica within `refreshMs`. */
  setOverride(tenant: string, limits: TenantRateLimits | undefined): Promise<void>;
  /** Config and overrides, for the operator API's view. */
  describe(): Promise<{ config: ReadonlyMap<string, TenantRateLimits>; overrides: ReadonlyMap<string, TenantRateLimits> }>;
}

/** Options for {@link createRateLimitSource}. */
export interface RateLimitSourceOptions {
  readonly config: ReadonlyMap<string, TenantRateLimits>;
  readonly store: RateLimitStore;
  /** How long a replica reuses a tenant's looked-up limits. @default 1000 */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/**
 * Limits per tenant with a short per-replica cache, so the hot path does not read the store on
 * every request; an override set on one replica reaches the others within `refreshMs`.
 */
export function createRateLimitSource(options: RateLimitSourceOptions): RateLimitSource {
  const refreshMs = options.refreshMs ?? 1000;
  const now = options.now ?? Date.now;
  const cached = new Map<string, { limits: TenantRateLimits; until: number }>();
  return {
    async limitsFor(tenant) {
      const hit = cached.get(tenant);
      if (hit && hit.until > now()) return hit.limits;
      const limits = (await options.store.get(tenant)) ?? limitsFor(options.config, tenant);
      cached.set(tenant, { limits, until: now() + refreshMs });
      return limits;
    },
    async setOverride(tenant, limits) {
      await options.store.set(tenant, limits);
      cached.delete(tenant);
    },
    async describe() {
      return { config: options.config, overrides: await options.store.list() };
    },
  };
}
