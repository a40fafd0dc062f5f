import { randomUUID } from 'node:crypto';
import { context, createContextKey, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { installOtelContext } from './telemetry/otel-context.ts';
import { currentTelemetry } from './telemetry/active-telemetry.ts';
import { headerGetter } from './telemetry/header-carrier.ts';

installOtelContext();

/**
 * What one inbound call carries to every outbound call it makes and every log line it writes:
 * the request id, the deadline, and the OpenTelemetry context it runs in (its span — the server
 * span of the call — baggage, and the serving service's tracer). Held in OTel's active context
 * (AsyncLocalStorage) so handlers never thread it by hand.
 */
export interface CallContext {
  readonly requestId: string;
  /** Absolute deadline in epoch milliseconds, or undefined for none. */
  readonly deadline: number | undefined;
  /** Fully qualified method name being served, for logs. */
  readonly method: string;
  /** The OTel context the call runs in; it holds this call context too. */
  readonly otel: Context;
  /** Ids of the call's span: what logs print and what a child `traceparent` descends from. */
  readonly trace: SpanContext;
}

/** Header names used for propagation; lower-case as HTTP/2 requires. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';

const CALL_KEY = createContextKey('sophia.call-context');

/** The context of the call being served, if any. */
export function currentCallContext(): CallContext | undefined {
  return context.active().getValue(CALL_KEY) as CallContext | undefined;
}

/** Runs `fn` with `ctx` as the current call context (and its span as the active span). */
export function runWithCallContext<T>(ctx: CallContext, fn: () => T): T {
  return context.with(ctx.otel, fn);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const NO_SPAN: SpanContext = INVALID_SPAN_CONTEXT;

/** Fields of a call context besides its OTel context. */
export interface CallContextFields {
  readonly requestId: string;
  readonly deadline: number | undefined;
  readonly method: string;
}

/** A call context running in `otel` (whose span becomes the call's span). */
export function createCallContext(fields: CallContextFields, otel: Context): CallContext {
  const cc: { -readonly [K in keyof CallContext]: CallContext[K] } = {
    ...fields,
    otel,
    trace: trace.getSpanContext(otel) ?? NO_SPAN,
  };
  cc.otel = otel.setValue(CALL_KEY, cc);
  return cc;
}

/** The client's well-formed request id, or a new one. */
export function requestIdFrom(headers: Headers): string {
  const sent = headers.get(REQUEST_ID_HEADER);
  return sent && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** An absolute deadline from a relative timeout. */
export function deadlineFrom(timeoutMs: number | undefined, now: number = Date.now()): number | undefined {
  return timeoutMs !== undefined && Number.isFinite(timeoutMs) ? now + timeoutMs : undefined;
}

/**
 * Builds a call context from inbound headers: keeps a well-formed request id or makes one, and
 * turns a relative timeout into a deadline. Its trace is the active span when one is running (the
 * gateway's HTTP server span), else the caller's `traceparent`/`baggage` extracted by the OTel
 * propagators (W3C says: a malformed one restarts the trace).
 */
export function callContextFromHeaders(
  headers: Headers,
  options: { method: string; timeoutMs?: number | undefined; now?: number },
): CallContext {
  const active = context.active();
  let otel = trace.getSpan(active) ? active : propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  // No trace to continue: a fresh (unrecorded) root, so the call's log lines still share a trace id.
  if (!trace.getSpan(otel)) otel = trace.setSpan(otel, currentTelemetry(otel).tracer.startSpan(options.method, { root: true }));
  return createCallContext({ requestId: requestIdFrom(headers), deadline: deadlineFrom(options.timeoutMs, options.now), method: options.method }, otel);
}

/** Milliseconds left before the current call's deadline; undefined when there is none. */
export function remainingMs(ctx: CallContext | undefined, now: number = Date.now()): number | undefined {
  if (!ctx || ctx.deadline === undefined) return undefined;
  return ctx.deadline - now;
}
