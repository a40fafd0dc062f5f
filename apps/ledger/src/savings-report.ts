// Savings of the mesh's routing: the period's actual cost against what the same tokens would have
// cost on the always-on GPU baseline, all on the largest tier, all serverless and all on GPU. Each
// counterfactual prices every request with the current catalog (exact integer micro-USD, rounded up
// per request like real billing); substitutions are listed in `notes`.
// "All serverless" is priced where the mesh would have served it: a serverless answer at the offer
// of the provider that gave it, any other request at the cheapest offer among the providers that
// served this period (the deployment's providers, as recorded) — the model's reference serverless
// price only when none of them offers the model. (The reference price is one provider's list price,
// and can be far from what the configured providers charge.)
import { priceUsage, type CatalogBackend, type CatalogModel, type PriceCatalog } from '@sophia/price-catalog';
import { tokenPairCounts, type UsageSummary } from './usage-summary.ts';

/** Sums of one period. */
export interface SavingsTotals {
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  actual: bigint;
  /** The largest tier where no provider choice is involved (GPU, or a model without offers); the rest is in `largestPool` (see {@link allLargestTierCost}). */
  allLargestTier: bigint;
  /** Every request on the largest tier's serverless offers: priced at each offer, and at the fallback. */
  readonly largestPool: OfferPool;
  /** Serverless answers priced at their provider's offer; the rest of "all serverless" is in `unserved` (see {@link allServerlessCost}). */
  servedServerless: bigint;
  /** Per model, the requests no serverless provider answered, priced at each provider's offer, and at the fallback (reference serverless price, or GPU when none). */
  readonly unserved: Map<string, OfferPool>;
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

/** Requests of one model priced at each provider's offer, and at the fallback (reference serverless price, or GPU when none). */
export interface OfferPool {
  readonly byOffer: Map<string, bigint>;
  fallback: bigint;
}

/** The pool at the cheapest offer among the providers that answered this period, else its fallback (noted). */
function atCheapestServing(totals: SavingsTotals, model: string, pool: OfferPool, counterfactual: string): bigint {
  const prices = [...totals.providers].flatMap(([name, p]) => {
    const price = p.requests > 0n ? pool.byOffer.get(name) : undefined;
    return price === undefined ? [] : [price];
  });
  if (prices.length > 0) return prices.reduce((a, b) => (b < a ? b : a));
  if (pool.byOffer.size > 0) totals.notes.add(`${model}: no provider that served this period offers it: ${counterfactual} uses the catalog's reference serverless price`);
  return pool.fallback;
}

/**
 * What the period would have cost all serverless: the served part, plus each model's unserved
 * requests at the cheapest offer among the providers that answered this period, else the fallback.
 * Adds a note for each model priced at its fallback.
 */
export function allServerlessCost(totals: SavingsTotals): bigint {
  let sum = totals.servedServerless;
  for (const [model, pool] of totals.unserved) sum += atCheapestServing(totals, model, pool, 'all-serverless');
  return sum;
}

/** What the period would have cost all on the largest tier, its serverless part priced like {@link allServerlessCost}. */
export function allLargestTierCost(totals: SavingsTotals, largestId: string): bigint {
  const pool = totals.largestPool;
  return totals.allLargestTier + (pool.byOffer.size === 0 && pool.fallback === 0n ? 0n : atCheapestServing(totals, largestId, pool, 'largest-tier'));
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
    largestPool: { byOffer: new Map(), fallback: 0n },
    servedServerless: 0n,
    unserved: new Map(),
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
      if (largest === undefined || largestBackend === undefined) totals.allLargestTier += actual;
      else if (largestBackend !== 'serverless' || largest.offers.length === 0) totals.allLargestTier += priced(summary, largest.id, largestBackend);
      else {
        totals.largestPool.fallback += priced(summary, largest.id, largestBackend);
        for (const offer of largest.offers) totals.largestPool.byOffer.set(offer.provider, (totals.largestPool.byOffer.get(offer.provider) ?? 0n) + priced(summary, largest.id, 'serverless', offer.provider));
      }
      const model = catalog.findModel(summary.model);
      if (model === undefined) {
        totals.notes.add(`${summary.model} is not in catalog ${catalog.version}: counterfactuals use its recorded cost`);
        totals.servedServerless += actual;
        totals.allGpu += actual;
        return;
      }
      totals.allGpu += price(model, 'gpu', summary);
      if (summary.backend !== 'serverless') {
        let unserved = totals.unserved.get(model.id);
        if (unserved === undefined) totals.unserved.set(model.id, (unserved = { byOffer: new Map(), fallback: 0n }));
        unserved.fallback += price(model, 'serverless', summary);
        for (const offer of model.offers) unserved.byOffer.set(offer.provider, (unserved.byOffer.get(offer.provider) ?? 0n) + priced(summary, model.id, 'serverless', offer.provider));
      }
      if (summary.backend === 'serverless') {
        // At the answering provider's offer (the reference price when the catalog lists none for it).
        const answeredBy = summary.provider ? model.offers.find((o) => o.provider === summary.provider) : undefined;
        totals.servedServerless += answeredBy === undefined ? price(model, 'serverless', summary) : priced(summary, model.id, 'serverless', answeredBy.provider);
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
