import { parseCatalog, priceUsage } from '@sophia/price-catalog';
import { testCatalog, testCatalogFile } from '@sophia/price-catalog/testing';
import { allLargestTierCost, allServerlessCost, createSavingsAccumulator, singleProviderCost } from './savings-report.ts';
import { usageRecord } from './usage-store-contract.ts';
import { summaryOf } from './usage-summary.ts';

// "small" is offered by together ($0.02/$0.04 per M) and fireworks ($0.10/$0.10); "mid" by none.
describe('savings on the single most-used provider', () => {
  const catalog = testCatalog();
  const tokens = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
  const at = (provider: string) => priceUsage(catalog, 'small', 'serverless', tokens, provider);

  it('prices every serverless request at the most-used provider’s offer, keeping GPU and unoffered requests', () => {
    const savings = createSavingsAccumulator(catalog);
    const records = [
      usageRecord({ requestId: 'a', ...tokens, provider: 'fireworks', costMicroUsd: at('fireworks') }),
      usageRecord({ requestId: 'b', ...tokens, provider: 'fireworks', costMicroUsd: at('fireworks') }),
      usageRecord({ requestId: 'c', ...tokens, provider: 'together', costMicroUsd: at('together') }),
      usageRecord({ requestId: 'd', model: 'mid', ...tokens, costMicroUsd: 420_000 }),
      usageRecord({ requestId: 'e', backend: 'gpu', ...tokens, costMicroUsd: 300 }),
    ];
    for (const r of records) savings.add(summaryOf(r));
    const single = singleProviderCost(savings.totals);
    expect(single.name).toBe('fireworks');
    // a, b, c at fireworks' price; d (no offer) and e (GPU) at their recorded cost.
    expect(single.cost).toBe(BigInt(3 * at('fireworks') + 420_000 + 300));
    expect(single.cost - savings.totals.actual).toBe(BigInt(at('fireworks') - at('together')));
  });

  it('is the actual cost, with no name, when no provider is recorded', () => {
    const savings = createSavingsAccumulator(catalog);
    savings.add(summaryOf(usageRecord({ requestId: 'a', costMicroUsd: 9 })));
    expect(singleProviderCost(savings.totals)).toEqual({ name: '', cost: 9n });
  });
});

// The catalog's reference serverless price of "small" ($0.025/$0.04) is below fireworks' offer.
describe('the all-serverless counterfactual', () => {
  const catalog = testCatalog();
  const tokens = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
  const at = (provider?: string) => BigInt(priceUsage(catalog, 'small', 'serverless', tokens, provider));
  const served = (requestId: string, provider: string) => usageRecord({ requestId, ...tokens, provider, costMicroUsd: Number(at(provider)) });
  const onGpu = (requestId: string) => usageRecord({ requestId, backend: 'gpu', ...tokens, costMicroUsd: 300 });

  it('is the actual cost when every request was served serverless, whatever the reference price', () => {
    const savings = createSavingsAccumulator(catalog);
    for (const r of [served('a', 'fireworks'), served('b', 'fireworks'), served('c', 'together')]) savings.add(summaryOf(r));
    expect(at('fireworks')).toBeGreaterThan(at());
    expect(allServerlessCost(savings.totals)).toBe(savings.totals.actual);
  });

  it('prices a request that went to GPU at the cheapest offer among the providers that served the period', () => {
    const both = createSavingsAccumulator(catalog);
    for (const r of [served('a', 'fireworks'), served('b', 'together'), onGpu('g')]) both.add(summaryOf(r));
    expect(allServerlessCost(both.totals)).toBe(at('fireworks') + 2n * at('together'));
    const fireworksOnly = createSavingsAccumulator(catalog);
    for (const r of [served('a', 'fireworks'), onGpu('g')]) fireworksOnly.add(summaryOf(r));
    expect(allServerlessCost(fireworksOnly.totals)).toBe(2n * at('fireworks'));
  });

  it('falls back to the reference serverless price, with a note, when no provider served the period', () => {
    const savings = createSavingsAccumulator(catalog);
    savings.add(summaryOf(onGpu('g')));
    expect(allServerlessCost(savings.totals)).toBe(at());
    expect([...savings.totals.notes]).toContain("small: no provider that served this period offers it: all-serverless uses the catalog's reference serverless price");
  });
});

describe('the largest-tier counterfactual', () => {
  it('prices the largest tier at the cheapest offer among the providers that served the period, not at its reference price', () => {
    // "big" (the largest tier) sold serverless as in the real catalog's 405B: a $0.80 reference, offers at $3 and $3.50.
    const file = testCatalogFile();
    const big = file.models.find((m) => m.id === 'big')!;
    big.serverless = { providerModel: 'big', inputUsdPerMTok: 0.8, outputUsdPerMTok: 0.8 };
    big.offers = [
      { provider: 'fireworks', providerModel: 'f/big', inputUsdPerMTok: 3, outputUsdPerMTok: 3, features: [], source: 'https://example.test/fireworks', readOn: '2026-12-05' },
      { provider: 'together', providerModel: 't/big', inputUsdPerMTok: 3.5, outputUsdPerMTok: 3.5, features: [], source: 'https://example.test/together', readOn: '2026-12-05' },
    ];
    const catalog = parseCatalog(file);
    const tokens = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
    const bigAt = (provider?: string) => BigInt(priceUsage(catalog, 'big', 'serverless', tokens, provider));
    const savings = createSavingsAccumulator(catalog);
    savings.add(summaryOf(usageRecord({ requestId: 'a', ...tokens, provider: 'fireworks', costMicroUsd: 1 })));
    savings.add(summaryOf(usageRecord({ requestId: 'g', backend: 'gpu', ...tokens, costMicroUsd: 300 })));
    expect(bigAt('fireworks')).toBeGreaterThan(bigAt());
    expect(allLargestTierCost(savings.totals, 'big')).toBe(2n * bigAt('fireworks'));
  });
});
