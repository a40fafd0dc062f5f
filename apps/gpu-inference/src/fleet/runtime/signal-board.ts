// The router replicas' view of serverless breakers and GPU overrides, as each reported it on its
// capacity poll (GetCapacityRequest). The fleet acts on the union of the reports of the last
// `staleMs`: one replica seeing providers fail is enough to launch, and a replica that stops
// reporting stops counting.
import type { CatalogTier } from '@sophia/price-catalog';
import type { ExternalSignals } from '../fleet-controller.ts';

/** Collected router reports. */
export interface SignalBoard {
  report(breakersOpen: readonly CatalogTier[], gpuOverrides: readonly CatalogTier[]): void;
  current(): ExternalSignals;
}

/** A board forgetting reports older than `staleMs` (default 10 s). */
export function createSignalBoard(options: { readonly now?: () => number; readonly staleMs?: number } = {}): SignalBoard {
  const now = options.now ?? Date.now;
  const staleMs = options.staleMs ?? 10_000;
  const breakers = new Map<CatalogTier, number>();
  const overrides = new Map<CatalogTier, number>();
  const fresh = (m: Map<CatalogTier, number>): Set<CatalogTier> => new Set([...m].filter(([, at]) => now() - at <= staleMs).map(([tier]) => tier));
  return {
    report(breakersOpen, gpuOverrides) {
      const at = now();
      for (const tier of breakersOpen) breakers.set(tier, at);
      for (const tier of gpuOverrides) overrides.set(tier, at);
    },
    current: () => ({ serverlessBreakerOpen: fresh(breakers), gpuOverride: fresh(overrides) }),
  };
}
