import { Code, ConnectError } from '@connectrpc/connect';
import { ProviderSort, type ProviderPreferences } from '@sophia/contracts/common';

/** How providers are ordered when the request names no order. */
export type ProviderSortKey = 'price' | 'latency' | 'throughput';

/** A request's provider preferences, validated; prices in integer micro-USD per million tokens. */
export interface ProviderPrefs {
  readonly order: readonly string[];
  readonly only: readonly string[];
  readonly ignore: readonly string[];
  readonly sort: ProviderSortKey;
  readonly maxPrice?: { readonly prompt?: number; readonly completion?: number };
  readonly allowFallbacks: boolean;
}

/** The mesh default: cheapest healthy first, every configured provider allowed, fallbacks on. */
export const DEFAULT_PROVIDER_PREFS: ProviderPrefs = { order: [], only: [], ignore: [], sort: 'price', allowFallbacks: true };

const SORTS: Record<number, ProviderSortKey | undefined> = {
  [ProviderSort.PRICE]: 'price',
  [ProviderSort.LATENCY]: 'latency',
  [ProviderSort.THROUGHPUT]: 'throughput',
};

function bad(field: string, message: string): ConnectError {
  return new ConnectError(`provider.${field}: ${message}`, Code.InvalidArgument);
}

function usdPerMTok(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw bad(`max_price.${field}`, `expected a non-negative number of US dollars per million tokens, got ${value}`);
  return Math.round(value * 1_000_000);
}

/**
 * Validates the wire preferences against the configured providers: every name in order/only/ignore
 * must be one of them (a typo must not silently widen or narrow the choice), max_price must be a
 * non-negative number. Unset fields keep `defaults` (the tenant's policy, then the mesh default).
 * @throws ConnectError INVALID_ARGUMENT naming the field, e.g. `provider.only[1]`
 */
export function providerPrefsFrom(wire: ProviderPreferences | undefined, configured: readonly string[], defaults: ProviderPrefs = DEFAULT_PROVIDER_PREFS): ProviderPrefs {
  if (wire === undefined) return defaults;
  const names = (field: 'order' | 'only' | 'ignore'): readonly string[] => {
    const list = wire[field];
    list.forEach((name, i) => {
      if (!configured.includes(name)) throw bad(`${field}[${i}]`, `"${name}" is not a configured provider (configured: ${configured.join(', ')})`);
    });
    return list.length > 0 ? [...list] : defaults[field];
  };
  const sort = wire.sort === ProviderSort.UNSPECIFIED ? defaults.sort : SORTS[wire.sort];
  if (sort === undefined) throw bad('sort', `unknown sort ${wire.sort}; expected price, latency or throughput`);
  const prompt = usdPerMTok(wire.maxPrice?.prompt, 'prompt');
  const completion = usdPerMTok(wire.maxPrice?.completion, 'completion');
  const maxPrice = prompt === undefined && completion === undefined ? defaults.maxPrice : { ...(prompt === undefined ? {} : { prompt }), ...(completion === undefined ? {} : { completion }) };
  return {
    order: names('order'),
    only: names('only'),
    ignore: names('ignore'),
    sort,
    ...(maxPrice === undefined ? {} : { maxPrice }),
    allowFallbacks: wire.allowFallbacks ?? defaults.allowFallbacks,
  };
}
