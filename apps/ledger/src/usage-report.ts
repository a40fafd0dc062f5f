// The usage report: requests, tokens, cost, cost per request and latency percentiles per group over
// a period. Computed from the events themselves (latency is not in the roll-ups), so it is O(events
// in the period); QueryUsage remains the cheap aggregate for long periods.
import { usageFacts } from './usage-aggregator.ts';
import type { UsageDimension, UsageRecord } from './usage-store.ts';

/** One group of the report. */
export interface UsageReportRow {
  readonly keys: readonly string[];
  readonly requests: bigint;
  readonly promptTokens: bigint;
  readonly completionTokens: bigint;
  readonly costMicroUsd: bigint;
  /** floor(cost / requests); 0 without requests. */
  readonly costPerRequestMicroUsd: bigint;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
}

/** Nearest-rank percentile of ascending `sorted` (0 when empty). */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

interface Group {
  keys: string[];
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicroUsd: bigint;
  latencies: number[];
}

function newGroup(keys: string[]): Group {
  return { keys, requests: 0n, promptTokens: 0n, completionTokens: 0n, costMicroUsd: 0n, latencies: [] };
}

function finish(g: Group): UsageReportRow {
  const sorted = g.latencies.sort((a, b) => a - b);
  return {
    keys: g.keys,
    requests: g.requests,
    promptTokens: g.promptTokens,
    completionTokens: g.completionTokens,
    costMicroUsd: g.costMicroUsd,
    costPerRequestMicroUsd: g.requests === 0n ? 0n : g.costMicroUsd / g.requests,
    latencyP50Ms: nearestRank(sorted, 0.5),
    latencyP95Ms: nearestRank(sorted, 0.95),
  };
}

/** Accumulates records into report rows (sorted by keys) and a total. */
export function createUsageReportBuilder(groupBy: readonly UsageDimension[]): {
  add(record: UsageRecord): void;
  rows(): UsageReportRow[];
  total(): UsageReportRow;
} {
  const groups = new Map<string, Group>();
  const total = newGroup([]);
  const addTo = (g: Group, r: UsageRecord): void => {
    g.requests += 1n;
    g.promptTokens += BigInt(r.promptTokens);
    g.completionTokens += BigInt(r.completionTokens);
    g.costMicroUsd += BigInt(r.costMicroUsd);
    g.latencies.push(r.latencyMs);
  };
  return {
    add(record) {
      addTo(total, record);
      if (groupBy.length === 0) return;
      const facts = usageFacts(record);
      const keys = groupBy.map((d) => facts[d]);
      const id = JSON.stringify(keys);
      let g = groups.get(id);
      if (g === undefined) {
        g = newGroup(keys);
        groups.set(id, g);
      }
      addTo(g, record);
    },
    rows: () =>
      [...groups.values()].map(finish).sort((a, b) => {
        const x = JSON.stringify(a.keys);
        const y = JSON.stringify(b.keys);
        return x < y ? -1 : x > y ? 1 : 0;
      }),
    total: () => finish(total),
  };
}
