import { priceUsage } from '@sophia/price-catalog';
import { testCatalog } from '@sophia/price-catalog/testing';
import { createSavingsAccumulator, singleProviderCost } from './savings-report.ts';
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
