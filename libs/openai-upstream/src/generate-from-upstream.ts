import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Dispatcher } from 'undici';
import { ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { GenerateRequest, GenerateResponseSchema } from '@sophia/contracts/inference';
import { deadlineSignal, type DeadlineSignal } from '@sophia/platform';
import { startModelCallSpan } from './model-call-span.ts';
import { relayEvent } from './relay-event.ts';
import { streamChatCompletion } from './stream-chat-completion.ts';
import type { UpstreamTimeouts } from './upstream-call.ts';
import { isBackendFailure, upstreamFailureKind } from './upstream-error.ts';
import type { UpstreamLogger } from './upstream-logger.ts';
import { toChatCompletionBody } from './to-chat-completion-body.ts';

/** How one Generate call ended, reported once to its backend's bookkeeping. */
export type GenerateOutcome =
  | { readonly kind: 'ok' }
  /** The backend failed it (5xx, timeout, reset, stall, malformed stream…): count against the endpoint. */
  | { readonly kind: 'backend_failure'; readonly message: string }
  /** The caller went away or sent something the upstream refused: not the endpoint's fault. */
  | { readonly kind: 'not_backend' };

/** One InferenceService.Generate call against one OpenAI-compatible endpoint. */
export interface GenerateFromUpstreamOptions {
  readonly request: GenerateRequest;
  readonly context: HandlerContext;
  /** The endpoint's own model id ('' lets the endpoint choose). */
  readonly upstreamModel: string;
  /** API root, e.g. `http://10.0.0.7:8000/v1`. */
  readonly baseUrl: string;
  /** Name reported in `done.endpoint` and in logs. */
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly timeouts?: UpstreamTimeouts;
  /** Connection pool for this upstream (its size and HTTP/2 are per-provider configuration). @default the shared pool of the origin */
  readonly dispatcher?: Dispatcher;
  /** Extra request headers (e.g. a provider's routing header). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger: UpstreamLogger;
  /** `gen_ai.provider.name` on the model-call span. @default `endpoint` */
  readonly provider?: string;
  /**
   * Called exactly once: when the stream ends, when it fails, or as soon as the caller goes away
   * (a transport may abandon the generator at a `yield` and never resume it, so waiting for
   * `finally` could leak a lease or an in-flight count).
   */
  readonly settle: (outcome: GenerateOutcome) => void;
  /** The upstream started its event stream (2xx, before any token): it is alive and working on this call. */
  readonly onResponse?: () => void;
}

// The caller's deadline as a signal, for transports whose context.signal is not deadline-aware;
// released when the call ends (deadlineSignal: a bare AbortSignal.timeout would hold the call's
// closures until the deadline passed).
function callerSignal(context: HandlerContext): DeadlineSignal {
  const ms = context.timeoutMs();
  return ms === undefined ? { signal: context.signal, dispose: () => undefined } : deadlineSignal(context.signal, ms);
}

/**
 * The Generate body both inference backends share: request → chat-completions body → upstream SSE →
 * delta/done responses, the caller's cancellation and deadline aborting the upstream request, one
 * warning log per failure, and exactly one `settle` per call. Errors propagate unchanged (the codes of
 * {@link streamChatCompletion}); no retry here, the router decides.
 */
export async function* generateFromUpstream(
  options: GenerateFromUpstreamOptions,
): AsyncGenerator<MessageInitShape<typeof GenerateResponseSchema>, void, undefined> {
  const { request, context } = options;
  const caller = callerSignal(context);
  const { signal } = caller;
  let settled = false;
  const settle = (outcome: GenerateOutcome): void => {
    if (settled) return;
    settled = true;
    options.settle(outcome);
  };
  const span = startModelCallSpan({ request, upstreamModel: options.upstreamModel, provider: options.provider ?? options.endpoint, baseUrl: options.baseUrl });
  const onAbort = (): void => {
    settle({ kind: 'not_backend' });
    span.end({ kind: 'cancelled' });
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const events = streamChatCompletion({
      baseUrl: options.baseUrl,
      body: toChatCompletionBody(request, options.upstreamModel),
      signal,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
      headers: { ...options.headers, ...span.headers, ...(request.requestId ? { 'x-request-id': request.requestId } : {}) },
    });
    // One hop per token: the span notes the event and it is relayed in the same step.
    for await (const event of events) {
      span.see(event);
      yield relayEvent(event, options.endpoint, context.responseTrailer);
    }
    settle({ kind: 'ok' });
    span.end({ kind: 'ok' });
  } catch (err) {
    span.end(signal.aborted ? { kind: 'cancelled' } : { kind: 'failed', err });
    settle(
      isBackendFailure(err)
        ? { kind: 'backend_failure', message: err instanceof ConnectError ? err.rawMessage : String(err) }
        : { kind: 'not_backend' },
    );
    options.logger.warn(
      { err, endpoint: options.endpoint, model: request.model, requestId: request.requestId, kind: upstreamFailureKind(err) },
      'generate failed',
    );
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    caller.dispose();
    // A consumer that stops iterating early (return()) ends here without ok or error.
    settle({ kind: 'not_backend' });
    span.end({ kind: 'cancelled' });
  }
}
