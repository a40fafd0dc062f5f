// In-process UsageStore (and BudgetStore): the embedded default for one replica. Nothing is shared
// across replicas or survives a restart; use the Redis store for that.
import type { BudgetStore } from './budget-store.ts';
import { createMemoryBudgetBook } from './memory-budget-book.ts';
import { createUsageAggregator } from './usage-aggregator.ts';
import type { RecordOutcome, UsageQuery, UsageRecord, UsageReport, UsageStore } from './usage-store.ts';

/** A UsageStore and BudgetStore in Maps; `size()` is for tests and diagnostics. */
export interface MemoryUsageStore extends UsageStore, BudgetStore {
  size(): number;
}

/** Creates an empty in-process store. Every method is synchronous underneath, so trivially atomic. */
export function createMemoryUsageStore(): MemoryUsageStore {
  const byId = new Map<string, UsageRecord>();
  const book = createMemoryBudgetBook();
  return {
    record(record: UsageRecord): Promise<RecordOutcome> {
      const existing = byId.get(record.requestId);
      if (existing !== undefined) {
        void book.release(record.tenant, record.requestId);
        return Promise.resolve({ recorded: false, record: existing });
      }
      const stored = Object.freeze({ ...record });
      byId.set(record.requestId, stored);
      book.onRecorded(stored.tenant, stored.requestId, stored.costMicroUsd, stored.timeMs);
      return Promise.resolve({ recorded: true, record: stored });
    },
    query(query: UsageQuery): Promise<UsageReport> {
      const aggregator = createUsageAggregator(query.groupBy);
      for (const r of byId.values()) {
        if (r.timeMs < query.startMs || r.timeMs >= query.endMs) continue;
        if (query.tenant !== undefined && r.tenant !== query.tenant) continue;
        aggregator.add(r);
      }
      return Promise.resolve(aggregator.report());
    },
    setLimit: book.setLimit,
    reserve: book.reserve,
    release: book.release,
    status: book.status,
    size: () => byId.size,
  };
}
