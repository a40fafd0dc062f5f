import { Code, ConnectError } from '@connectrpc/connect';
import { mapCallerAbort, mapTransportError } from './map-upstream-error.ts';
import { upstreamError, UpstreamFailureKind } from './upstream-error.ts';

/** Per-call timeouts; unset (or 0) disables one. */
export interface UpstreamTimeouts {
  /** TCP/TLS connect, enforced by the keep-alive pool. @default 2000 */
  connectMs?: number;
  /** From sending the request to the first generated token (or the end of a streamless reply). */
  firstTokenMs?: number;
  /** Longest silence between chunks once tokens flow. */
  stallMs?: number;
  /** The whole call, first byte to last. */
  totalMs?: number;
}

/** Live state of one upstream call: its abort signal, its timers and the mapping of its failure. */
export interface UpstreamCall {
  /** Aborted by any timeout or by the caller's signal; pass to the HTTP request. */
  readonly signal: AbortSignal;
  /** The first token arrived: stop the TTFT timer, start the stall timer. */
  firstToken(): void;
  /** A chunk arrived: restart the stall timer. */
  progress(): void;
  /** Turns whatever was thrown into the ConnectError to surface (a timeout/abort wins). */
  failure(err: unknown, phase: 'connect' | 'stream'): ConnectError;
  /**
   * The answer is complete (`[DONE]` seen): stop every timeout and give the body `graceMs` to end
   * (so its socket can be reused); after that the request is aborted and {@link drainedOut} is true.
   */
  finishing(graceMs: number): void;
  /** True when the post-`[DONE]` grace ran out: the abort that followed is not a failure. */
  drainedOut(): boolean;
  /** Clears every timer and listener. Idempotent. */
  dispose(): void;
}

const DRAIN_GRACE_EXPIRED = new Error('upstream did not end the response after [DONE]');

/**
 * Creates the timers and the abort plumbing for one call. Every timer is unref'd and cleared in
 * `dispose`, and the listener on the caller's signal is removed, so a finished call leaves no
 * handle behind. Throws at once if the caller's signal is already aborted.
 */
export function createUpstreamCall(endpoint: string, timeouts: UpstreamTimeouts = {}, callerSignal?: AbortSignal): UpstreamCall {
  if (callerSignal?.aborted) throw mapCallerAbort(callerSignal.reason, endpoint);
  const controller = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  let stallTimer: NodeJS.Timeout | undefined;
  let ttftTimer: NodeJS.Timeout | undefined;
  let disposed = false;

  const arm = (ms: number | undefined, makeError: () => ConnectError): NodeJS.Timeout | undefined => {
    if (ms === undefined || ms <= 0 || disposed) return undefined;
    const timer = setTimeout(() => {
      timers.delete(timer);
      controller.abort(makeError());
    }, ms);
    timer.unref();
    timers.add(timer);
    return timer;
  };
  const clear = (timer: NodeJS.Timeout | undefined): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timers.delete(timer);
  };

  const onCallerAbort = (): void => controller.abort(mapCallerAbort(callerSignal?.reason, endpoint));
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  arm(timeouts.totalMs, () =>
    upstreamError(Code.DeadlineExceeded, UpstreamFailureKind.TotalTimeout, `upstream ${endpoint}: no complete answer within ${timeouts.totalMs} ms`),
  );
  ttftTimer = arm(timeouts.firstTokenMs, () =>
    upstreamError(Code.Unavailable, UpstreamFailureKind.TtftTimeout, `upstream ${endpoint}: no first token within ${timeouts.firstTokenMs} ms`),
  );
  // One stall timer per call, not one per chunk: a chunk only notes the time, and the timer, when it
  // fires early, re-arms itself for what is left (a stream of 100 tokens costs a few timers, not 100).
  let lastProgressAt = 0;
  const stallMs = timeouts.stallMs;
  const armStall = (ms: number | undefined): void => {
    clear(stallTimer);
    stallTimer = undefined;
    if (ms === undefined || ms <= 0 || disposed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const quiet = Date.now() - lastProgressAt;
      if (quiet < stallMs!) return armStall(stallMs! - quiet);
      controller.abort(upstreamError(Code.Unavailable, UpstreamFailureKind.StallTimeout, `upstream ${endpoint}: stream stalled for ${stallMs} ms`));
    }, ms);
    timer.unref();
    timers.add(timer);
    stallTimer = timer;
  };

  let started = false;
  let finishing = false;
  return {
    signal: controller.signal,
    firstToken() {
      if (started || finishing) return;
      started = true;
      clear(ttftTimer);
      ttftTimer = undefined;
      lastProgressAt = Date.now();
      armStall(stallMs);
    },
    progress() {
      if (started && !finishing) lastProgressAt = Date.now();
    },
    finishing(graceMs) {
      if (finishing) return;
      finishing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      stallTimer = undefined;
      ttftTimer = undefined;
      const timer = setTimeout(() => {
        timers.delete(timer);
        controller.abort(DRAIN_GRACE_EXPIRED);
      }, graceMs);
      timer.unref();
      timers.add(timer);
    },
    drainedOut: () => controller.signal.aborted && controller.signal.reason === DRAIN_GRACE_EXPIRED,
    failure(err, phase) {
      if (controller.signal.aborted && controller.signal.reason instanceof ConnectError) {
        const reason = controller.signal.reason;
        // Keep what undici threw as the cause, for the logs.
        return new ConnectError(reason.rawMessage, reason.code, reason.metadata, undefined, err);
      }
      return mapTransportError(err, endpoint, phase);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
