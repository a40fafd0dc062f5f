import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import type { GenerateRequestSchema, GenerateResponse, RouteInput, RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { promptFingerprint } from '../ops/prompts/prompt-recorder.ts';
import { RETRY_AFTER_MS_KEY } from '../status-to-http.ts';
import { API_KEY_ID_HEADER } from '../traffic-headers.ts';
import type { RunawayDetector, RunawayVerdict } from './runaway-detector.ts';

/** A slowed or stopped caller, for the alert metric and the audit trail. */
export interface RunawayEvent {
  readonly tenant: string;
  readonly keyId: string;
  readonly action: 'slow' | 'stop';
  readonly why: string;
}

/** Options for {@link runawayRouter}. */
export interface RunawayRouterOptions {
  readonly detector: RunawayDetector;
  /** How long a stopped caller is told to wait. @default 60000 */
  readonly stopRetryMs?: number;
  readonly logger: Logger;
  /** Every slow-down and stop (metric, audit entry). */
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

async function* guarded(router: Client<typeof RouterService>, request: MessageInitShape<typeof GenerateRequestSchema>, callOptions: CallOptions | undefined, options: RunawayRouterOptions): AsyncGenerator<GenerateResponse> {
  const input = request.input as RouteInput | undefined;
  const tenant = input?.tenant ?? '';
  const keyId = new Headers(callOptions?.headers).get(API_KEY_ID_HEADER) ?? tenant;
  const verdict: RunawayVerdict = input ? options.detector.observe(`${tenant}:${keyId}`, promptFingerprint(input), (options.now ?? Date.now)()) : { action: 'pass' };
  if (verdict.action !== 'pass') {
    options.onRunaway?.({ tenant, keyId, action: verdict.action, why: verdict.why });
    callOptions?.onHeader?.(new Headers({ 'x-sophia-runaway': verdict.action }));
  }
  if (verdict.action === 'stop') {
    const retryMs = options.stopRetryMs ?? 60_000;
    throw new ConnectError(`runaway protection: this API key was stopped (${verdict.why}); check the client for a retry loop`, Code.ResourceExhausted, new Headers({ [RETRY_AFTER_MS_KEY]: String(retryMs) }));
  }
  if (verdict.action === 'slow') await (options.sleep ?? wait)(verdict.delayMs, callOptions?.signal ?? undefined);
  yield* router.generate(request, callOptions);
}

/**
 * The router client with runaway protection: a key whose request rate jumps far above its own
 * baseline, or that repeats one prompt within seconds, is slowed (a delay growing with the excess),
 * then stopped (RESOURCE_EXHAUSTED / 429 with Retry-After), each reported through `onRunaway`.
 */
export function runawayRouter(router: Client<typeof RouterService>, options: RunawayRouterOptions): Client<typeof RouterService> {
  return { ...router, generate: (request, callOptions) => guarded(router, request, callOptions, options) };
}
