// Per-tier demand the fleet has seen, in whole minutes: a short window for sizing (the busiest
// recent minute), a longer one for the sustained load that break-even compares, and a weekly
// profile (same minute of the week, averaged over the weeks seen) that lets boots start ahead of a
// known daily pattern. Derived state: rebuilt from traffic after a restart, never a source of truth.
const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Demand of one minute of one tier (tokens are totals for the minute). */
export interface MinuteDemand {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** Mean demand per minute over a span. */
export interface DemandRate {
  readonly requestsPerMinute: number;
  readonly promptTokensPerMinute: number;
  readonly completionTokensPerMinute: number;
}

/** Rolling demand of one tier. */
export interface DemandWindow {
  /** Adds demand observed in `minute` (absolute minute number; several calls per minute add up). */
  record(minute: number, demand: MinuteDemand): void;
  /** Largest completion-token minute in the `minutes` before `now` (excluded), and the requests seen in them. */
  peak(now: number, minutes: number): { completionTokensPerMinute: number; requests: number };
  /** Mean rate over the `minutes` before `now` (excluded); minutes without traffic count as zero. */
  mean(now: number, minutes: number): DemandRate;
  /**
   * Forecast mean rate of the `minutes` starting `aheadMinutes` from `now`: the same minutes of the
   * week averaged over the complete weeks seen; undefined until `minHistoryWeeks` weeks were seen.
   */
  weeklyForecast(now: number, aheadMinutes: number, minutes: number, minHistoryWeeks: number): DemandRate | undefined;
}

const ZERO: MinuteDemand = { requests: 0, promptTokens: 0, completionTokens: 0 };

/** A DemandWindow keeping `retainMinutes` of per-minute buckets plus one week-long profile. */
export function createDemandWindow(retainMinutes: number): DemandWindow {
  const buckets = new Map<number, MinuteDemand>();
  // Weekly profile: sum of demand per minute of the week, and how many weeks contributed.
  const weekly = new Map<number, MinuteDemand>();
  let firstMinute: number | undefined;
  let latest = Number.NEGATIVE_INFINITY;

  const add = (a: MinuteDemand, b: MinuteDemand): MinuteDemand => ({
    requests: a.requests + b.requests,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  });

  const rate = (sum: MinuteDemand, minutes: number): DemandRate => ({
    requestsPerMinute: sum.requests / minutes,
    promptTokensPerMinute: sum.promptTokens / minutes,
    completionTokensPerMinute: sum.completionTokens / minutes,
  });

  return {
    record(minute, demand) {
      firstMinute ??= minute;
      buckets.set(minute, add(buckets.get(minute) ?? ZERO, demand));
      const slot = ((minute % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      weekly.set(slot, add(weekly.get(slot) ?? ZERO, demand));
      if (minute > latest) {
        latest = minute;
        for (const key of buckets.keys()) if (key <= minute - retainMinutes) buckets.delete(key);
      }
    },
    peak(now, minutes) {
      let max = 0;
      let requests = 0;
      for (let m = now - minutes; m < now; m++) {
        const b = buckets.get(m);
        if (b === undefined) continue;
        max = Math.max(max, b.completionTokens);
        requests += b.requests;
      }
      return { completionTokensPerMinute: max, requests };
    },
    mean(now, minutes) {
      let sum = ZERO;
      for (let m = now - minutes; m < now; m++) sum = add(sum, buckets.get(m) ?? ZERO);
      return rate(sum, minutes);
    },
    weeklyForecast(now, aheadMinutes, minutes, minHistoryWeeks) {
      if (firstMinute === undefined) return undefined;
      const weeks = Math.floor((now - firstMinute) / MINUTES_PER_WEEK);
      if (weeks < minHistoryWeeks) return undefined;
      let sum = ZERO;
      const start = now + aheadMinutes;
      for (let m = start; m < start + minutes; m++) {
        const slot = ((m % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
        sum = add(sum, weekly.get(slot) ?? ZERO);
      }
      // Slots ahead of now hold `weeks` complete weeks (the current week has not reached them yet).
      return rate(sum, minutes * weeks);
    },
  };
}
