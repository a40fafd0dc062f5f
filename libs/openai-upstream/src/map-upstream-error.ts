import { Code, ConnectError } from '@connectrpc/connect';
import { upstreamError, UpstreamFailureKind } from './upstream-error.ts';

// The one place where infrastructure failures (socket errors, HTTP statuses, timeouts, aborts)
// become gRPC codes. The table, and why each row is what it is, is in this library's README.

const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_REQ_RETRY',
]);

/** Describes an upstream URL for messages and logs: origin and path, never credentials or query. */
export function describeEndpoint(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.origin}${parsed.pathname}`;
}

function errorCode(err: unknown): string | undefined {
  for (let cur: unknown = err, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    if (typeof cur === 'object' && 'code' in cur && typeof cur.code === 'string') return cur.code;
    cur = typeof cur === 'object' && 'cause' in cur ? cur.cause : undefined;
  }
  return undefined;
}

/**
 * Maps a transport-level error (thrown by undici before or while reading the body) to a
 * ConnectError. `phase` says whether any response bytes were seen, which decides between
 * "could not reach" and "connection dropped".
 */
export function mapTransportError(err: unknown, endpoint: string, phase: 'connect' | 'stream'): ConnectError {
  if (err instanceof ConnectError) return err;
  const code = errorCode(err);
  if (code !== undefined && REFUSED_CODES.has(code)) {
    return upstreamError(Code.Unavailable, UpstreamFailureKind.ConnectRefused, `upstream ${endpoint}: cannot connect (${code})`, { cause: err });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return upstreamError(Code.Unavailable, UpstreamFailureKind.ConnectTimeout, `upstream ${endpoint}: connect timed out`, { cause: err });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return upstreamError(Code.Unavailable, UpstreamFailureKind.TtftTimeout, `upstream ${endpoint}: no response headers in time`, { cause: err });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return upstreamError(Code.Unavailable, UpstreamFailureKind.StallTimeout, `upstream ${endpoint}: response body stalled`, { cause: err });
  }
  if ((code !== undefined && RESET_CODES.has(code)) || phase === 'stream') {
    const what = phase === 'stream' ? 'connection dropped mid-stream' : 'connection reset before a response';
    return upstreamError(Code.Unavailable, UpstreamFailureKind.Reset, `upstream ${endpoint}: ${what}${code ? ` (${code})` : ''}`, { cause: err });
  }
  return upstreamError(Code.Unavailable, UpstreamFailureKind.Reset, `upstream ${endpoint}: request failed${code ? ` (${code})` : ''}`, { cause: err });
}

/**
 * Maps the reason an external AbortSignal (client cancel, caller deadline) was aborted with.
 * Neither counts as a backend failure.
 */
export function mapCallerAbort(reason: unknown, endpoint: string): ConnectError {
  const deadline =
    (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) ||
    // AbortSignal.timeout() aborts with a DOMException named TimeoutError (not always an Error
    // instance across realms, hence the duck typing).
    (typeof reason === 'object' && reason !== null && 'name' in reason && reason.name === 'TimeoutError');
  if (deadline) {
    return upstreamError(Code.DeadlineExceeded, UpstreamFailureKind.CallerDeadline, `upstream ${endpoint}: caller deadline exceeded`, { cause: reason });
  }
  return upstreamError(Code.Canceled, UpstreamFailureKind.CallerCancelled, `upstream ${endpoint}: cancelled by caller`, { cause: reason });
}

/**
 * Parses Retry-After into milliseconds: `retry-after-ms` (OpenAI style) wins, then
 * `retry-after` as delta-seconds or an HTTP date. Undefined when absent or unparseable.
 */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const first = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = first('retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const raw = first('retry-after')?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// The upstream's own error text, when it is safe and useful to pass on: trimmed, bounded,
// and with the API key (if the upstream echoed it) removed.
function upstreamDetail(body: string, apiKey: string | undefined): string {
  let text = body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      const e = parsed.error;
      if (typeof e === 'string') text = e;
      else if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string') text = e.message;
    } else if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      text = parsed.message;
    }
  } catch {
    // not JSON: use the raw text
  }
  if (apiKey) text = text.split(apiKey).join('[redacted]');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Maps a non-2xx HTTP response to a ConnectError. Client errors (400/404/422) carry the
 * upstream's explanation because the caller can act on it; auth failures do not (they are our
 * misconfiguration, reported as Internal so callers never see Unauthenticated for our key).
 */
export function mapHttpStatus(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  endpoint: string,
  options: { apiKey?: string; model?: string } = {},
): ConnectError {
  const detail = upstreamDetail(body, options.apiKey);
  const suffix = detail ? `: ${detail}` : '';
  const where = `upstream ${endpoint}: HTTP ${status}`;
  const cause = new Error(`HTTP ${status} from ${endpoint}: ${body.slice(0, 2000)}`);
  if (status === 429) {
    const retry = parseRetryAfter(headers);
    return upstreamError(Code.ResourceExhausted, UpstreamFailureKind.Http429, `${where} rate limited${retry !== undefined ? ` (retry after ${retry} ms)` : ''}`, {
      cause,
      ...(retry !== undefined ? { retryAfterMs: retry } : {}),
    });
  }
  if (status === 500) return upstreamError(Code.Internal, UpstreamFailureKind.Http5xx, `${where} internal error`, { cause });
  if (status === 501) return upstreamError(Code.Unimplemented, UpstreamFailureKind.Http5xx, `${where} not implemented`, { cause });
  if (status >= 500) return upstreamError(Code.Unavailable, UpstreamFailureKind.Http5xx, `${where} unavailable`, { cause });
  if (status === 408) return upstreamError(Code.Unavailable, UpstreamFailureKind.Http408, `${where} request timeout`, { cause });
  if (status === 401 || status === 403 || status === 407) {
    return upstreamError(Code.Internal, UpstreamFailureKind.HttpAuth, `${where} rejected our credentials (check the configured API key)`, { cause });
  }
  if (status === 404) {
    const what = options.model ? `model "${options.model}" or endpoint not found` : 'not found';
    return upstreamError(Code.NotFound, UpstreamFailureKind.Http4xx, `${where} ${what}${suffix}`, { cause });
  }
  if (status === 400 || status === 413 || status === 422) {
    return upstreamError(Code.InvalidArgument, UpstreamFailureKind.Http4xx, `${where} rejected the request${suffix}`, { cause });
  }
  return upstreamError(Code.Internal, UpstreamFailureKind.Http4xx, `${where} unexpected client error${suffix}`, { cause });
}
