// The warehouse seam: where the sink writes usage events and audit entries for long-term reporting.
// DuckDB file by default (duckdb-warehouse.ts), Snowflake when configured (snowflake-warehouse.ts).
// Writes are idempotent by request id / audit id, because a sink that crashes between writing and
// acknowledging a batch writes it again.
import type { AuditEntry, UsageRecord } from './usage-store.ts';

/** One batch from the log. */
export interface WarehouseBatch {
  readonly usage: readonly UsageRecord[];
  readonly audit: readonly AuditEntry[];
}

/** A destination for log batches. */
export interface Warehouse {
  /** Writes the batch atomically; rows whose id is already stored are skipped. */
  write(batch: WarehouseBatch): Promise<void>;
  close(): Promise<void>;
}

/** Columns of the usage table, in insert order (both adapters). */
export const USAGE_COLUMNS = [
  'request_id',
  'tenant',
  'model',
  'backend',
  'tier',
  'prompt_tokens',
  'completion_tokens',
  'cost_micro_usd',
  'catalog_version',
  'time_ms',
  'latency_ms',
  'fallback',
  'completed',
  'workload_tag',
  'target',
  'api_key',
  'cache_hit',
  'cache_saved_micro_usd',
  'cached_prompt_tokens',
] as const;

/**
 * Columns added after the first release of the usage table, with their SQL type and the value rows
 * written before them read as: each adapter adds the missing ones to an existing table on open.
 */
export const ADDED_USAGE_COLUMNS = [
  // A response-cache hit: billed 0 (`cost_micro_usd`), what the stored answer cost kept apart, so a
  // zero cost is never mistaken for a free upstream answer.
  { name: 'cache_hit', type: 'BOOLEAN', default: 'FALSE' },
  { name: 'cache_saved_micro_usd', type: 'BIGINT', default: '0' },
  // Of prompt_tokens, those the provider served from its prompt cache (billed at its cached-input rate).
  { name: 'cached_prompt_tokens', type: 'BIGINT', default: '0' },
] as const;

/** Columns of the audit table, in insert order. */
export const AUDIT_COLUMNS = ['audit_id', 'time_ms', 'actor', 'action', 'subject', 'details'] as const;

/** A usage record as a row of USAGE_COLUMNS values. */
export function usageRow(r: UsageRecord): Array<string | number | boolean> {
  return [
    r.requestId,
    r.tenant,
    r.model,
    r.backend,
    r.tier,
    r.promptTokens,
    r.completionTokens,
    r.costMicroUsd,
    r.catalogVersion,
    r.timeMs,
    r.latencyMs,
    r.fallback,
    r.completed,
    r.workloadTag,
    r.target,
    r.apiKey ?? '',
    r.cacheSavedMicroUsd !== undefined,
    r.cacheSavedMicroUsd ?? 0,
    r.cachedPromptTokens ?? 0,
  ];
}

/** An audit entry as a row of AUDIT_COLUMNS values. */
export function auditRow(a: AuditEntry): Array<string | number> {
  return [a.auditId, a.timeMs, a.actor, a.action, a.subject, a.details];
}

/** Keeps the first of each id (a batch can carry a redelivered entry twice). */
export function uniqueBy<T>(items: readonly T[], id: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = id(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
