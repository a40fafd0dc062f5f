import { randomUUID } from 'node:crypto';
import { Code, ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import type { GenerateResponse, RouteInput, RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { withGeneratePolicy, type GenerateCall } from '../generate-policy.ts';
import { API_KEY_ID_HEADER } from '../traffic-headers.ts';
import { RETRY_AFTER_MS_KEY } from '../status-to-http.ts';
import { openAiDuration, rateLimitHeaders } from './rate-limit-headers.ts';
import { isUnlimited, type Admission, type RateLimiter } from './rate-limiter.ts';
import type { RateLimitSource } from './rate-limit-source.ts';

/** Options for {@link rateLimitRouter}. */
export interface RateLimitedRouterOptions {
  readonly limiter: RateLimiter;
  readonly limits: RateLimitSource;
  /** How long an unsettled in-flight slot lives (the request deadline): a crashed replica's slots free themselves. */
  readonly leaseMs: number;
  readonly logger: Logger;
  /** Counts refusals by scope and reason. */
  readonly onRefused?: (labels: { scope: string; reason: string }) => void;
  readonly now?: () => number;
}

/** The admission charge for a request: ~4 characters per token of the prompt, plus `max_tokens`. */
export function estimateTokens(input: RouteInput | undefined): number {
  let chars = 0;
  for (const m of input?.messages ?? []) chars += m.content.length;
  return Math.ceil(chars / 4) + (input?.params?.maxTokens ?? 0);
}

const DIMENSION: Record<string, string> = {
  requests: 'requests per minute',
  tokens: 'tokens per minute',
  concurrency: 'concurrent requests',
  too_large: 'tokens per minute',
};

function refusal(admission: Extract<Admission, { admitted: false }>, tokens: number, headers: Record<string, string>): ConnectError {
  const who = admission.scope === 'key' ? 'this API key' : 'this tenant';
  const message =
    admission.reason === 'too_large'
      ? `request too large: about ${tokens} tokens (prompt + max_tokens) exceeds ${who}'s limit of ${admission.view.tokens?.limit ?? '?'} tokens per minute; lower max_tokens or shorten the prompt`
      : `rate limit reached for ${who}: ${DIMENSION[admission.reason]}${admission.retryAfterMs !== undefined ? `; retry in ${openAiDuration(admission.retryAfterMs)}` : ''}`;
  const metadata = new Headers(headers);
  if (admission.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_MS_KEY, String(admission.retryAfterMs));
  return new ConnectError(message, Code.ResourceExhausted, metadata);
}

function keyIdOf(options: CallOptions | undefined): string {
  return new Headers(options?.headers).get(API_KEY_ID_HEADER) ?? 'unknown';
}

async function* limited(call: GenerateCall, options: RateLimitedRouterOptions): AsyncGenerator<GenerateResponse> {
  const now = options.now ?? Date.now;
  const { input, callOptions } = call;
  const tenant = input?.tenant ?? '';
  const keyId = keyIdOf(callOptions);
  let limits;
  try {
    limits = await options.limits.limitsFor(tenant);
  } catch (err) {
    // Rate limits protect; they do not bill. A store outage admits rather than failing every request.
    options.logger.warn({ err, tenant }, 'rate limits unavailable: admitting without limits');
    yield* call.next();
    return;
  }
  if (isUnlimited(limits)) {
    yield* call.next();
    return;
  }
  const tokens = estimateTokens(input);
  const leaseId = randomUUID();
  let admission: Admission;
  try {
    admission = await options.limiter.admit({ tenant, keyId, limits, tokens, leaseId, leaseMs: options.leaseMs, nowMs: now() });
  } catch (err) {
    options.logger.warn({ err, tenant }, 'rate limiter unavailable: admitting without limits');
    yield* call.next();
    return;
  }
  const headers = rateLimitHeaders(admission.view);
  callOptions?.onHeader?.(new Headers(headers));
  if (!admission.admitted) {
    options.onRefused?.({ scope: admission.scope, reason: admission.reason });
    throw refusal(admission, tokens, headers);
  }
  let used: number | undefined;
  try {
    for await (const res of call.next()) {
      if (res.event.case === 'done') {
        const u = res.event.value.usage;
        used = u ? u.promptTokens + u.completionTokens : undefined;
      }
      yield res;
    }
  } finally {
    // Also on errors and on clients that leave mid-stream: the slot is freed either way.
    const tokenDelta = used === undefined ? 0 : used - tokens;
    await options.limiter.settle({ tenant, keyId, limits, leaseId, tokenDelta, nowMs: now() }).catch((err: unknown) => {
      options.logger.warn({ err, tenant }, 'rate limiter settle failed (the slot frees itself when its lease ends)');
    });
  }
}

/**
 * The router client with per-key and per-tenant limits in front of `Generate`: a refused request
 * is RESOURCE_EXHAUSTED (REST 429) with `retry-after-ms`, and every answer carries the
 * `x-ratelimit-*` headers through `onHeader`. The in-flight slot is held until the stream ends.
 */
export function rateLimitRouter(router: Client<typeof RouterService>, options: RateLimitedRouterOptions): Client<typeof RouterService> {
  return withGeneratePolicy(router, (call) => limited(call, options));
}
