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
  /** string counter: micro-USD spent by a budget scope (scopeId) in one day or month period. */
  spent(scopeId: string, window: BudgetWindow, period: string): string;
  /** hash: "<group JSON>|n|p|c|$" → requests / prompt / completion / cost of one UTC day (usage-rollup.ts). */
  rollup(dayNumber: number): string;
  /** sorted set: day numbers that have a roll-up (score = member = day number). */
  readonly rollupDays: string;
  /** hash: window → limit in micro-USD of one budget scope (scopeId). */
  limits(scopeId: string): string;
  /** set: ids of the tenant's scopes that have a limit. */
  budgetScopes(tenant: string): string;
  /** stream: the durable log of usage events and audit entries, read by the warehouse sink. */
  readonly log: string;
  /** hash: reservation id → "<micro-USD>:<expires at ms>:<[apiKey, model, promptEstimate] JSON>". */
  reservations(tenant: string): string;
  /** hash: a model's prompt calibration — n, r, x (current generation: samples, max ratio ‰, max excess), pr, px (previous). */
  calibration(model: string): string;
  /** hash: "<15-digit bucket ms>|<group JSON>" → "<15-digit bucket end ms>|<usage summary JSON>" (redis-usage-compaction.ts). */
  readonly compact: string;
  /** sorted set (scores 0): the fields of `compact`, in time order. */
  readonly compactIndex: string;
  /** string: the compaction lease, the holder's token (SET NX PX). */
  readonly compactLock: string;
}

/** Builds the key set for `prefix`. */
export function redisLedgerKeys(prefix: string): RedisLedgerKeys {
  return {
    event: (requestId) => `${prefix}event:${requestId}`,
    byTime: `${prefix}by-time`,
    byTenant: (tenant) => `${prefix}by-tenant:${tenant}`,
    spent: (scopeId, window, period) => `${prefix}spent:${scopeId}:${window}:${period}`,
    rollup: (dayNumber) => `${prefix}rollup:${dayNumber}`,
    rollupDays: `${prefix}rollup-days`,
    limits: (scopeId) => `${prefix}limits:${scopeId}`,
    budgetScopes: (tenant) => `${prefix}budget-scopes:${tenant}`,
    log: `${prefix}log`,
    reservations: (tenant) => `${prefix}reservations:${tenant}`,
    calibration: (model) => `${prefix}calibration:${model}`,
    compact: `${prefix}compact`,
    compactIndex: `${prefix}compact-index`,
    compactLock: `${prefix}compact-lock`,
  };
}

/** How long spend counters outlive their period (then they expire on their own). */
export const SPENT_TTL_SECONDS: Readonly<Record<BudgetWindow, number>> = { day: 40 * 86_400, month: 400 * 86_400 };
