import { ProviderSort } from '@sophia/contracts/common';
import { effectiveProviderPrefs } from './provider-prefs.ts';
import { routingPolicySchema } from './routing-policy.ts';

const policy = routingPolicySchema.parse({
  version: 1,
  providers: { sort: 'latency', max_price: { completion: 1 } },
  tenants: { acme: { providers: { only: ['deepinfra', 'groq'], allow_fallbacks: false } } },
});

describe('effectiveProviderPrefs', () => {
  it('takes each field from the request, else the tenant, else the policy default', () => {
    expect(effectiveProviderPrefs({ order: ['groq'], only: [], ignore: [], sort: ProviderSort.PRICE, $typeName: 'sophia.common.v1.ProviderPreferences' }, policy, 'acme')).toMatchObject({
      order: ['groq'],
      only: ['deepinfra', 'groq'],
      sort: ProviderSort.PRICE,
      maxPrice: { completion: 1 },
      allowFallbacks: false,
    });
    expect(effectiveProviderPrefs(undefined, policy, 'other')).toMatchObject({ only: [], sort: ProviderSort.LATENCY, maxPrice: { completion: 1 } });
  });

  it('passes the request through untouched when the policy says nothing', () => {
    expect(effectiveProviderPrefs(undefined, routingPolicySchema.parse({ version: 1 }), 'acme')).toBeUndefined();
  });

  it('rejects a policy naming a provider badly or a negative max price, by path', () => {
    const bad = routingPolicySchema.safeParse({ version: 1, tenants: { acme: { providers: { order: ['Deep Infra'], max_price: { prompt: -1 } } } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['tenants.acme.providers.order.0', 'tenants.acme.providers.max_price.prompt']);
  });
});
