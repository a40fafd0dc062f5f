// A compacted usage summary as stored (the SQLite ledger_usage_compact row's JSON, a Redis hash
// value): sums as decimal strings (they may outgrow 2^53), the latency and token-pair multisets as
// [value, count] lists. Decoding validates every field, so a damaged row is named, never misread.
import { CATALOG_BACKENDS, CATALOG_TIERS, type CatalogBackend, type CatalogTier } from '@sophia/price-catalog';
import type { UsageSummary } from './usage-summary.ts';
import { parseStoredObject } from './stored-json-object.ts';

const SUMS = ['requests', 'promptTokens', 'completionTokens', 'costMicroUsd', 'cacheHits', 'cacheSavedMicroUsd'] as const;
const TEXTS = ['tenant', 'model', 'workloadTag', 'provider'] as const;

/** The summary as stored. */
export function encodeSummary(s: UsageSummary): string {
  return JSON.stringify({
    tenant: s.tenant,
    model: s.model,
    backend: s.backend,
    tier: s.tier,
    workloadTag: s.workloadTag,
    provider: s.provider,
    timeMs: s.timeMs,
    ...Object.fromEntries(SUMS.map((k) => [k, s[k].toString()])),
    // Optional: buckets compacted before prompt-cache hits were recorded have none.
    ...(s.cachedPromptTokens === 0n ? {} : { cachedPromptTokens: s.cachedPromptTokens.toString() }),
    latencies: [...s.latencies],
    tokenPairs: [...s.tokenPairs],
  });
}

const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * Decodes a stored summary.
 * @throws Error `corrupt usage summary at <where>: <field>` when the text is not a valid summary
 */
export function decodeSummary(where: string, json: string): UsageSummary {
  const fail = (what: string): never => {
    throw new Error(`corrupt usage summary at ${where}: ${what}`);
  };
  const v = parseStoredObject(json, fail);
  for (const f of TEXTS) if (typeof v[f] !== 'string') fail(f);
  if (!CATALOG_BACKENDS.includes(v['backend'] as CatalogBackend)) fail('backend');
  if (!CATALOG_TIERS.includes(v['tier'] as CatalogTier)) fail('tier');
  if (!Number.isSafeInteger(v['timeMs']) || (v['timeMs'] as number) < 0) fail('timeMs');
  const sums = Object.fromEntries(SUMS.map((f) => [f, typeof v[f] === 'string' && /^\d+$/.test(v[f] as string) ? BigInt(v[f] as string) : fail(f)]));
  const pairs = (f: string, key: (k: unknown) => boolean): Array<[unknown, number]> => {
    const list = v[f];
    if (!Array.isArray(list)) return fail(f);
    for (const e of list) if (!Array.isArray(e) || e.length !== 2 || !key(e[0]) || !count(e[1])) fail(f);
    return list as Array<[unknown, number]>;
  };
  const cached = v['cachedPromptTokens'];
  const cachedPromptTokens = cached === undefined ? 0n : typeof cached === 'string' && /^\d+$/.test(cached) ? BigInt(cached) : fail('cachedPromptTokens');
  const latencies = new Map(pairs('latencies', (k) => Number.isSafeInteger(k) && (k as number) >= 0) as Array<[number, number]>);
  const tokenPairs = new Map(pairs('tokenPairs', (k) => typeof k === 'string' && /^\d+,\d+$/.test(k)) as Array<[string, number]>);
  return {
    tenant: v['tenant'] as string,
    model: v['model'] as string,
    backend: v['backend'] as CatalogBackend,
    tier: v['tier'] as CatalogTier,
    workloadTag: v['workloadTag'] as string,
    provider: v['provider'] as string,
    timeMs: v['timeMs'] as number,
    requests: sums['requests']!,
    promptTokens: sums['promptTokens']!,
    completionTokens: sums['completionTokens']!,
    costMicroUsd: sums['costMicroUsd']!,
    cacheHits: sums['cacheHits']!,
    cacheSavedMicroUsd: sums['cacheSavedMicroUsd']!,
    cachedPromptTokens,
    latencies,
    tokenPairs,
  };
}
