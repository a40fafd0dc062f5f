// What this router replica tells the GPU fleet on each capacity poll: the tiers whose serverless
// breaker is not closed (their requests are failing over to GPU) and, when an override prefers the
// GPU backend, every tier (an override names no tier; the fleet sizes by the demand that arrives).
import type { Tier } from '@sophia/contracts/common';
import { CATALOG_TIERS, tierToProto, type PriceCatalog } from '@sophia/price-catalog';
import type { OverrideStore } from './override-store.ts';
import type { BreakerState } from './target-breakers.ts';

/** Builds the `signals` callback of the capacity poller. */
export function createFleetSignals(options: {
  readonly catalog: () => PriceCatalog;
  readonly breakerStates: () => Record<string, BreakerState>;
  readonly overrides: OverrideStore;
  readonly now?: () => number;
}): () => Promise<{ serverlessBreakersOpen: Tier[]; gpuOverrides: Tier[] }> {
  const now = options.now ?? Date.now;
  return async () => {
    const catalog = options.catalog();
    const open = new Set<Tier>();
    for (const [target, state] of Object.entries(options.breakerStates())) {
      if (state === 'closed' || !target.startsWith('serverless:')) continue;
      const tier = catalog.findModel(target.slice('serverless:'.length))?.tier;
      if (tier !== undefined) open.add(tierToProto(tier));
    }
    const gpu = (await options.overrides.list(now())).some((o) => o.kind === 'backend' && o.backend === 'gpu');
    return { serverlessBreakersOpen: [...open], gpuOverrides: gpu ? CATALOG_TIERS.map(tierToProto) : [] };
  };
}
