// Groups usage and sums it exactly; shared by every UsageStore so all group the same way. Accepts
// single records and pre-aggregated groups (the Redis store's daily roll-ups) alike.
import type { UsageDimension, UsageRecord, UsageReport, UsageRow, UsageTotals } from './usage-store.ts';

/** The UTC calendar day of an epoch-millisecond time, as YYYY-MM-DD. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** The value of every dimension for one record or roll-up group. */
export type UsageFacts = Readonly<Record<UsageDimension, string>>;

/** The dimension values of a record or a usage summary (a summary's day is its bucket's). */
export function usageFacts(record: Pick<UsageRecord, 'tenant' | 'model' | 'backend' | 'tier' | 'timeMs' | 'workloadTag'> & { readonly provider?: string | undefined }): UsageFacts {
  return {
    tenant: record.tenant,
    model: record.model,
    backend: record.backend,
    tier: record.tier,
    day: utcDay(record.timeMs),
    workload_tag: record.workloadTag,
    provider: record.provider ?? '',
  };
}

interface MutableTotals {
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicroUsd: bigint;
  cachedPromptTokens: bigint;
}

function emptyTotals(): MutableTotals {
  return { requests: 0n, promptTokens: 0n, completionTokens: 0n, costMicroUsd: 0n, cachedPromptTokens: 0n };
}

function addTo(totals: MutableTotals, more: UsageTotals): void {
  totals.requests += more.requests;
  totals.promptTokens += more.promptTokens;
  totals.completionTokens += more.completionTokens;
  totals.costMicroUsd += more.costMicroUsd;
  totals.cachedPromptTokens += more.cachedPromptTokens;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Incremental group-by: feed records or groups, read the sorted report with `report`. */
export interface UsageAggregator {
  add(record: UsageRecord): void;
  addGroup(facts: UsageFacts, totals: UsageTotals): void;
  report(): UsageReport;
}

/** An aggregator for one query's dimensions; with no dimensions there are no rows, only the total. */
export function createUsageAggregator(groupBy: readonly UsageDimension[]): UsageAggregator {
  const groups = new Map<string, { keys: string[]; totals: MutableTotals }>();
  const total = emptyTotals();
  const addGroup = (facts: UsageFacts, totals: UsageTotals): void => {
    addTo(total, totals);
    if (groupBy.length === 0) return;
    const keys = groupBy.map((d) => facts[d]);
    const id = JSON.stringify(keys);
    let group = groups.get(id);
    if (group === undefined) {
      group = { keys, totals: emptyTotals() };
      groups.set(id, group);
    }
    addTo(group.totals, totals);
  };
  return {
    add(record) {
      addGroup(usageFacts(record), {
        requests: 1n,
        promptTokens: BigInt(record.promptTokens),
        completionTokens: BigInt(record.completionTokens),
        costMicroUsd: BigInt(record.costMicroUsd),
        cachedPromptTokens: BigInt(record.cachedPromptTokens ?? 0),
      });
    },
    addGroup,
    report() {
      const rows: UsageRow[] = [...groups.values()]
        .map((g) => ({ keys: g.keys, ...g.totals }))
        .sort((a, b) => compareKeys(a.keys, b.keys));
      return { rows, total: { ...total } };
    },
  };
}
