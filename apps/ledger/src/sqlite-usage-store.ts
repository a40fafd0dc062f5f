// UsageStore (and BudgetStore) in the embedded state file — the default when SOPHIA_REDIS_URL is
// unset. Record is one transaction, committed and durable (fsynced with SOPHIA_DATA_SYNC=full) before
// it returns — with group commit (`durable`), one WAL fsync off the event loop serves every record
// committed before it: the event keyed by request id (INSERT … ON CONFLICT DO NOTHING is the idempotency check),
// its day's roll-up, the spend of every applicable budget scope, releasing the reservation (and adding
// its prompt-calibration sample), and the log entry for the warehouse — so a crash leaves all of them or none, as the Redis script does.
// Raw events older than the raw window are compacted into per-bucket summaries (usage-compaction.ts)
// that every report reads as it reads events; summaries and raw events older than the retention
// window are pruned; whole-day reports keep coming from roll-ups. Freed pages are reused by SQLite,
// so under steady load the file stops growing once the raw window has filled.
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '@sophia/state-store';
import { createBudgetCalendar, type BudgetCalendar } from './budget-calendar.ts';
import { createSqliteBudgetStore, type SqliteBudgetStore } from './sqlite-budget-store.ts';
import { createSqliteLedgerLog, type SqliteLedgerLog } from './sqlite-ledger-log.ts';
import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import { usageFacts, type UsageAggregator } from './usage-aggregator.ts';
import { compactionCutoff, summariseByBucket } from './usage-compaction.ts';
import { mergeSummaries, summaryOf, type UsageSummary } from './usage-summary.ts';
import { decodeSummary, encodeSummary } from './usage-summary-codec.ts';
import { DAY_MS, queryBySplit, rollupFacts, rollupGroup } from './usage-rollup.ts';
import { MAX_EVENT_TIME_MS, type RecordOutcome, type UsageRecord, type UsageStore } from './usage-store.ts';

/** The embedded ledger store: usage, budgets, the warehouse log, and retention pruning. */
export interface SqliteUsageStore extends UsageStore, Omit<SqliteBudgetStore, 'addSpend' | 'takeReservation' | 'observePrompt' | 'forgetCalibration' | 'prune'> {
  readonly log: SqliteLedgerLog;
  /**
   * Deletes raw events (and with them their idempotency keys) and compacted summaries older than
   * `nowMs - retentionMs`, expired reservations and spend rows of long-past periods. Roll-ups stay.
   * Returns events deleted.
   */
  prune(nowMs: number, retentionMs: number): number;
  /**
   * Compacts up to `maxEvents` of the oldest raw events older than the raw window (`rawMs`, whole
   * `bucketMs` buckets) into their buckets' summaries and deletes them — with them their request ids:
   * a commit of one of them retried later would count again. One transaction; returns the events
   * compacted (0 = nothing left). Reports give the same answers before and after.
   */
  compact(nowMs: number, rawMs: number, bucketMs: number, maxEvents?: number): number;
}

/** Options for createSqliteUsageStore. */
export interface SqliteUsageStoreOptions {
  /** Budget periods. @default UTC */
  readonly calendar?: BudgetCalendar;
  /** False when no sink will drain the log. @default true */
  readonly log?: boolean;
  /**
   * The handle's durability point (StateDatabase.durable of a group-commit handle). Awaited before a
   * usage record, an audit entry or a budget limit is acknowledged. Reservations and releases are not
   * awaited: they survive a process kill (the WAL is written), and on an OS crash the holds of the
   * last moments may be lost — holds with a TTL, never usage. @default already durable at commit
   */
  readonly durable?: () => Promise<void>;
}

