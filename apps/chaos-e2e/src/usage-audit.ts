import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DuckDBInstance } from '@duckdb/node-api';
import { Redis } from 'ioredis';
import type { LoadCall } from './steady-load.ts';

/** The ledger's durable log in Redis (its default SOPHIA_LEDGER_REDIS_PREFIX + "log"): a stream the warehouse sink drains. */
const LEDGER_LOG_KEY = '{sophia:ledger}:log';

/**
 * How long the ledger may take to hold a request already answered 200. Records reach it late, never
 * lost, on documented paths that replay on timers of a second or so: the ledger's local spool (Redis
 * away or unable to persist, or a replica not confirming — each record then first waits out
 * SOPHIA_LEDGER_REDIS_REPLICA_ACK_TIMEOUT_MS) and the router's commit outbox (a commit that timed out).
 * 30 s is many replay cycles on a loaded machine; a record truly lost never arrives and the books fail.
 */
export const SETTLE_BOUND_MS = 30_000;

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

/** What {@link ledgerHoldsAcknowledged} saw: whether records were late, and by how much. */
export interface Settled {
  /** Requests answered 200 (distinct ids). */
  readonly acknowledged: number;
  /** The ledger's request count for the tenant when the wait began. */
  readonly heldAtStart: number;
  /** …and when it ended. */
  readonly held: number;
  /** How long the ledger took to hold them all (the bound when it never did). */
  readonly waitedMs: number;
}

/** The one read the settle wait needs from a ledger client: the tenant's total requests. */
export interface LedgerUsageReader {
  queryUsage(request: { tenant: string }): Promise<{ total?: LedgerTotals | undefined }>;
}

/**
 * Resolves once the ledger holds at least as many requests for `tenant` as `calls` has 200s (or after
 * {@link SETTLE_BOUND_MS}): every auditing row waits here before judging the books, so a record on
 * its way through a replay is judged when it arrived, not as lost. `heldAtStart` < `acknowledged`
 * with `held` ≥ it is a late record; the audit itself (request id by request id) judges loss.
 */
export async function ledgerHoldsAcknowledged(ledger: LedgerUsageReader, tenant: string, calls: readonly LoadCall[], boundMs = SETTLE_BOUND_MS): Promise<Settled> {
  const acknowledged = new Set(calls.filter((c) => c.status === 200).map((c) => c.id)).size;
  const held = async (): Promise<number> => Number((await ledger.queryUsage({ tenant })).total?.requests ?? 0n);
  const started = Date.now();
  const heldAtStart = await held();
  let now = heldAtStart;
  while (now < acknowledged && Date.now() - started < boundMs) {
    await new Promise((r) => setTimeout(r, 200));
    now = await held();
  }
  return { acknowledged, heldAtStart, held: now, waitedMs: Date.now() - started };
}

/** A settle wait for a scorecard: "ledger held 629/632 at the end of load, all after 1,240 ms". */
export function describeSettled(s: Settled): string {
  return s.heldAtStart >= s.acknowledged ? `ledger held all ${s.acknowledged} acknowledged at once` : `ledger held ${s.heldAtStart}/${s.acknowledged} acknowledged at the end of load, ${s.held}/${s.acknowledged} after ${s.waitedMs} ms`;
}

/** Request ids still waiting in a stopped mesh's state file: kept, not yet handed on. */
export interface WaitingAtRest {
  /** In the ledger's spool (Redis could not take them, or its replicas never confirmed them). */
  readonly ledgerSpool: readonly string[];
  /** In the router's commit outbox (the ledger could not take them). */
  readonly routerOutbox: readonly string[];
}

/**
 * What a stopped mesh still holds for later (`<data dir>/sophia.db`, read only): a request the books
 * miss that is here was late — durable, replayed at the next start — not lost.
 */
export function waitingAtRest(dataDir: string): WaitingAtRest {
  const path = join(dataDir, 'sophia.db');
  if (!existsSync(path)) return { ledgerSpool: [], routerOutbox: [] };
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const ids = (table: string): string[] => {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      return exists ? (db.prepare(`SELECT request_id FROM ${table} ORDER BY seq`).all() as Array<{ request_id: string }>).map((r) => r.request_id) : [];
    };
    return { ledgerSpool: ids('ledger_spool'), routerOutbox: ids('router_commit_outbox') };
  } finally {
    db.close();
  }
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
