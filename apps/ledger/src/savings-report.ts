// Savings of the mesh's routing: the period's actual cost against what the same tokens would have
// cost on the always-on GPU baseline, all on the largest tier, all serverless and all on GPU. Each
// counterfactual prices every request with the current catalog (exact integer micro-USD, rounded up
// per request like real billing); substitutions are listed in `notes`.
import { priceUsage, type CatalogBackend, type CatalogModel, type PriceCatalog } from '@sophia/price-catalog';
import { tokenPairCounts, type UsageSummary } from './usage-summary.ts';

/** Sums of one period. */
export interface SavingsTotals {
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  actual: bigint;
  allLargestTier: bigint;
  allServerless: bigint;
  allGpu: bigint;
  /** Requests answered by the gateway's response cache, and what they would have cost upstream. */
  cacheHits: bigint;
  cacheSavings: bigint;
  readonly notes: Set<string>;
  /** Per serverless provider: requests it answered, and the period priced with every serverless request at its offer. */
  readonly providers: Map<string, { requests: bigint; offered: bigint; actualWhereOffered: bigint }>;
}

/**
 * The most-used serverless provider and what the period would have cost on it alone: its offer for
 * every serverless request whose model it offers, the recorded cost for the rest.
 */
export function singleProviderCost(totals: SavingsTotals): { name: string; cost: bigint } {
  let best: [string, { requests: bigint; offered: bigint; actualWhereOffered: bigint }] | undefined;
  for (const entry of totals.providers) if (best === undefined || entry[1].requests > best[1].requests) best = entry;
  if (best === undefined || best[1].requests === 0n) return { name: '', cost: totals.actual };
  return { name: best[0], cost: totals.actual - best[1].actualWhereOffered + best[1].offered };
}

function offered(model: CatalogModel, preferred: CatalogBackend): CatalogBackend {
  if (model[preferred] !== undefined) return preferred;
  return preferred === 'serverless' ? 'gpu' : 'serverless';
}

/**
 * Accumulates usage summaries (raw events or compacted buckets) into savings totals against
 * `catalog`; each counterfactual prices every distinct (prompt, completion) pair once and multiplies
 * by its requests, which is exactly the sum over the requests one by one.
 */
export function createSavingsAccumulator(catalog: PriceCatalog): { add(summary: UsageSummary): void; totals: SavingsTotals } {
  const largestId = catalog.tiers.complex[0] ?? '';
  const largest = catalog.findModel(largestId);
  const totals: SavingsTotals = {
    requests: 0n,
    promptTokens: 0n,
    completionTokens: 0n,
    actual: 0n,
    allLargestTier: 0n,
    allServerless: 0n,
    allGpu: 0n,
    cacheHits: 0n,
    cacheSavings: 0n,
    notes: new Set<string>(),
    providers: new Map(),
  };
  const providerSums = (name: string) => {
    let sums = totals.providers.get(name);
    if (sums === undefined) totals.providers.set(name, (sums = { requests: 0n, offered: 0n, actualWhereOffered: 0n }));
    return sums;
  };
  const largestBackend = largest === undefined ? undefined : offered(largest, 'serverless');
  if (largest !== undefined) totals.notes.add(`largest tier: ${largest.id} on ${largestBackend}`);

  /** Σ over the summary's requests of what each would cost on (model, backend[, provider]). */
  const priced = (summary: UsageSummary, modelId: string, backend: CatalogBackend, provider?: string): bigint => {
    let sum = 0n;
    for (const pair of tokenPairCounts(summary)) sum += BigInt(priceUsage(catalog, modelId, backend, pair, provider)) * BigInt(pair.count);
    return sum;
  };
  const price = (model: CatalogModel, preferred: CatalogBackend, summary: UsageSummary): bigint => {
    const backend = offered(model, preferred);
    if (backend !== preferred) totals.notes.add(`${model.id} has no ${preferred} offer: priced on ${backend}`);
    return priced(summary, model.id, backend);
  };

  return {
    totals,
    add(summary) {
      totals.requests += summary.requests;
      totals.promptTokens += summary.promptTokens;
      totals.completionTokens += summary.completionTokens;
      const actual = summary.costMicroUsd;
      totals.actual += actual;
      totals.cacheHits += summary.cacheHits;
      totals.cacheSavings += summary.cacheSavedMicroUsd;
      totals.allLargestTier += largest === undefined || largestBackend === undefined ? actual : priced(summary, largest.id, largestBackend);
      const model = catalog.findModel(summary.model);
      if (model === undefined) {
        totals.notes.add(`${summary.model} is not in catalog ${catalog.version}: counterfactuals use its recorded cost`);
        totals.allServerless += actual;
        totals.allGpu += actual;
        return;
      }
      totals.allServerless += price(model, 'serverless', summary);
      totals.allGpu += price(model, 'gpu', summary);
      if (summary.backend === 'serverless') {
        if (summary.provider) providerSums(summary.provider).requests += summary.requests;
        for (const offer of model.offers) {
          const sums = providerSums(offer.provider);
          sums.offered += priced(summary, model.id, 'serverless', offer.provider);
          sums.actualWhereOffered += actual;
        }
      }
    },
  };
}
