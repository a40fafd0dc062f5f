// The ledger's storage seam: record a priced usage event once per request id, and aggregate events
// over a period. Two implementations — in-process (single replica) and Redis (shared by replicas) —
// behave identically; the handler never knows which one it has.
import type { CatalogBackend, CatalogTier } from '@sophia/price-catalog';
import type { UsageSummary } from './usage-summary.ts';

/** A priced usage event as stored; the request id is the idempotency key. */
export interface UsageRecord {
  readonly requestId: string;
  readonly tenant: string;
  readonly model: string;
  readonly backend: CatalogBackend;
  readonly tier: CatalogTier;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Integer micro-USD, priced once at record time; later catalog changes do not re-price it. */
  readonly costMicroUsd: number;
  /** Catalog version that priced this event, for the audit trail. */
  readonly catalogVersion: string;
  /** Event time, epoch milliseconds (UTC). */
  readonly timeMs: number;
  readonly latencyMs: number;
  readonly fallback: boolean;
  readonly completed: boolean;
  readonly workloadTag: string;
  readonly target: string;
  /** API key (or key id) the request used; spend also counts against that key's budget. Absent = none. */
  readonly apiKey?: string;
  /** Serverless provider that answered (catalog name), which priced the record. Absent = GPU or unknown. */
  readonly provider?: string;
  /**
   * A cache hit (answered by the gateway's response cache, `costMicroUsd` 0): what the answer would
   * have cost upstream, priced like any record. Absent = an upstream answer.
   */
  readonly cacheSavedMicroUsd?: number;
  /** Of promptTokens, those the provider served from its prompt cache, as it reported them. Absent = none reported. */
  readonly cachedPromptTokens?: number;
}

/** Latest event time any store accepts (year 33658): the Redis store orders times as 15 digits. */
export const MAX_EVENT_TIME_MS = 999_999_999_999_999;

/** What a usage query can group by; `day` is the UTC calendar day (YYYY-MM-DD) of the event time. */
export const USAGE_DIMENSIONS = ['tenant', 'model', 'backend', 'tier', 'day', 'workload_tag', 'provider'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** A period [startMs, endMs) of event times, optionally one tenant, grouped by dimensions in order. */
export interface UsageQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly groupBy: readonly UsageDimension[];
  readonly tenant?: string;
}

/** Exact sums (bigint: totals may outgrow 2^53 even when every event is small). */
export interface UsageTotals {
  readonly requests: bigint;
  readonly promptTokens: bigint;
  readonly completionTokens: bigint;
  readonly costMicroUsd: bigint;
  /** Of promptTokens, those served from providers' prompt caches. */
  readonly cachedPromptTokens: bigint;
}

/** One group: its key values in `groupBy` order and its sums. */
export interface UsageRow extends UsageTotals {
  readonly keys: readonly string[];
}

/** Rows sorted by their keys, plus the total over every matching event. */
export interface UsageReport {
  readonly rows: readonly UsageRow[];
  readonly total: UsageTotals;
}

/** Result of recording: `recorded` is false when the request id was already there; `record` is the one that stands. */
export interface RecordOutcome {
  readonly recorded: boolean;
  readonly record: UsageRecord;
  /**
   * Whether a budget reservation was held under the record's reservation id and settled by it. False
   * means the request was served without a budget hold (its reservation never made — the ledger was
   * unreachable under SOPHIA_REDIS_OUTAGE=serve — or expired or released first); operators count those
   * (ledger_unreserved_commits_total). Absent when not known yet: a record spooled during a Redis outage
   * is settled, and this known, at its replay.
   */
  readonly reservationHeld?: boolean;
}

/** An admin action (budget change, override) in the audit trail. */
export interface AuditEntry {
  readonly auditId: string;
  readonly timeMs: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: string;
}

/** Options of one record call. */
export interface RecordOptions {
  /** The budget reservation this usage settles (released in the same atomic step). @default record.requestId */
  readonly reservationId?: string;
  /** Skip the wait for replicas (a replay confirms a whole batch at once with `confirmReplicated`). */
  readonly deferReplicaAck?: boolean;
}

/**
 * Storage for usage events; implementations must be idempotent by request id under concurrency.
 * A newly recorded event (and every audit entry) is appended to the store's durable log in the same
 * atomic step, for the warehouse sink.
 */
export interface UsageStore {
  record(record: UsageRecord, options?: RecordOptions): Promise<RecordOutcome>;
  query(query: UsageQuery): Promise<UsageReport>;
  /**
   * Calls `visit` with the usage of [startMs, endMs) (optionally one tenant's): a summary of one for
   * each raw event, and one summary per compacted bucket and group whose bucket overlaps the period
   * (usage-compaction.ts: a period's edge inside a compacted bucket takes the whole bucket). No order.
   * O(raw events + compacted summaries).
   */
  scan(startMs: number, endMs: number, tenant: string | undefined, visit: (summary: UsageSummary) => void): Promise<void>;
  /** Appends an admin action to the durable log (the warehouse's audit table). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /**
   * Resolves once the configured replicas hold every record written so far (Redis with
   * SOPHIA_LEDGER_REDIS_REPLICA_ACKS); throws ReplicaAckTimeout otherwise. Absent: nothing to wait for.
   */
  confirmReplicated?(): Promise<void>;
}