/** The store on `db`, which must have LEDGER_SCHEMA migrated (openDataDir / memoryStateDatabase). */
export function createSqliteUsageStore(db: DatabaseSync, options: SqliteUsageStoreOptions = {}): SqliteUsageStore {
  const budgets = createSqliteBudgetStore(db, options.calendar ?? createBudgetCalendar('UTC'));
  const log = createSqliteLedgerLog(db, options.log ?? true);
  const durable = options.durable ?? (() => Promise.resolve());
  const q = {
    insert: db.prepare('INSERT INTO ledger_usage (request_id, tenant, time_ms, json) VALUES (?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING'),
    existing: db.prepare('SELECT json FROM ledger_usage WHERE request_id = ?'),
    rollup: db.prepare(
      `INSERT INTO ledger_rollup (day, grp, requests, prompt_tokens, completion_tokens, cost_micro_usd, cached_prompt_tokens) VALUES (?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (day, grp) DO UPDATE SET requests = requests + 1, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens, cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd,
         cached_prompt_tokens = cached_prompt_tokens + excluded.cached_prompt_tokens`,
    ),
    byTime: db.prepare('SELECT request_id, json FROM ledger_usage WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, request_id'),
    byTenant: db.prepare('SELECT request_id, json FROM ledger_usage WHERE tenant = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, request_id'),
    rollups: db.prepare(
      'SELECT day, grp, requests, prompt_tokens, completion_tokens, cost_micro_usd, cached_prompt_tokens FROM ledger_rollup WHERE day >= ? AND day < ? ORDER BY day, grp',
    ),
    pruneEvents: db.prepare('DELETE FROM ledger_usage WHERE time_ms < ?'),
    oldest: db.prepare('SELECT request_id, json FROM ledger_usage WHERE time_ms < ? ORDER BY time_ms, request_id LIMIT ?'),
    deleteEvent: db.prepare('DELETE FROM ledger_usage WHERE request_id = ?'),
    compactGet: db.prepare('SELECT json FROM ledger_usage_compact WHERE bucket_ms = ? AND grp = ?'),
    compactPut: db.prepare(
      `INSERT INTO ledger_usage_compact (bucket_ms, end_ms, grp, tenant, json) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bucket_ms, grp) DO UPDATE SET json = excluded.json, end_ms = max(end_ms, excluded.end_ms)`,
    ),
    // Buckets never exceed a day, so the ones overlapping [start, end) start after start - DAY.
    compactByTime: db.prepare('SELECT bucket_ms, grp, json FROM ledger_usage_compact WHERE bucket_ms > ? AND bucket_ms < ? AND end_ms > ?'),
    compactByTenant: db.prepare('SELECT bucket_ms, grp, json FROM ledger_usage_compact WHERE tenant = ? AND bucket_ms > ? AND bucket_ms < ? AND end_ms > ?'),
    pruneCompact: db.prepare('DELETE FROM ledger_usage_compact WHERE bucket_ms < ?'),
  };
  q.rollups.setReadBigInts(true);

  const eachEvent = (startMs: number, endMs: number, tenant: string | undefined, visit: (record: UsageRecord) => void): void => {
    if (endMs <= startMs) return;
    const rows = tenant === undefined ? q.byTime.iterate(startMs, endMs) : q.byTenant.iterate(tenant, startMs, endMs);
    for (const row of rows as Iterable<{ request_id: string; json: string }>) visit(decodeStoredRecord(`usage event ${row.request_id}`, row.json));
  };

  /** Raw events (as summaries of one) in [startMs, endMs), and the compacted summaries of the buckets overlapping it. */
  const eachSummary = (startMs: number, endMs: number, tenant: string | undefined, visit: (summary: UsageSummary) => void): void => {
    if (endMs <= startMs) return;
    eachEvent(startMs, endMs, tenant, (record) => visit(summaryOf(record)));
    const rows = tenant === undefined ? q.compactByTime.iterate(startMs - DAY_MS, endMs, startMs) : q.compactByTenant.iterate(tenant, startMs - DAY_MS, endMs, startMs);
    for (const row of rows as Iterable<{ bucket_ms: number; grp: string; json: string }>) visit(decodeSummary(`ledger_usage_compact ${row.bucket_ms} ${row.grp}`, row.json));
  };

  const readRollups = (aggregator: UsageAggregator, firstDay: number, endDay: number, tenant: string | undefined): void => {
    for (const row of q.rollups.iterate(firstDay, endDay) as Iterable<Record<string, bigint | string>>) {
      const day = Number(row['day']);
      const facts = rollupFacts(`ledger_rollup day ${day}`, day, String(row['grp']));
      if (tenant !== undefined && facts.tenant !== tenant) continue;
      aggregator.addGroup(facts, {
        requests: row['requests'] as bigint,
        promptTokens: row['prompt_tokens'] as bigint,
        completionTokens: row['completion_tokens'] as bigint,
        costMicroUsd: row['cost_micro_usd'] as bigint,
        cachedPromptTokens: row['cached_prompt_tokens'] as bigint,
      });
    }
  };

  return {
    async setLimit(scope, window, limitMicroUsd) {
      const previous = await budgets.setLimit(scope, window, limitMicroUsd);
      await durable();
      return previous;
    },
    reserve: budgets.reserve,
    release: budgets.release,
    status: budgets.status,
    tenantStatus: budgets.tenantStatus,
    promptCalibration: budgets.promptCalibration,
    log,

    async record(record, recordOptions = {}): Promise<RecordOutcome> {
      if (!Number.isSafeInteger(record.timeMs) || record.timeMs < 0 || record.timeMs > MAX_EVENT_TIME_MS) {
        throw new RangeError(`timeMs ${record.timeMs} is outside [0, ${MAX_EVENT_TIME_MS}]`);
      }
      const json = encodeStoredRecord(record);
      let observed = false;
      let outcome: RecordOutcome;
      try {
        outcome = transaction(db, (): RecordOutcome => {
          const estimate = budgets.takeReservation(record.tenant, recordOptions.reservationId ?? record.requestId);
          if (q.insert.run(record.requestId, record.tenant, record.timeMs, json).changes === 0) {
            const stored = q.existing.get(record.requestId) as { json: string };
            return { recorded: false, record: decodeStoredRecord(`usage event ${record.requestId}`, stored.json), reservationHeld: estimate !== undefined };
          }
          q.rollup.run(Math.floor(record.timeMs / DAY_MS), rollupGroup(record), record.promptTokens, record.completionTokens, record.costMicroUsd, record.cachedPromptTokens ?? 0);
          budgets.addSpend({ ...record, apiKey: record.apiKey ?? '' });
          if (estimate !== undefined && estimate > 0) {
            observed = true;
            budgets.observePrompt(record.model, estimate, record.promptTokens);
          }
          log.appendUsage(record);
          return { recorded: true, record, reservationHeld: estimate !== undefined };
        });
      } catch (error) {
        // The sample rolled back with the rest: the kept calibration must not include it.
        if (observed) budgets.forgetCalibration(record.model);
        throw error;
      }
      // Also for a replay: the first commit of this id may be in the batch not yet flushed.
      await durable();
      if (outcome.recorded) log.interrupt();
      return outcome;
    },

    query(query) {
      return queryBySplit(query, { scan: (aggregator, start, end, tenant) => eachSummary(start, end, tenant, (s) => aggregator.addGroup(usageFacts(s), s)), rollups: readRollups });
    },

    async scan(startMs, endMs, tenant, visit) {
      eachSummary(startMs, endMs, tenant, visit);
    },

    async appendAudit(entry) {
      transaction(db, () => log.appendAudit(entry));
      await durable();
      log.interrupt();
    },

    prune(nowMs, retentionMs) {
      budgets.prune(nowMs);
      return transaction(db, () => {
        q.pruneCompact.run(nowMs - retentionMs);
        return Number(q.pruneEvents.run(nowMs - retentionMs).changes);
      });
    },

    compact(nowMs, rawMs, bucketMs, maxEvents = 10_000) {
      const cutoff = compactionCutoff(nowMs, rawMs, bucketMs);
      return transaction(db, () => {
        const rows = q.oldest.all(cutoff, maxEvents) as Array<{ request_id: string; json: string }>;
        const records = rows.map((row) => decodeStoredRecord(`usage event ${row.request_id}`, row.json));
        for (const { bucketMs: bucket, group, summary } of summariseByBucket(records, bucketMs)) {
          const stored = q.compactGet.get(bucket, group) as { json: string } | undefined;
          const merged = stored === undefined ? summary : mergeSummaries(decodeSummary(`ledger_usage_compact ${bucket} ${group}`, stored.json), summary);
          q.compactPut.run(bucket, bucket + bucketMs, group, summary.tenant, encodeSummary(merged));
        }
        for (const row of rows) q.deleteEvent.run(row.request_id);
        return rows.length;
      });
    },
  };
}
