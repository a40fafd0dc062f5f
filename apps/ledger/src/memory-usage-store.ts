// In-process UsageStore (and BudgetStore): the embedded default for one replica. Nothing is shared
// across replicas or survives a restart; use the Redis store for that. New events and audit entries
// go to an in-process log that the in-ledger warehouse sink drains into the DuckDB file.
import { createBudgetCalendar, type BudgetCalendar } from './budget-calendar.ts';
import type { BudgetStore } from './budget-store.ts';
import { createMemoryBudgetBook } from './memory-budget-book.ts';
import { createMemoryLedgerLog, type MemoryLedgerLog } from './memory-ledger-log.ts';
import { createUsageAggregator } from './usage-aggregator.ts';
import type { RecordOutcome, UsageQuery, UsageRecord, UsageReport, UsageStore } from './usage-store.ts';

/** A UsageStore and BudgetStore in Maps; `size()` is for tests and diagnostics; `log` feeds the sink. */
export interface MemoryUsageStore extends UsageStore, BudgetStore {
  size(): number;
  readonly log: MemoryLedgerLog;
}

/** Options for createMemoryUsageStore. */
export interface MemoryUsageStoreOptions {
  /** Budget periods. @default UTC */
  readonly calendar?: BudgetCalendar;
  /** False when no sink will drain the log (appends are then dropped instead of piling up). @default true */
  readonly log?: boolean;
}

/** Creates an empty in-process store. Every method is synchronous underneath, so trivially atomic. */
export function createMemoryUsageStore(options: MemoryUsageStoreOptions = {}): MemoryUsageStore {
  const byId = new Map<string, UsageRecord>();
  const book = createMemoryBudgetBook(options.calendar ?? createBudgetCalendar('UTC'));
  const log = createMemoryLedgerLog(options.log ?? true);
  const inPeriod = (r: UsageRecord, startMs: number, endMs: number, tenant: string | undefined): boolean =>
    r.timeMs >= startMs && r.timeMs < endMs && (tenant === undefined || r.tenant === tenant);
  return {
    record(record: UsageRecord, recordOptions = {}): Promise<RecordOutcome> {
      void book.release(record.tenant, recordOptions.reservationId ?? record.requestId);
      const existing = byId.get(record.requestId);
      if (existing !== undefined) return Promise.resolve({ recorded: false, record: existing });
      const stored = Object.freeze({ ...record });
      byId.set(record.requestId, stored);
      book.onRecorded({ ...stored, apiKey: stored.apiKey ?? '' });
      log.appendUsage(stored);
      return Promise.resolve({ recorded: true, record: stored });
    },
    query(query: UsageQuery): Promise<UsageReport> {
      const aggregator = createUsageAggregator(query.groupBy);
      for (const r of byId.values()) if (inPeriod(r, query.startMs, query.endMs, query.tenant)) aggregator.add(r);
      return Promise.resolve(aggregator.report());
    },
    async scan(startMs, endMs, tenant, visit) {
      const matching = [...byId.values()].filter((r) => inPeriod(r, startMs, endMs, tenant));
      matching.sort((a, b) => a.timeMs - b.timeMs || (a.requestId < b.requestId ? -1 : 1));
      for (const r of matching) visit(r);
    },
    async appendAudit(entry) {
      log.appendAudit(entry);
    },
    setLimit: book.setLimit,
    reserve: book.reserve,
    release: book.release,
    status: book.status,
    tenantStatus: book.tenantStatus,
    size: () => byId.size,
    log,
  };
}
