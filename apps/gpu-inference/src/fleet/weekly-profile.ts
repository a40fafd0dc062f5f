// The weekly demand profile prewarm forecasts from ("the same minutes of the week, averaged over
// the weeks seen"), kept in the FleetStore so a restart keeps the weeks it learned instead of
// needing a week of traffic again. Each settled minute of a tier's demand window is added to the
// store once (the store ignores a minute at or before the last it added, so re-reading minutes
// after a restart — the ledger backfill — or a second replica adding the same minute counts
// nothing twice); the forecast reads the store.
import type { CatalogTier } from '@sophia/price-catalog';
import type { DemandRate, DemandWindow } from './demand-window.ts';
import { MINUTES_PER_WEEK, type FleetStore } from './store/fleet-store.ts';

/** Minutes after its end before a minute is added: GPU answers count when done, the ledger feed reads 5 s behind. */
export const SETTLE_MINUTES = 1;

/** The durable weekly profile of every tier. */
export interface WeeklyProfile {
  /** Adds the window's minutes up to `minute − 1 − SETTLE_MINUTES` that were not added yet. */
  addSettled(tier: CatalogTier, window: DemandWindow, minute: number): Promise<void>;
  /**
   * Forecast mean rate of the `minutes` starting `aheadMinutes` after `minute`: the same minutes of
   * the week averaged over the complete weeks since the tier's first added minute; undefined until
   * `minHistoryWeeks` weeks were seen.
   */
  forecast(tier: CatalogTier, minute: number, aheadMinutes: number, minutes: number, minHistoryWeeks: number): Promise<DemandRate | undefined>;
}

/** A WeeklyProfile over `store`. */
export function createWeeklyProfile(store: FleetStore): WeeklyProfile {
  // Per tier, the last minute this process handed to the store: only saves re-sending minutes the
  // store would refuse (it decides what counts; losing this on a restart costs refused writes only).
  const sentThrough = new Map<CatalogTier, number>();
  return {
    async addSettled(tier, window, minute) {
      const through = minute - 1 - SETTLE_MINUTES;
      const after = sentThrough.get(tier) ?? Number.NEGATIVE_INFINITY;
      if (through <= after) return;
      for (const [m, demand] of window.recorded(after + 1, through)) await store.addWeeklyDemand(tier, m, demand);
      sentThrough.set(tier, through);
    },
    async forecast(tier, minute, aheadMinutes, minutes, minHistoryWeeks) {
      const span = await store.weeklyDemand(tier, minute + aheadMinutes, minutes);
      if (span.firstMinute === undefined) return undefined;
      const weeks = Math.floor((minute - span.firstMinute) / MINUTES_PER_WEEK);
      if (weeks < minHistoryWeeks) return undefined;
      // Slots ahead of now hold `weeks` complete weeks (the current week has not reached them yet).
      return {
        requestsPerMinute: span.total.requests / (minutes * weeks),
        promptTokensPerMinute: span.total.promptTokens / (minutes * weeks),
        completionTokensPerMinute: span.total.completionTokens / (minutes * weeks),
      };
    },
  };
}
