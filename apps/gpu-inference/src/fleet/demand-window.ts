// Per-tier demand the fleet has seen, in whole minutes: a short window for sizing (the busiest
// recent minute) and a longer one for the sustained load that break-even compares. Derived state:
// after a restart the ledger's usage backfills it (runtime/ledger-demand-feed.ts). The weekly
// profile prewarm forecasts from is durable, in the FleetStore (weekly-profile.ts adds settled
// minutes from here to it).

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
  /** The recorded minutes in [from, through], oldest first, with their demand. */
  recorded(from: number, through: number): [number, MinuteDemand][];
}

const ZERO: MinuteDemand = { requests: 0, promptTokens: 0, completionTokens: 0 };

/** A DemandWindow keeping `retainMinutes` of per-minute buckets. */
export function createDemandWindow(retainMinutes: number): DemandWindow {
  const buckets = new Map<number, MinuteDemand>();
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
      buckets.set(minute, add(buckets.get(minute) ?? ZERO, demand));
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
    recorded(from, through) {
      return [...buckets.entries()].filter(([m]) => m >= from && m <= through).sort(([a], [b]) => a - b);
    },
  };
}
