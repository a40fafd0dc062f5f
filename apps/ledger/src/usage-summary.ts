// What the usage reports read of usage: a summary of one raw event, or of every event of one group
// (tenant, model, backend, tier, workload tag, provider) in one compacted time bucket. It keeps
// exactly what the reports compute from — sums, cache hits and savings, the multiset of latencies
// (percentiles) and the multiset of (prompt, completion) token pairs (counterfactual prices are
// rounded up per request, so they need each request's pair, not only the sums) — so a report over
// summaries gives the same answer as over the events they summarise, while a bucket's size grows
// with the distinct values in it, not with its requests.
import type { CatalogBackend, CatalogTier } from '@sophia/price-catalog';
import type { UsageRecord } from './usage-store.ts';

/** Usage of one event or one compacted bucket of one group. */
export interface UsageSummary {
  readonly tenant: string;
  readonly model: string;
  readonly backend: CatalogBackend;
  readonly tier: CatalogTier;
  readonly workloadTag: string;
  /** Serverless provider that answered; '' = GPU or unknown. */
  readonly provider: string;
  /** The event's time, or the bucket's start (buckets never cross a UTC day). */
  readonly timeMs: number;
  readonly requests: bigint;
  readonly promptTokens: bigint;
  readonly completionTokens: bigint;
  readonly costMicroUsd: bigint;
  /** Requests answered by the gateway's response cache, and what they would have cost upstream. */
  readonly cacheHits: bigint;
  readonly cacheSavedMicroUsd: bigint;
  /** Of promptTokens, those the providers served from their prompt caches. */
  readonly cachedPromptTokens: bigint;
  /** Latency in ms → requests with it. */
  readonly latencies: ReadonlyMap<number, number>;
  /** `${promptTokens},${completionTokens}` → requests with that pair. */
  readonly tokenPairs: ReadonlyMap<string, number>;
}

/** The summary of one event. */
export function summaryOf(record: UsageRecord): UsageSummary {
  return {
    tenant: record.tenant,
    model: record.model,
    backend: record.backend,
    tier: record.tier,
    workloadTag: record.workloadTag,
    provider: record.provider ?? '',
    timeMs: record.timeMs,
    requests: 1n,
    promptTokens: BigInt(record.promptTokens),
    completionTokens: BigInt(record.completionTokens),
    costMicroUsd: BigInt(record.costMicroUsd),
    cacheHits: record.cacheSavedMicroUsd === undefined ? 0n : 1n,
    cacheSavedMicroUsd: BigInt(record.cacheSavedMicroUsd ?? 0),
    cachedPromptTokens: BigInt(record.cachedPromptTokens ?? 0),
    latencies: new Map([[record.latencyMs, 1]]),
    tokenPairs: new Map([[`${record.promptTokens},${record.completionTokens}`, 1]]),
  };
}

/** The token pairs of a summary as numbers, with their counts. */
export function* tokenPairCounts(summary: UsageSummary): Generator<{ promptTokens: number; completionTokens: number; count: number }> {
  for (const [pair, count] of summary.tokenPairs) {
    const comma = pair.indexOf(',');
    yield { promptTokens: Number(pair.slice(0, comma)), completionTokens: Number(pair.slice(comma + 1)), count };
  }
}

function mergeCounts<K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number>): Map<K, number> {
  const out = new Map(a);
  for (const [k, n] of b) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

/** `a` and `b` (of the same group and bucket) as one summary, at `a`'s time. */
export function mergeSummaries(a: UsageSummary, b: UsageSummary): UsageSummary {
  return {
    ...a,
    requests: a.requests + b.requests,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    costMicroUsd: a.costMicroUsd + b.costMicroUsd,
    cacheHits: a.cacheHits + b.cacheHits,
    cacheSavedMicroUsd: a.cacheSavedMicroUsd + b.cacheSavedMicroUsd,
    cachedPromptTokens: a.cachedPromptTokens + b.cachedPromptTokens,
    latencies: mergeCounts(a.latencies, b.latencies),
    tokenPairs: mergeCounts(a.tokenPairs, b.tokenPairs),
  };
}

/** The group a summary belongs to (the roll-up group's dimensions), as a stable key. */
export function summaryGroup(s: Pick<UsageSummary, 'tenant' | 'model' | 'backend' | 'tier' | 'workloadTag' | 'provider'>): string {
  return JSON.stringify([s.tenant, s.model, s.backend, s.tier, s.workloadTag, s.provider]);
}
