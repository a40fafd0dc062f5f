// The usage report: requests, tokens, cost, cost per request and latency percentiles per group over
// a period. Computed from usage summaries (raw events, and compacted buckets that keep the latency
// multiset), so percentiles are exact either way; O(summaries in the period). QueryUsage remains the
// cheap aggregate for long periods.
import { usageFacts } from './usage-aggregator.ts';
import type { UsageDimension } from './usage-store.ts';
import type { UsageSummary } from './usage-summary.ts';

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

/** Nearest-rank percentile of a multiset given as value → count (0 when empty), as of the values listed one by one in order. */
export function nearestRankOfCounts(counts: ReadonlyMap<number, number>, p: number): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const value of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(value) ?? 0;
    if (seen >= rank) return value;
  }
  return 0;
}

interface Group {
  keys: string[];
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicroUsd: bigint;
  latencies: Map<number, number>;
}

function newGroup(keys: string[]): Group {
  return { keys, requests: 0n, promptTokens: 0n, completionTokens: 0n, costMicroUsd: 0n, latencies: new Map() };
}

function finish(g: Group): UsageReportRow {
  return {
    keys: g.keys,
    requests: g.requests,
    promptTokens: g.promptTokens,
    completionTokens: g.completionTokens,
    costMicroUsd: g.costMicroUsd,
    costPerRequestMicroUsd: g.requests === 0n ? 0n : g.costMicroUsd / g.requests,
    latencyP50Ms: nearestRankOfCounts(g.latencies, 0.5),
    latencyP95Ms: nearestRankOfCounts(g.latencies, 0.95),
  };
}

/** Accumulates usage summaries into report rows (sorted by keys) and a total. */
export function createUsageReportBuilder(groupBy: readonly UsageDimension[]): {
  add(summary: UsageSummary): void;
  rows(): UsageReportRow[];
  total(): UsageReportRow;
} {
  const groups = new Map<string, Group>();
  const total = newGroup([]);
  const addTo = (g: Group, s: UsageSummary): void => {
    g.requests += s.requests;
    g.promptTokens += s.promptTokens;
    g.completionTokens += s.completionTokens;
    g.costMicroUsd += s.costMicroUsd;
    for (const [ms, n] of s.latencies) g.latencies.set(ms, (g.latencies.get(ms) ?? 0) + n);
  };
  return {
    add(summary) {
      addTo(total, summary);
      if (groupBy.length === 0) return;
      const facts = usageFacts(summary);
      const keys = groupBy.map((d) => facts[d]);
      const id = JSON.stringify(keys);
      let g = groups.get(id);
      if (g === undefined) {
        g = newGroup(keys);
        groups.set(id, g);
      }
      addTo(g, summary);
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
