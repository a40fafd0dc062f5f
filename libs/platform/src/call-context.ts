import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { newTraceContext, parseTraceparent, type TraceContext } from './trace-context.ts';

/**
 * What one inbound call carries to every outbound call it makes and every log line it writes:
 * the request id, the W3C trace, and the absolute deadline. Held in AsyncLocalStorage so
 * handlers never thread it by hand.
 */
export interface CallContext {
  readonly requestId: string;
  readonly trace: TraceContext;
  /** Absolute deadline in epoch milliseconds, or undefined for none. */
  readonly deadline: number | undefined;
  /** Fully qualified method name being served, for logs. */
  readonly method: string;
}

/** Header names used for propagation; lower-case as HTTP/2 requires. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';

const storage = new AsyncLocalStorage<CallContext>();

/** The context of the call being served, if any. */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `ctx` as the current call context. */
export function runWithCallContext<T>(ctx: CallContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds a call context from inbound headers: keeps a well-formed request id or makes one,
 * continues the caller's trace or starts one, and turns a relative timeout into a deadline.
 */
export function callContextFromHeaders(
  headers: Headers,
  options: { method: string; timeoutMs?: number | undefined; now?: number },
): CallContext {
  const sentId = headers.get(REQUEST_ID_HEADER);
  const requestId = sentId && REQUEST_ID.test(sentId) ? sentId : randomUUID();
  const trace = parseTraceparent(headers.get(TRACEPARENT_HEADER)) ?? newTraceContext();
  const now = options.now ?? Date.now();
  const deadline =
    options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) ? now + options.timeoutMs : undefined;
  return { requestId, trace, deadline, method: options.method };
}

/** Milliseconds left before the current call's deadline; undefined when there is none. */
export function remainingMs(ctx: CallContext | undefined, now: number = Date.now()): number | undefined {
  if (!ctx || ctx.deadline === undefined) return undefined;
  return ctx.deadline - now;
}
