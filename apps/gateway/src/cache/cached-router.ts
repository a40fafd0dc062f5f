import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { CallOptions, Client } from '@connectrpc/connect';
import { GenerateResponseSchema, type GenerateDone, type GenerateResponse, type RouteInput, type RouterService } from '@sophia/contracts/router';
import { MoneySchema, type RoutingDecision } from '@sophia/contracts/common';
import type { Logger } from '@sophia/platform';
import { withGeneratePolicy, type GenerateCall } from '../generate-policy.ts';
import { CACHE_CONTROL_HEADER } from '../traffic-headers.ts';
import { isDeterministic, responseCacheKey } from './cache-key.ts';
import type { ResponseCacheStore } from './response-cache-store.ts';

/** The `x-sophia-cache` answer header: `hit`, `miss` (looked up, stored now), `bypass` (client said no-cache / no-store). */
export const CACHE_HEADER = 'x-sophia-cache';
/** Reason added to a replayed answer's decision, so reports and logs can tell it from an upstream answer. */
export const CACHE_HIT_REASON = 'cache:hit';

/** A replayed answer, for the ledger (billed at zero upstream cost, counted as a saving). */
export interface CacheHit {
  readonly input: RouteInput;
  /** The stored answer's final event, with the cost the original answer had. */
  readonly original: GenerateDone;
}

/** Options for {@link cacheRouter}. */
export interface CachedRouterOptions {
  readonly store: ResponseCacheStore;
  readonly ttlMs: number;
  /** Answers larger than this (serialized) are not stored. @default 262144 */
  readonly maxEntryBytes?: number;
  readonly logger: Logger;
  readonly onLookup?: (outcome: 'hit' | 'miss' | 'bypass') => void;
  /**
   * Accounts for a hit before it is served (the gateway keeps its usage for the ledger); a rejection
   * sends the request upstream instead, so no answer is ever served unaccounted.
   */
  readonly onHit?: (hit: CacheHit) => Promise<void> | void;
  readonly now?: () => number;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * The stored answer's decision, saying it is a replay: `cache_hit`, `cache:hit` in the reasons, and on
 * the final event cost 0 with the stored answer's cost as `cache_saved`. Model, backend, provider and
 * fallback stay those of the upstream call that produced the text — never a claim that an upstream
 * answered this request.
 */
function asHit(decision: RoutingDecision | undefined, final: boolean): RoutingDecision | undefined {
  if (!decision) return decision;
  const hit = { ...decision, reasons: [...decision.reasons, CACHE_HIT_REASON], cacheHit: true };
  return final ? { ...hit, cost: create(MoneySchema, { microUsd: 0n }), cacheSaved: decision.cost ?? create(MoneySchema, { microUsd: 0n }) } : hit;
}

/** The stored events as a fresh answer: same text and usage, decision marked as a hit, cost zero. */
function* replay(events: readonly string[]): Generator<GenerateResponse> {
  for (const encoded of events) {
    const res = fromBinary(GenerateResponseSchema, Buffer.from(encoded, 'base64'));
    const ev = res.event;
    if (ev.case === 'decision') yield create(GenerateResponseSchema, { event: { case: 'decision', value: asHit(ev.value, false)! } });
    else if (ev.case === 'done') yield create(GenerateResponseSchema, { event: { case: 'done', value: { ...ev.value, decision: asHit(ev.value.decision, true) } } });
    else yield res;
  }
}

function cacheControl(options: CallOptions | undefined): { lookup: boolean; store: boolean } {
  const value = (new Headers(options?.headers).get(CACHE_CONTROL_HEADER) ?? '').toLowerCase();
  const noStore = /(^|[,\s])no-store($|[,\s])/.test(value);
  return { lookup: !noStore && !/(^|[,\s])no-cache($|[,\s])/.test(value), store: !noStore };
}

async function* cached(call: GenerateCall, options: CachedRouterOptions): AsyncGenerator<GenerateResponse> {
  const now = options.now ?? Date.now;
  const { input, promptFingerprint, callOptions } = call;
  if (!input || !isDeterministic(input)) {
    yield* call.next();
    return;
  }
  const control = cacheControl(callOptions);
  const key = responseCacheKey(input, promptFingerprint);
  if (control.lookup) {
    const stored = await options.store.get(key, now()).catch((err: unknown) => {
      options.logger.warn({ err }, 'response cache unavailable: answering from upstream');
      return undefined;
    });
    const events = stored ? [...replay(stored)] : [];
    const last = events.at(-1)?.event;
    const original = last?.case === 'done' ? fromBinary(GenerateResponseSchema, Buffer.from(stored!.at(-1)!, 'base64')).event : undefined;
    // A hit is served only once its usage is kept (onHit): one that cannot be accounted goes upstream.
    const kept =
      original?.case === 'done' &&
      (await Promise.resolve(options.onHit?.({ input, original: original.value })).then(
        () => true,
        (err: unknown) => (options.logger.warn({ err, requestId: input.requestId }, 'cache hit cannot be recorded: answering from upstream'), false),
      ));
    if (kept) {
      options.onLookup?.('hit');
      callOptions?.onHeader?.(new Headers({ [CACHE_HEADER]: 'hit' }));
      yield* events;
      return;
    }
  }
  options.onLookup?.(control.lookup ? 'miss' : 'bypass');
  callOptions?.onHeader?.(new Headers({ [CACHE_HEADER]: control.lookup ? 'miss' : 'bypass' }));
  const seen: string[] = [];
  let bytes = 0;
  let complete = false;
  for await (const res of call.next()) {
    if (bytes <= (options.maxEntryBytes ?? 262_144)) {
      const encoded = b64(toBinary(GenerateResponseSchema, res));
      bytes += encoded.length;
      seen.push(encoded);
    }
    if (res.event.case === 'done') complete = res.event.value.finishReason !== 'error';
    yield res;
  }
  // Only a whole answer is stored (a failed or cancelled stream never reaches here complete).
  if (control.store && complete && bytes <= (options.maxEntryBytes ?? 262_144)) {
    await options.store.put(key, seen, now(), options.ttlMs).catch((err: unknown) => options.logger.warn({ err }, 'response cache write failed'));
  }
}

/**
 * The router client with an exact-match response cache in front of `Generate` for deterministic
 * requests (temperature 0 or a seed): a hit replays the stored answer — streamed or not — with
 * `x-sophia-cache: hit`, zero upstream cost and `cache:hit` in the decision's reasons, without
 * calling the router. `Cache-Control: no-cache` skips the lookup (the fresh answer is stored);
 * `no-store` skips both.
 */
export function cacheRouter(router: Client<typeof RouterService>, options: CachedRouterOptions): Client<typeof RouterService> {
  return withGeneratePolicy(router, (call) => cached(call, options));
}
