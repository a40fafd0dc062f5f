import { Code, ConnectError } from '@connectrpc/connect';
import { budgetOutageCause, firstTokenBoundOf, retryAfterMs } from '@sophia/platform/wire';
import { publicClientError, publicServerError } from './openai-compat/public-error-text.ts';

/** An error ready to be written as an OpenAI-style error body with an HTTP status. */
export interface GatewayHttpError {
  readonly status: number;
  readonly type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'rate_limit_error' | 'server_error';
  readonly code: string;
  readonly message: string;
  readonly param: string | null;
  /** Seconds for a `Retry-After` header (429 with the router's `retry-after-ms`). */
  readonly retryAfterSeconds?: number | undefined;
}

/** Metadata key the router sets on RESOURCE_EXHAUSTED to say when to retry (the platform's wire rule). */
export { RETRY_AFTER_HEADER as RETRY_AFTER_MS_KEY } from '@sophia/platform/wire';

/**
 * gRPC status → HTTP status: the one table both REST errors and logs use, so a router failure
 * means the same thing to an OpenAI client as to a gRPC client.
 */
export function httpStatusForCode(code: Code): number {
  switch (code) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return 400;
    case Code.Unauthenticated:
      return 401;
    case Code.PermissionDenied:
      return 403;
    case Code.NotFound:
      return 404;
    case Code.ResourceExhausted:
      return 429;
    case Code.Canceled:
      return 499;
    case Code.DeadlineExceeded:
      return 504;
    case Code.Unavailable:
      return 503;
    default:
      return 500;
  }
}

function typeFor(status: number): GatewayHttpError['type'] {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const CODE_NAMES: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: 'invalid_argument',
  [Code.OutOfRange]: 'invalid_argument',
  [Code.Unauthenticated]: 'invalid_api_key',
  [Code.PermissionDenied]: 'permission_denied',
  [Code.NotFound]: 'not_found',
  [Code.ResourceExhausted]: 'rate_limit_exceeded',
  [Code.Canceled]: 'canceled',
  [Code.DeadlineExceeded]: 'timeout',
  [Code.Unavailable]: 'upstream_unavailable',
};

/** Retry delay carried in a ConnectError's metadata, in whole seconds (at least 1). */
export function retryAfterSeconds(err: ConnectError): number | undefined {
  const ms = retryAfterMs(err);
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A router (or gateway) failure as an OpenAI-style HTTP error, in the caller's terms: a client error
 * (4xx) keeps the router's words with internal field paths translated to OpenAI parameters (the
 * leading one becomes `param`) and upstream URLs, target keys and gRPC methods removed; a server
 * error (5xx) says only what happened and the request id — its details are in the gateway's log
 * line for that id. Errors that are not ConnectErrors are bugs and become a generic 500. A NOT_FOUND
 * for a request that named a model is OpenAI's `model_not_found` on param `model`.
 */
export function httpErrorFromRouter(err: unknown, context: { explicitModel: boolean; requestId?: string | undefined }): GatewayHttpError {
  if (!(err instanceof ConnectError)) {
    return { status: 500, type: 'server_error', code: 'internal_error', message: publicServerError(500, context.requestId), param: null };
  }
  const status = httpStatusForCode(err.code);
  const outage = budgetOutageCause(err);
  if (outage === 'store-full') {
    return { status, type: 'server_error', code: 'storage_full', message: publicServerError(status, context.requestId, 'store_full'), param: null, retryAfterSeconds: 5 };
  }
  if (outage === 'store-out-of-memory') {
    return { status, type: 'server_error', code: 'storage_out_of_memory', message: publicServerError(status, context.requestId, 'store_out_of_memory'), param: null, retryAfterSeconds: 5 };
  }
  if (outage === 'store-failed') {
    return { status, type: 'server_error', code: 'storage_unavailable', message: publicServerError(status, context.requestId, 'store_failed'), param: null, retryAfterSeconds: 5 };
  }
  if (outage !== undefined) {
    return { status, type: 'server_error', code: 'budget_unavailable', message: publicServerError(status, context.requestId, 'budget_outage'), param: null, retryAfterSeconds: 1 };
  }
  const boundMs = firstTokenBoundOf(err);
  if (boundMs !== undefined) {
    return { status, type: 'server_error', code: 'timeout', message: publicServerError(status, context.requestId, { firstTokenBoundMs: boundMs }), param: null };
  }
  const modelMissing = err.code === Code.NotFound && context.explicitModel;
  const client = status < 500 && status !== 499 ? publicClientError(err.rawMessage) : undefined;
  return {
    status,
    type: typeFor(status),
    code: modelMissing ? 'model_not_found' : (CODE_NAMES[err.code] ?? 'internal_error'),
    message: client ? client.message : publicServerError(status, context.requestId),
    param: modelMissing ? 'model' : (client?.param ?? null),
    retryAfterSeconds: err.code === Code.ResourceExhausted ? retryAfterSeconds(err) : undefined,
  };
}

/** A client-input problem (400 unless told otherwise) naming the offending parameter. */
export function invalidRequest(message: string, param: string | null, options: { status?: number; code?: string } = {}): GatewayHttpError {
  const status = options.status ?? 400;
  return { status, type: typeFor(status), code: options.code ?? 'invalid_request', message, param };
}
