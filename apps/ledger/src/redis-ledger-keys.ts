// Every Redis key the ledger uses, in one place. All share `prefix`, which carries one {hash tag}
// so the multi-key Lua scripts are valid on Redis Cluster. Tenant and request ids are the variable
// parts; each key kind has its own fixed word, so no two kinds can collide.
import type { BudgetWindow } from './budget-store.ts';

/** Key builders for one prefix. */
export interface RedisLedgerKeys {
  /** string: one usage record as JSON; SET NX on it is the idempotency check. */
  event(requestId: string): string;
  /** sorted set (scores 0): "<15-digit ms>|<requestId>" for every event. */
  readonly byTime: string;
  /** sorted set: the same members for one tenant. */
  byTenant(tenant: string): string;
  /** string counter: micro-USD spent by a tenant in one day or month period. */
  spent(tenant: string, window: BudgetWindow, period: string): string;
  /** hash: "<group JSON>|n|p|c|$" → requests / prompt / completion / cost of one UTC day (usage-rollup.ts). */
  rollup(dayNumber: number): string;
  /** sorted set: day numbers that have a roll-up (score = member = day number). */
  readonly rollupDays: string;
  /** hash: window → limit in micro-USD. */
  limits(tenant: string): string;
  /** hash: reservation id → "<micro-USD>:<expires at ms>". */
  reservations(tenant: string): string;
}

/** Builds the key set for `prefix`. */
export function redisLedgerKeys(prefix: string): RedisLedgerKeys {
  return {
    event: (requestId) => `${prefix}event:${requestId}`,
    byTime: `${prefix}by-time`,
    byTenant: (tenant) => `${prefix}by-tenant:${tenant}`,
    spent: (tenant, window, period) => `${prefix}spent:${tenant}:${window}:${period}`,
    rollup: (dayNumber) => `${prefix}rollup:${dayNumber}`,
    rollupDays: `${prefix}rollup-days`,
    limits: (tenant) => `${prefix}limits:${tenant}`,
    reservations: (tenant) => `${prefix}reservations:${tenant}`,
  };
}

/** How long spend counters outlive their period (then they expire on their own). */
export const SPENT_TTL_SECONDS: Readonly<Record<BudgetWindow, number>> = { day: 40 * 86_400, month: 400 * 86_400 };
