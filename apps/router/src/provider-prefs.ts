import { create } from '@bufbuild/protobuf';
import { ProviderPreferencesSchema, ProviderSort, type ProviderPreferences } from '@sophia/contracts/common';
import type { PolicyProviderPrefs, RoutingPolicy } from './routing-policy.ts';

/**
 * Response header in which the serverless backend names the provider answering, sent with the first
 * event (the value of @sophia/openai-upstream's PROVIDER_HEADER; the router may not depend on that lib).
 */
export const PROVIDER_HEADER = 'sophia-provider';

const SORT = { price: ProviderSort.PRICE, latency: ProviderSort.LATENCY, throughput: ProviderSort.THROUGHPUT } as const;

/**
 * The provider preferences sent to the serverless backend: each field from the request if it sets
 * it, else the tenant's policy, else the policy default. Validation against the configured providers
 * happens in serverless-inference, which knows them (a bad name is a 400 naming the field there).
 */
export function effectiveProviderPrefs(request: ProviderPreferences | undefined, policy: RoutingPolicy, tenant: string): ProviderPreferences | undefined {
  const layers: PolicyProviderPrefs[] = [policy.tenants[tenant]?.providers, policy.providers].filter((l): l is PolicyProviderPrefs => l !== undefined);
  if (layers.length === 0) return request;
  const pick = <K extends keyof PolicyProviderPrefs>(key: K): PolicyProviderPrefs[K] => layers.find((l) => l[key] !== undefined)?.[key];
  const list = (wire: readonly string[] | undefined, key: 'order' | 'only' | 'ignore'): string[] => (wire && wire.length > 0 ? [...wire] : [...(pick(key) ?? [])]);
  const sort = pick('sort');
  const maxPrice = request?.maxPrice ?? pick('max_price');
  const allow = request?.allowFallbacks ?? pick('allow_fallbacks');
  return create(ProviderPreferencesSchema, {
    order: list(request?.order, 'order'),
    only: list(request?.only, 'only'),
    ignore: list(request?.ignore, 'ignore'),
    sort: request?.sort ? request.sort : sort ? SORT[sort] : ProviderSort.UNSPECIFIED,
    ...(maxPrice === undefined ? {} : { maxPrice: { ...(maxPrice.prompt === undefined ? {} : { prompt: maxPrice.prompt }), ...(maxPrice.completion === undefined ? {} : { completion: maxPrice.completion }) } }),
    ...(allow === undefined ? {} : { allowFallbacks: allow }),
  });
}
