import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { deadlineSignal, runWithCallContext, type CallContext } from '@sophia/platform';
import type { ChoiceDelta, RoutingDecision } from '@sophia/contracts/common';
import { createChoiceAccumulator, type AccumulatedChoice } from './openai-compat/choice-accumulator.ts';
import type { GenerateDone, RouteInput, RouterService } from '@sophia/contracts/router';
import { API_KEY_ID_HEADER, CACHE_CONTROL_HEADER } from './traffic-headers.ts';

/** One event of a router generation, after the stream contract has been checked. */
export type GenerationEvent =
  | { readonly kind: 'decision'; readonly decision: RoutingDecision }
  | { readonly kind: 'delta'; readonly text: string }
  /** Another choice, tool-call pieces, log probabilities or a per-choice finish (see ChoiceDelta). */
  | { readonly kind: 'choice'; readonly choice: ChoiceDelta }
  | { readonly kind: 'done'; readonly done: GenerateDone };

/** Options for {@link routerGeneration}. */
export interface RouterGenerationOptions {
  readonly context: CallContext;
  /** Aborted when the client goes away; the router call is cancelled with it. */
  readonly signal: AbortSignal;
  /** The caller's API key id, for per-key traffic policies (rate limits, runaway detection). */
  readonly apiKeyId?: string | undefined;
  /** The client's `Cache-Control` (`no-cache` skips the response cache's lookup, `no-store` its write too). */
  readonly cacheControl?: string | undefined;
  /** Receives the traffic policies' response headers (`x-ratelimit-*`, `x-sophia-cache`). */
  readonly onTrafficHeaders?: ((headers: Headers) => void) | undefined;
}

/**
 * Normalises a failed router call: errors the router sent (`isWireError`) pass unchanged; a
 * client-side transport failure (connection refused or reset, which connect-node reports as
 * INTERNAL/UNKNOWN/ABORTED) means the router could not be reached and becomes UNAVAILABLE, so
 * callers answer 503 (retryable) instead of 500 — without echoing internal addresses.
 */
export function routerCallError(err: unknown): unknown {
  if (err instanceof ConnectError && !err.isWireError && (err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.Aborted)) {
    return new ConnectError('router unavailable', Code.Unavailable, undefined, undefined, err);
  }
  return err;
}

/** Errors the gateway raised itself while checking the stream (not transport failures). */
const contractErrors = new WeakSet<ConnectError>();

function contractBroken(what: string): ConnectError {
  const err = new ConnectError(`router broke the Generate stream contract: ${what}`, Code.Internal);
  contractErrors.add(err);
  return err;
}

/**
 * Calls `RouterService.Generate` inside the request's call context (so the service client
 * propagates request id, trace and deadline) and yields its events, enforcing the contract the
 * gateway's answers depend on: a `decision` first, then deltas, then exactly one `done`, last.
 * A stream that ends early or out of order throws INTERNAL, so callers never present a truncated
 * answer as a success. When the call's own deadline is what cut it, the error is DEADLINE_EXCEEDED.
 */
export async function* routerGeneration(
  router: Client<typeof RouterService>,
  input: RouteInput,
  options: RouterGenerationOptions,
): AsyncGenerator<GenerationEvent, void, undefined> {
  const { context, signal } = options;
  const headers: Record<string, string> = {};
  if (options.apiKeyId !== undefined) headers[API_KEY_ID_HEADER] = options.apiKeyId;
  if (options.cacheControl !== undefined) headers[CACHE_CONTROL_HEADER] = options.cacheControl;
  const left = context.deadline === undefined ? undefined : Math.max(1, context.deadline - Date.now());
  // Released in `finally` (a bare AbortSignal.timeout would keep this call's closures alive until
  // the deadline, minutes after the answer).
  const deadline = left === undefined ? undefined : deadlineSignal(signal, left);
  const callSignal = deadline?.signal ?? signal;
  const stream = runWithCallContext(context, () => router.generate({ input }, { signal: callSignal, timeoutMs: left, headers, onHeader: options.onTrafficHeaders }));
  let seenDecision = false;
  let seenDone = false;
  try {
    for await (const res of stream) {
      const ev = res.event;
      if (seenDone) throw contractBroken(`"${ev.case ?? 'empty'}" event after "done"`);
      if (ev.case === 'decision') {
        if (seenDecision) throw contractBroken('second "decision" event');
        seenDecision = true;
        yield { kind: 'decision', decision: ev.value };
      } else if (!seenDecision) {
        throw contractBroken(`"${ev.case ?? 'empty'}" event before "decision"`);
      } else if (ev.case === 'delta') {
        yield { kind: 'delta', text: ev.value };
      } else if (ev.case === 'choice') {
        yield { kind: 'choice', choice: ev.value };
      } else if (ev.case === 'done') {
        seenDone = true;
        yield { kind: 'done', done: ev.value };
      } else {
        throw contractBroken('empty event');
      }
    }
  } catch (err) {
    if (err instanceof ConnectError && contractErrors.has(err)) throw err;
    // The router's own DEADLINE_EXCEEDED names what each target did (its first-token bound): keep it.
    if (err instanceof ConnectError && err.isWireError && err.code === Code.DeadlineExceeded) throw err;
    // The deadline, however it showed: our timer, the protocol's own deadline aborting `signal` first
    // (connect-node does at Connect-Timeout-Ms), or the clock — not a client that went away.
    const deadlinePassed =
      (deadline?.signal.aborted === true && !signal.aborted) ||
      (context.deadline !== undefined && Date.now() >= context.deadline) ||
      (signal.aborted && signal.reason instanceof ConnectError && signal.reason.code === Code.DeadlineExceeded);
    if (deadlinePassed) throw new ConnectError(`request deadline of ${left} ms exceeded`, Code.DeadlineExceeded);
    throw routerCallError(err);
  } finally {
    deadline?.dispose();
  }
  if (!seenDone) throw contractBroken('stream ended without "done"');
}

/** A whole answer, for unary REST and `ChatService.Complete`. */
export interface CollectedGeneration {
  readonly decision: RoutingDecision;
  /** Text of choice 0. */
  readonly content: string;
  /** Every choice, merged (tool calls, logprobs, finish reasons); choice 0's finish is `done.finishReason`. */
  readonly choices: readonly AccumulatedChoice[];
  /** True when the answer holds more than plain text of one choice (tool calls, n > 1, logprobs). */
  readonly structured: boolean;
  readonly done: GenerateDone;
}

/** Drains a checked generation into one answer; the final decision (with cost) is `done.decision`. */
export async function collectGeneration(events: AsyncIterable<GenerationEvent>): Promise<CollectedGeneration> {
  let decision: RoutingDecision | undefined;
  let done: GenerateDone | undefined;
  const acc = createChoiceAccumulator();
  for await (const ev of events) {
    if (ev.kind === 'decision') decision = ev.decision;
    else if (ev.kind === 'delta') acc.addText(ev.text);
    else if (ev.kind === 'choice') acc.addChoice(ev.choice);
    else done = ev.done;
  }
  if (!decision || !done) throw contractBroken('incomplete stream');
  const choices = acc.choices(done.finishReason);
  return { decision, content: choices[0]?.content ?? '', choices, structured: acc.structured(), done };
}

/** The decision to report at the end: the router's final one, else the first. */
export function finalDecision(first: RoutingDecision, done: GenerateDone): RoutingDecision {
  return done.decision ?? first;
}
