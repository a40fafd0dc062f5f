import type { IncomingHttpHeaders } from 'node:http';
import { callContextFromHeaders, type CallContext } from '@sophia/platform';
import { WORKLOAD_TAG, type RequestProblem } from './openai-request-schema.ts';

/** Header a client may send to ask for a shorter deadline than the gateway's default. */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';
/** Header naming the workload (wins over the body's `metadata.workload`). */
export const WORKLOAD_HEADER = 'x-sophia-workload';
/** Per-request cost/quality knob: a policy level name ("economy", "premium") or a number in [0, 1]. */
export const QUALITY_HEADER = 'x-sophia-quality';
const QUALITY = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * The request's quality target from the `x-sophia-quality` header, passed as-is to the router
 * (which knows the policy's levels and answers INVALID_ARGUMENT naming `input.quality_target`).
 */
export function qualityTarget(headers: Headers): { ok: true; value: string | undefined } | { ok: false; problem: RequestProblem } {
  const header = headers.get(QUALITY_HEADER);
  if (header === null) return { ok: true, value: undefined };
  if (!QUALITY.test(header)) return { ok: false, problem: { message: `${QUALITY_HEADER} header must be a level name or a number in [0, 1]`, param: QUALITY_HEADER } };
  return { ok: true, value: header };
}

/** Node's header object as a fetch `Headers` (HTTP/2 pseudo-headers dropped). */
export function headersFromNode(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/** Options for {@link gatewayCallContext}. */
export interface GatewayCallContextOptions {
  /** Method name for logs ("POST /v1/chat/completions", "sophia.gateway.v1.ChatService/Complete"). */
  readonly method: string;
  /** The gateway's ceiling (`SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS`). */
  readonly maxTimeoutMs: number;
  /** A deadline the protocol already carries (gRPC `grpc-timeout`, Connect `connect-timeout-ms`). */
  readonly protocolTimeoutMs?: number | undefined;
}

/**
 * The call context for one inbound request: the client's well-formed `x-request-id` or a new one,
 * its `traceparent` continued, and a deadline of the shortest of the gateway ceiling, the
 * protocol's own timeout and `x-request-timeout-ms`. A malformed timeout header is a 400, not
 * silently ignored.
 */
export function gatewayCallContext(headers: Headers, options: GatewayCallContextOptions): { ok: true; context: CallContext } | { ok: false; problem: RequestProblem } {
  let timeoutMs = options.maxTimeoutMs;
  const asked = headers.get(REQUEST_TIMEOUT_HEADER);
  if (asked !== null) {
    if (!/^\d{1,10}$/.test(asked.trim()) || Number(asked) < 1) {
      return { ok: false, problem: { message: `${REQUEST_TIMEOUT_HEADER} header must be a positive integer number of milliseconds`, param: REQUEST_TIMEOUT_HEADER } };
    }
    timeoutMs = Math.min(timeoutMs, Number(asked));
  }
  if (options.protocolTimeoutMs !== undefined && options.protocolTimeoutMs > 0) timeoutMs = Math.min(timeoutMs, options.protocolTimeoutMs);
  return { ok: true, context: callContextFromHeaders(headers, { method: options.method, timeoutMs }) };
}

/**
 * The workload label for reports and pins: the `x-sophia-workload` header, else the body's
 * (`metadata.workload` on REST, `workload_tag` on gRPC), else none. OpenAI's `user` is an
 * end-user id, not a workload, and is deliberately not used.
 */
export function workloadTag(headers: Headers, fromBody: string | undefined): { ok: true; tag: string } | { ok: false; problem: RequestProblem } {
  const header = headers.get(WORKLOAD_HEADER);
  if (header !== null) {
    if (!WORKLOAD_TAG.test(header)) return { ok: false, problem: { message: `${WORKLOAD_HEADER} header must match ${WORKLOAD_TAG.source}`, param: WORKLOAD_HEADER } };
    return { ok: true, tag: header };
  }
  return { ok: true, tag: fromBody ?? '' };
}
