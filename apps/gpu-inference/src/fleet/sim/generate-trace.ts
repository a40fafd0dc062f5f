// A synthetic demand trace with the seed's profile: an always-on GPU fleet costing the baseline runs
// at 15–20 % utilisation; demand is diurnal on weekdays, quiet at weekends, with random bursts and a
// two-hour serverless outage. "Utilisation" is busy-time in dollars: each request occupies its
// tier's instance type for completion_tokens / saturated throughput, priced at the catalog's hourly
// rate, and the sum over the span is `utilisation` × the baseline over the span.
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import { fleetPoolsFromCatalog } from '../fleet-pool.ts';
import type { TraceLine } from './demand-trace.ts';
import { alwaysOnUsd, DEFAULT_BASELINE_USD_PER_MONTH } from './simulation-result.ts';

/** Per-tier request mix and mean token counts. */
export interface TierProfile {
  readonly share: number;
  readonly meanPromptTokens: number;
  readonly meanCompletionTokens: number;
}

/** Options for generateTrace; every default is stated in the README's simulation section. */
export interface TraceProfile {
  /** @default 14 */
  readonly days?: number;
  /** @default 0.175 */
  readonly utilisation?: number;
  /** @default 6444 */
  readonly baselineUsdPerMonth?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Outage start (minute from the trace start) and length; all tiers. @default 2 days + 14 h, 120 min */
  readonly outageStartMinute?: number;
  readonly outageMinutes?: number;
  /** @default simple 0.6/500/200, balanced 0.3/1000/300, complex 0.1/1500/400 */
  readonly tiers?: Readonly<Record<CatalogTier, TierProfile>>;
}

/** The default mix (an assumption, not data; README "Trace profile"). */
export const DEFAULT_TIERS: Readonly<Record<CatalogTier, TierProfile>> = {
  simple: { share: 0.6, meanPromptTokens: 500, meanCompletionTokens: 200 },
  balanced: { share: 0.3, meanPromptTokens: 1000, meanCompletionTokens: 300 },
  complex: { share: 0.1, meanPromptTokens: 1500, meanCompletionTokens: 400 },
};

/** `tiers` with request shares replaced by `shares` (normalised to sum 1); token means kept. */
export function withShares(tiers: Readonly<Record<CatalogTier, TierProfile>>, shares: Readonly<Record<CatalogTier, number>>): Record<CatalogTier, TierProfile> {
  const total = shares.simple + shares.balanced + shares.complex;
  const one = (tier: CatalogTier): TierProfile => ({ ...tiers[tier], share: shares[tier] / total });
  return { simple: one('simple'), balanced: one('balanced'), complex: one('complex') };
}

/** mulberry32: small, fast, seedable; the trace must be reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(rand: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Relative load of a minute: weekdays peak mid-day, nights and weekends are quiet. */
function diurnal(minute: number): number {
  const day = Math.floor(minute / 1440) % 7; // day 0 = Monday
  const hour = (minute % 1440) / 60;
  const business = hour >= 7 && hour < 20 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 7)) / 13) : 0;
  return day >= 5 ? 0.08 + 0.12 * business : 0.1 + 0.9 * business;
}

/** The trace's lines, minute by minute, simple/balanced/complex per minute. */
export function generateTrace(catalog: PriceCatalog, profile: TraceProfile = {}): TraceLine[] {
  const rand = random(profile.seed ?? 1);
  const minutes = (profile.days ?? 14) * 1440;
  const tiers = profile.tiers ?? DEFAULT_TIERS;
  const outageStart = profile.outageStartMinute ?? 2 * 1440 + 14 * 60;
  const outageEnd = outageStart + (profile.outageMinutes ?? 120);
  // Bursts: on weekdays, about four a day in working hours, 5–30 minutes at 2–4× the load.
  const shape = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) shape[m] = diurnal(m);
  for (let day = 0; day < minutes / 1440; day++) {
    if (day % 7 >= 5) continue;
    const count = 2 + Math.floor(rand() * 5);
    for (let b = 0; b < count; b++) {
      const start = day * 1440 + 8 * 60 + Math.floor(rand() * 10 * 60);
      const length = 5 + Math.floor(rand() * 26);
      const factor = 2 + 2 * rand();
      for (let m = start; m < Math.min(minutes, start + length); m++) shape[m] = shape[m]! * factor;
    }
  }
  // Scale so that busy dollars = utilisation × baseline over the span.
  const pools = fleetPoolsFromCatalog(catalog);
  let busyUsdPerRequest = 0;
  for (const pool of pools) {
    const t = tiers[pool.tier];
    busyUsdPerRequest += (t.share * t.meanCompletionTokens * pool.microUsdPerHour) / (pool.outputTokPerMinute * 60) / 1e6;
  }
  const shapeSum = shape.reduce((s, x) => s + x, 0);
  const busyTarget = (profile.utilisation ?? 0.175) * alwaysOnUsd(profile.baselineUsdPerMonth ?? DEFAULT_BASELINE_USD_PER_MONTH, minutes);
  const requestsPerShape = busyTarget / busyUsdPerRequest / shapeSum;
  const lines: TraceLine[] = [];
  for (let m = 0; m < minutes; m++) {
    const up = m < outageStart || m >= outageEnd;
    for (const tier of ['simple', 'balanced', 'complex'] as const) {
      const t = tiers[tier];
      const requests = poisson(rand, shape[m]! * requestsPerShape * t.share);
      // Sums of per-request lengths: the mean times the count, with lognormal spread that shrinks with the count.
      const spread = (): number => Math.exp((0.6 / Math.sqrt(Math.max(1, requests))) * gaussian(rand));
      lines.push({
        minute: m,
        tier,
        requests,
        prompt_tokens: Math.round(requests * t.meanPromptTokens * spread()),
        completion_tokens: Math.round(requests * t.meanCompletionTokens * spread()),
        serverless_up: up,
      });
    }
  }
  return lines;
}
