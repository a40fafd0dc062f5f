// The memory row's judge of growth. One before/after pair after a forced GC cannot tell retention
// from the allocator's noise (which free pages a process keeps depends on what it did last, and
// moves both ways); retention grows with every request. So memory is read after each of several
// equal rounds and growth is the Theil–Sen slope over all the readings — the median of the slopes of
// every pair — times the requests under test: one reading off by noise moves it little, a steady
// climb moves it fully.

/** One reading: requests sent so far under test, and the memory (MiB) read after them. */
export interface MemoryReading {
  readonly requests: number;
  readonly mib: number;
}

/** Median of `values` (mean of the middle two for an even count); NaN for none. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * MiB a process gained per request by the readings' robust trend (Theil–Sen): the median over
 * every pair of readings with different request counts of (Δ MiB / Δ requests). Needs two readings.
 */
export function growthPerRequest(readings: readonly MemoryReading[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < readings.length; i++) {
    for (let j = i + 1; j < readings.length; j++) {
      const dx = readings[j]!.requests - readings[i]!.requests;
      if (dx !== 0) slopes.push((readings[j]!.mib - readings[i]!.mib) / dx);
    }
  }
  if (slopes.length === 0) throw new Error('growthPerRequest needs two readings at different request counts');
  return median(slopes);
}
