// Groups usage records and sums them exactly; shared by every UsageStore so both group the same way.
import type { UsageDimension, UsageRecord, UsageReport, UsageRow } from './usage-store.ts';

/** The UTC calendar day of an epoch-millisecond time, as YYYY-MM-DD. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

function dimensionValue(record: UsageRecord, dimension: UsageDimension): string {
  switch (dimension) {
    case 'tenant':
      return record.tenant;
    case 'model':
      return record.model;
    case 'backend':
      return record.backend;
    case 'tier':
      return record.tier;
    case 'day':
      return utcDay(record.timeMs);
    case 'workload_tag':
      return record.workloadTag;
  }
}

interface MutableTotals {
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicroUsd: bigint;
}

function emptyTotals(): MutableTotals {
  return { requests: 0n, promptTokens: 0n, completionTokens: 0n, costMicroUsd: 0n };
}

function addTo(totals: MutableTotals, record: UsageRecord): void {
  totals.requests += 1n;
  totals.promptTokens += BigInt(record.promptTokens);
  totals.completionTokens += BigInt(record.completionTokens);
  totals.costMicroUsd += BigInt(record.costMicroUsd);
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Incremental group-by: feed records with `add`, read the sorted report with `report`. */
export interface UsageAggregator {
  add(record: UsageRecord): void;
  report(): UsageReport;
}

/** An aggregator for one query's dimensions; with no dimensions there are no rows, only the total. */
export function createUsageAggregator(groupBy: readonly UsageDimension[]): UsageAggregator {
  const groups = new Map<string, { keys: string[]; totals: MutableTotals }>();
  const total = emptyTotals();
  return {
    add(record) {
      addTo(total, record);
      if (groupBy.length === 0) return;
      const keys = groupBy.map((d) => dimensionValue(record, d));
      const id = JSON.stringify(keys);
      let group = groups.get(id);
      if (group === undefined) {
        group = { keys, totals: emptyTotals() };
        groups.set(id, group);
      }
      addTo(group.totals, record);
    },
    report() {
      const rows: UsageRow[] = [...groups.values()]
        .map((g) => ({ keys: g.keys, ...g.totals }))
        .sort((a, b) => compareKeys(a.keys, b.keys));
      return { rows, total: { ...total } };
    },
  };
}
