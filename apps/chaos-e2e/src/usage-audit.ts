import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Redis } from 'ioredis';

/** The ledger's durable log in Redis (its default SOPHIA_LEDGER_REDIS_PREFIX + "log"): a stream the warehouse sink drains. */
const LEDGER_LOG_KEY = '{sophia:ledger}:log';
import type { LoadCall } from './steady-load.ts';

/** One usage event as the warehouse holds it. */
export interface WarehouseEvent {
  readonly requestId: string;
  readonly costMicroUsd: bigint;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly model: string;
  readonly backend: string;
}

/**
 * The tenant's usage events in the mesh's DuckDB warehouse (`<data dir>/warehouse.duckdb`). Read
 * after the mesh stopped: DuckDB lets one process open the file for writing.
 */
export async function readWarehouseEvents(dataDir: string, tenant: string): Promise<WarehouseEvent[]> {
  // Read only, as an outside reader would (the e2e suite does not import the ledger's code).
  const instance = await DuckDBInstance.create(join(dataDir, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    const reader = await con.runAndReadAll(
      'SELECT request_id, cost_micro_usd, prompt_tokens, completion_tokens, model, backend FROM usage_events WHERE tenant = $tenant',
      { tenant },
    );
    return (reader.getRowObjectsJson() as Array<Record<string, unknown>>).map((r) => ({
      requestId: String(r['request_id']),
      costMicroUsd: BigInt(String(r['cost_micro_usd'])),
      promptTokens: Number(r['prompt_tokens']),
      completionTokens: Number(r['completion_tokens']),
      model: String(r['model']),
      backend: String(r['backend']),
    }));
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** What the books say against what clients were told. */
export interface UsageAudit {
  /** Requests sent (ids `<prefix>-0 … sent-1`). */
  readonly sent: number;
  /** Answered 200. */
  readonly acknowledged: number;
  /** Events in the warehouse for those ids (a rescued request has one per leg). */
  readonly events: number;
  /** Answered 200 but in no event: money lost. */
  readonly lost: readonly string[];
  /** Events whose id was never sent (or counted twice): double counting. */
  readonly unknown: readonly string[];
  /** Events for requests the client saw fail (served upstream, answer lost in the crash): allowed, billed once. */
  readonly servedUnacknowledged: number;
  readonly warehouseCostMicroUsd: bigint;
}

/** The ledger's own totals for the tenant (QueryUsage's `total`). */
export interface LedgerTotals {
  readonly requests: bigint;
  readonly cost?: { readonly microUsd: bigint } | undefined;
}

/** The books balance: every 200 has its event, no event is unknown or twice, and the ledger's requests and µ$ equal the warehouse's. */
export function booksBalance(audit: UsageAudit, ledger: LedgerTotals | undefined): boolean {
  return audit.lost.length === 0 && audit.unknown.length === 0 && Number(ledger?.requests ?? 0n) === audit.events && (ledger?.cost?.microUsd ?? 0n) === audit.warehouseCostMicroUsd;
}

/** The audit for a scorecard: "sent …, 200 …, events …, lost …, double …; ledger … req … µ$, warehouse … µ$". */
export function describeBooks(audit: UsageAudit, ledger: LedgerTotals | undefined): string {
  return `sent ${audit.sent}, 200 ${audit.acknowledged}, events ${audit.events}, lost ${audit.lost.length}, double ${audit.unknown.length}; ledger ${ledger?.requests ?? 0n} req ${ledger?.cost?.microUsd ?? 0n} µ$, warehouse ${audit.warehouseCostMicroUsd} µ$`;
}

/** Compares the load's outcomes with the warehouse's events, request id by request id. */
export function auditUsage(calls: readonly LoadCall[], sent: number, prefix: string, events: readonly WarehouseEvent[]): UsageAudit {
  const ok = new Set(calls.filter((c) => c.status === 200).map((c) => c.id));
  const seen = new Map<string, number>();
  for (const e of events) seen.set(e.requestId, (seen.get(e.requestId) ?? 0) + 1);
  const requests = new Set(events.map((e) => e.requestId.split(':')[0]!));
  // A leg after a mid-stream rescue is billed under `<id>:rescue<n>`: it belongs to request <id>.
  const isSent = (eventId: string): boolean => {
    const id = eventId.split(':')[0]!;
    if (!id.startsWith(`${prefix}-`)) return false;
    const n = Number(id.slice(prefix.length + 1));
    return Number.isInteger(n) && n >= 0 && n < sent;
  };
  return {
    sent,
    acknowledged: ok.size,
    events: events.length,
    lost: [...ok].filter((id) => !requests.has(id)),
    unknown: [...seen.entries()].filter(([id, n]) => n > 1 || !isSent(id)).map(([id]) => id),
    servedUnacknowledged: [...requests].filter((id) => !ok.has(id)).length,
    warehouseCostMicroUsd: events.reduce((sum, e) => sum + e.costMicroUsd, 0n),
  };
}

/** Entries in the ledger's durable log in Redis not yet written to the warehouse and acknowledged: the buffer. */
export async function ledgerLogBacklog(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await redis.xlen(LEDGER_LOG_KEY);
  } finally {
    redis.disconnect();
  }
}

/**
 * Resolves once the ledger's durable log in Redis is empty: every usage event has been written to
 * the warehouse and acknowledged (entries of a killed sink included, once SOPHIA_WAREHOUSE_CLAIM_IDLE_MS passed).
 */
export async function warehouseCaughtUp(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    while ((await redis.xlen(LEDGER_LOG_KEY)) > 0) await new Promise((r) => setTimeout(r, 100));
  } finally {
    redis.disconnect();
  }
}
