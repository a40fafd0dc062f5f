import { Code, ConnectError } from '@connectrpc/connect';
import type { OfferFeature, ProviderOffer } from '@sophia/price-catalog';
import type { ProviderPrefs } from './provider-preferences.ts';

/** What ranking needs to know about one configured provider that offers the model. */
export interface RankCandidate {
  readonly offer: ProviderOffer;
  /** Why it must be skipped now (breaker open, rate-limited), or undefined. */
  readonly unavailable?: string;
  /** Observed time to first token, ms (undefined = not seen yet). */
  readonly ttftMs?: number;
  /** Observed output tokens per second (undefined = not seen yet). */
  readonly tokensPerSecond?: number;
}

/** One request's ranking input. */
export interface RankInput {
  readonly model: string;
  readonly candidates: readonly RankCandidate[];
  readonly prefs: ProviderPrefs;
  /** Features the request uses; only offers listing all of them qualify. */
  readonly needs: ReadonlySet<OfferFeature>;
  readonly promptTokens: number;
  /** Completion tokens expected (the tenant's observed mix, capped by max_tokens). */
  readonly expectedCompletionTokens: number;
  /** Share of prompt tokens expected to hit the provider's prompt cache, in [0, 1]. */
  readonly cachedShare: number;
}

/** The providers to try, best first, and those left out with the reason (for logs and errors). */
export interface Ranking {
  readonly order: readonly ProviderOffer[];
  readonly skipped: ReadonlyArray<{ readonly provider: string; readonly why: string }>;
}

/**
 * Expected cost of the request at an offer, in micro-USD × 1e6 (kept exact as a plain number: the
 * comparison only needs the order). The prompt is split into cached and uncached tokens.
 */
export function effectivePrice(offer: ProviderOffer, input: Pick<RankInput, 'promptTokens' | 'expectedCompletionTokens' | 'cachedShare'>): number {
  const cached = input.promptTokens * input.cachedShare;
  return (
    (input.promptTokens - cached) * offer.inputMicroUsdPerMTok +
    cached * offer.cachedInputMicroUsdPerMTok +
    input.expectedCompletionTokens * offer.outputMicroUsdPerMTok
  );
}

const UNSEEN_TTFT = 0; // an unseen provider sorts as fast, so it gets measured
const fmt = (micro: number): string => `$${(micro / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;

/**
 * Orders a model's offers for one request: drop ignored, not-`only`, feature-lacking, too-small and
 * over-`max_price` offers (a 400 naming the field when the caller's only/ignore/max_price is what
 * leaves nothing), then the `order`
 * list first, the rest by the sort key (price: the request's expected cost; latency: observed TTFT;
 * throughput: observed tokens/s) with latency, then name, breaking ties. Unavailable providers are
 * left out (the caller answers UNAVAILABLE when none is left, so the router moves to GPU), and
 * `allow_fallbacks: false` keeps only the first choice.
 */
export function rankOffers(input: RankInput): Ranking {
  const { prefs } = input;
  const skipped: Array<{ provider: string; why: string }> = [];
  let pool = [...input.candidates];
  const keep = (test: (c: RankCandidate) => string | undefined): void => {
    pool = pool.filter((c) => {
      const why = test(c);
      if (why !== undefined) skipped.push({ provider: c.offer.provider, why });
      return why === undefined;
    });
  };
  const served = pool.map((c) => c.offer.provider);
  keep((c) => (prefs.ignore.includes(c.offer.provider) ? 'ignored by the request' : undefined));
  if (prefs.only.length > 0) {
    keep((c) => (prefs.only.includes(c.offer.provider) ? undefined : 'not in provider.only'));
    if (pool.length === 0) throw new ConnectError(`provider.only: none of ${prefs.only.join(', ')} serves model "${input.model}" (served by: ${served.join(', ') || 'none configured'})`, Code.InvalidArgument);
  }
  // Whether an offer can serve this request at all (features, context window): a property of the
  // request and the offer, not of the caller's provider preferences.
  const unfit = (c: RankCandidate): string | undefined => {
    const lacking = [...input.needs].filter((f) => !c.offer.features.has(f));
    if (lacking.length > 0) return `does not support ${lacking.join(', ')}`;
    if (input.promptTokens > c.offer.contextWindow) return `prompt of ~${input.promptTokens} tokens exceeds its context window (${c.offer.contextWindow})`;
    return undefined;
  };
  keep(unfit);
  // The caller's only/ignore left nothing though a provider it excluded could serve the request: the
  // caller's parameter is the reason, a 400 naming it — not UNAVAILABLE, which sends the router to GPU.
  if (pool.length === 0 && (prefs.only.length > 0 || prefs.ignore.length > 0)) {
    const able = input.candidates.filter((c) => unfit(c) === undefined).map((c) => c.offer.provider);
    if (able.length > 0) {
      const field = prefs.only.length > 0 ? 'provider.only' : 'provider.ignore';
      const why = skipped.map((s) => `${s.provider}: ${s.why}`).join('; ');
      throw new ConnectError(`${field}: leaves no provider that can serve this request for model "${input.model}" (${why}); able to serve it: ${able.join(', ')}`, Code.InvalidArgument);
    }
  }
  const max = prefs.maxPrice;
  if (max !== undefined && pool.length > 0) {
    const before = pool;
    keep((c) =>
      (max.prompt !== undefined && c.offer.inputMicroUsdPerMTok > max.prompt) || (max.completion !== undefined && c.offer.outputMicroUsdPerMTok > max.completion)
        ? 'above provider.max_price'
        : undefined,
    );
    if (pool.length === 0) {
      const cheapest = [...before].sort((a, b) => a.offer.inputMicroUsdPerMTok - b.offer.inputMicroUsdPerMTok)[0]!.offer;
      throw new ConnectError(
        `provider.max_price: below every offer for model "${input.model}" (cheapest: ${fmt(cheapest.inputMicroUsdPerMTok)} prompt / ${fmt(cheapest.outputMicroUsdPerMTok)} completion per million tokens at ${cheapest.provider})`,
        Code.InvalidArgument,
      );
    }
  }
  keep((c) => c.unavailable);

  const key = (c: RankCandidate): number => {
    if (prefs.sort === 'latency') return c.ttftMs ?? UNSEEN_TTFT;
    if (prefs.sort === 'throughput') return -(c.tokensPerSecond ?? Number.MAX_SAFE_INTEGER);
    return effectivePrice(c.offer, input);
  };
  const rank = (c: RankCandidate): number => {
    const i = prefs.order.indexOf(c.offer.provider);
    return i < 0 ? prefs.order.length : i;
  };
  pool.sort((a, b) => rank(a) - rank(b) || key(a) - key(b) || (a.ttftMs ?? UNSEEN_TTFT) - (b.ttftMs ?? UNSEEN_TTFT) || a.offer.provider.localeCompare(b.offer.provider));
  let order = pool.map((c) => c.offer);
  if (!prefs.allowFallbacks) {
    const listed = order.filter((o) => prefs.order.includes(o.provider));
    order = listed.length > 0 ? listed : order.slice(0, 1);
  }
  return { order, skipped };
}
