// In-process UsageStore: the embedded default for one replica. Nothing is shared across replicas or
// survives a restart; use the Redis store for that.
import { createUsageAggregator } from './usage-aggregator.ts';
import type { RecordOutcome, UsageQuery, UsageRecord, UsageReport, UsageStore } from './usage-store.ts';

/** A UsageStore in a Map; `size()` is for tests and diagnostics. */
export interface MemoryUsageStore extends UsageStore {
  size(): number;
}

/** Creates an empty in-process store. Recording is synchronous underneath, so it is trivially atomic. */
export function createMemoryUsageStore(): MemoryUsageStore {
  const byId = new Map<string, UsageRecord>();
  return {
    record(record: UsageRecord): Promise<RecordOutcome> {
      const existing = byId.get(record.requestId);
      if (existing !== undefined) return Promise.resolve({ recorded: false, record: existing });
      const stored = Object.freeze({ ...record });
      byId.set(record.requestId, stored);
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
    size: () => byId.size,
  };
}
