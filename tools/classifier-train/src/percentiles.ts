/** Nearest-rank percentile (p in [0, 100]) of a sample; the bench reports p50/p90/p99/max with it. */
export function percentile(sample: ReadonlyArray<number>, p: number): number {
  if (sample.length === 0) throw new Error('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new Error('p must be in [0, 100]');
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
