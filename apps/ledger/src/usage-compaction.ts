// Compaction of raw usage events into per-bucket summaries: events older than the raw window
// (SOPHIA_USAGE_RAW_HOURS) are folded, per group (tenant, model, backend, tier, workload tag,
// provider) and time bucket (SOPHIA_USAGE_BUCKET_MINUTES, dividing a day), into one UsageSummary —
// which every report reads as it reads raw events — and the events (and their request-id
// idempotency keys) are deleted, so the store holds raw events only for the window and a bounded
// number of summaries per bucket: its size stops growing with the request rate.
import { mergeSummaries, summaryGroup, summaryOf, type UsageSummary } from './usage-summary.ts';
import type { UsageRecord } from './usage-store.ts';

/** One hour, the default bucket. */
export const HOUR_MS = 3_600_000;

/** Where compaction stops: the start of the bucket holding `nowMs - rawMs` (events before it are compacted). */
export function compactionCutoff(nowMs: number, rawMs: number, bucketMs: number): number {
  return Math.max(0, Math.floor((nowMs - rawMs) / bucketMs) * bucketMs);
}

/** A bucket summary with where it goes: the bucket's start and the group key. */
export interface BucketSummary {
  readonly bucketMs: number;
  readonly group: string;
  readonly summary: UsageSummary;
}

/** Folds `records` into one summary per (bucket, group), each at its bucket's start. */
export function summariseByBucket(records: Iterable<UsageRecord>, bucketMs: number): BucketSummary[] {
  const out = new Map<string, BucketSummary>();
  for (const record of records) {
    const bucket = Math.floor(record.timeMs / bucketMs) * bucketMs;
    const one = { ...summaryOf(record), timeMs: bucket };
    const group = summaryGroup(one);
    const key = `${bucket}|${group}`;
    const seen = out.get(key);
    out.set(key, { bucketMs: bucket, group, summary: seen === undefined ? one : mergeSummaries(seen.summary, one) });
  }
  return [...out.values()];
}
