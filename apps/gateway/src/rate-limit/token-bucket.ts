/**
 * A token bucket holding up to `capacity` (the per-minute limit), refilled at capacity per 60 s.
 * The same arithmetic runs in {@link createSqliteRateLimiter} and, transcribed, in the Redis script,
 * and the contract suite checks both give the same answers.
 */
export interface Bucket {
  level: number;
  updatedMs: number;
}

export const WINDOW_MS = 60_000;

/** The bucket's level at `nowMs` (a missing bucket is full; a clock going backwards adds nothing). */
export function levelAt(bucket: Bucket | undefined, capacity: number, nowMs: number): number {
  if (!bucket) return capacity;
  const elapsed = Math.max(0, nowMs - bucket.updatedMs);
  return Math.min(capacity, bucket.level + (elapsed * capacity) / WINDOW_MS);
}

/** Milliseconds until `level` reaches `wanted` (0 when it already has). */
export function msUntil(level: number, wanted: number, capacity: number): number {
  return wanted <= level ? 0 : Math.ceil(((wanted - level) * WINDOW_MS) / capacity);
}
