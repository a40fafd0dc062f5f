import { Code, ConnectError, type Client } from '@connectrpc/connect';
import type { GenerateResponse, RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { withGeneratePolicy, type GenerateCall } from '../generate-policy.ts';
import { RETRY_AFTER_MS_KEY } from '../status-to-http.ts';
import { API_KEY_ID_HEADER } from '../traffic-headers.ts';
import type { RunawayDetector, RunawayVerdict } from './runaway-detector.ts';

/** A slowed or stopped caller, for the alert metric and the audit trail. */
export interface RunawayEvent {
  readonly tenant: string;
  readonly keyId: string;
  /** `detect`: reported only (repeats when they are not enforced); `slow` / `stop`: acted on. */
  readonly action: 'detect' | 'slow' | 'stop';
  /** Whose behaviour triggered it: the key's own, or its tenant's (all its keys together). */
  readonly scope: 'key' | 'tenant';
  readonly why: string;
}

/** Options for {@link runawayRouter}. */
export interface RunawayRouterOptions {
  readonly detector: RunawayDetector;
  readonly logger: Logger;
  /** Every detection, slow-down and stop (metric, audit entry). */
  readonly onRunaway?: (event: RunawayEvent) => void;
  readonly now?: () => number;
  /** How a slowed request waits (tests record instead of sleeping). @default a timer ended early by the call's abort */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function* guarded(call: GenerateCall, options: RunawayRouterOptions): AsyncGenerator<GenerateResponse> {
  const { input, promptFingerprint, callOptions } = call;
  if (!input) {
    yield* call.next();
    return;
  }
  // One clock reading per request: its spend is booked at the time it was judged.
  const nowMs = (options.now ?? Date.now)();
  const caller = { tenant: input.tenant, keyId: new Headers(callOptions?.headers).get(API_KEY_ID_HEADER) ?? input.tenant };
  // Protection, not billing: an unreachable store lets requests through (logged), never fails them.
  const verdict: RunawayVerdict = await options.detector.observe(caller, promptFingerprint, nowMs).catch((err: unknown) => {
    options.logger.warn({ err, tenant: caller.tenant }, 'runaway protection unavailable: request not judged');
    return { action: 'pass' } as const;
  });
  if (verdict.action !== 'pass') {
    options.onRunaway?.({ ...caller, action: verdict.action, scope: verdict.scope, why: verdict.why });
    callOptions?.onHeader?.(new Headers({ 'x-sophia-runaway': verdict.action }));
  }
  if (verdict.action === 'stop') {
    const who = verdict.scope === 'key' ? 'this API key was' : "this API key's tenant was";
    throw new ConnectError(`runaway protection: ${who} stopped (${verdict.why}); check the client for a retry loop`, Code.ResourceExhausted, new Headers({ [RETRY_AFTER_MS_KEY]: String(verdict.retryAfterMs) }));
  }
  if (verdict.action === 'slow') await (options.sleep ?? wait)(verdict.delayMs, callOptions?.signal ?? undefined);
  for await (const res of call.next()) {
    if (res.event.case === 'done') {
      const usd = Number(res.event.value.decision?.cost?.microUsd ?? 0n) / 1e6;
      void options.detector.recordSpend(caller, usd, nowMs).catch((err: unknown) => options.logger.warn({ err, tenant: caller.tenant }, 'runaway protection: spend not recorded'));
    }
    yield res;
  }
}

/**
 * The router client with runaway protection: a key or tenant whose request rate or spend jumps far
 * above its own baseline, or a key that repeats one prompt within seconds, is slowed (a delay
 * growing with the excess), then stopped (RESOURCE_EXHAUSTED / 429 with Retry-After), each reported
 * through `onRunaway`. Each answer's cost is added to the caller's spend when it ends.
 */
export function runawayRouter(router: Client<typeof RouterService>, options: RunawayRouterOptions): Client<typeof RouterService> {
  return withGeneratePolicy(router, (call) => guarded(call, options));
}
