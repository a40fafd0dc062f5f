import { Code, ConnectError } from '@connectrpc/connect';

/**
 * Why an upstream call failed, as one word. Travels with the error in metadata
 * (`sophia-upstream-failure`) so a caller several hops away — the router's breakers — can
 * classify the failure without parsing messages.
 */
export const UpstreamFailureKind = {
  ConnectRefused: 'connect-refused',
  ConnectTimeout: 'connect-timeout',
  Reset: 'reset',
  TtftTimeout: 'ttft-timeout',
  StallTimeout: 'stall-timeout',
  TotalTimeout: 'total-timeout',
  Http5xx: 'http-5xx',
  Http429: 'http-429',
  Http408: 'http-408',
  HttpAuth: 'http-auth',
  Http4xx: 'http-4xx',
  BadContentType: 'bad-content-type',
  MalformedStream: 'malformed-stream',
  TruncatedStream: 'truncated-stream',
  StreamError: 'stream-error',
  CallerCancelled: 'caller-cancelled',
  CallerDeadline: 'caller-deadline',
} as const;
export type UpstreamFailureKind = (typeof UpstreamFailureKind)[keyof typeof UpstreamFailureKind];

/** Metadata key carrying the {@link UpstreamFailureKind}. */
export const FAILURE_KIND_HEADER = 'sophia-upstream-failure';
/** Response header naming the serverless provider that is answering (sent with the first event). */
export const PROVIDER_HEADER = 'sophia-provider';
/** Metadata key carrying the upstream's Retry-After, in milliseconds, on ResourceExhausted. */
export const RETRY_AFTER_HEADER = 'retry-after-ms';

// Kinds that say the backend (not the caller) is at fault; everything a breaker should count.
const BACKEND_FAILURE_KINDS: ReadonlySet<string> = new Set<UpstreamFailureKind>([
  UpstreamFailureKind.ConnectRefused,
  UpstreamFailureKind.ConnectTimeout,
  UpstreamFailureKind.Reset,
  UpstreamFailureKind.TtftTimeout,
  UpstreamFailureKind.StallTimeout,
  UpstreamFailureKind.TotalTimeout,
  UpstreamFailureKind.Http5xx,
  UpstreamFailureKind.Http429,
  UpstreamFailureKind.Http408,
  UpstreamFailureKind.HttpAuth,
  UpstreamFailureKind.BadContentType,
  UpstreamFailureKind.MalformedStream,
  UpstreamFailureKind.TruncatedStream,
  UpstreamFailureKind.StreamError,
]);

// Codes that mean "the backend failed" when an error carries no kind (e.g. it was produced by
// a grpc client or by code that does not use this module).
const BACKEND_FAILURE_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Internal,
  Code.ResourceExhausted,
  Code.Unknown,
  Code.DataLoss,
  Code.Aborted,
]);

/**
 * Builds the one error type this library throws: a ConnectError with a client-safe message,
 * the failure kind in metadata and the original error as `cause` (for logs only — Connect
 * never serialises `cause`).
 */
export function upstreamError(
  code: Code,
  kind: UpstreamFailureKind,
  message: string,
  options: { cause?: unknown; retryAfterMs?: number } = {},
): ConnectError {
  const metadata = new Headers({ [FAILURE_KIND_HEADER]: kind });
  if (options.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_HEADER, String(options.retryAfterMs));
  return new ConnectError(message, code, metadata, undefined, options.cause);
}

/** Reads the failure kind an error carries, if it came from this module (or crossed a hop with it). */
export function upstreamFailureKind(err: unknown): string | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  return err.metadata.get(FAILURE_KIND_HEADER) ?? undefined;
}

/** Reads the Retry-After the upstream asked for, in milliseconds, if any. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const raw = err.metadata.get(RETRY_AFTER_HEADER);
  if (raw === null) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * True when an error should count against a backend's breaker: 5xx, timeouts, resets, stalls,
 * malformed or truncated streams, rate limits (429), 408 and upstream auth failures (our
 * misconfiguration makes the target unusable, so traffic should move away). Client errors
 * (400/404/422…), client cancellation and the caller's own deadline are not failures.
 * Errors without a kind are classified by code.
 */
export function isBackendFailure(err: unknown): boolean {
  const kind = upstreamFailureKind(err);
  if (kind !== undefined) return BACKEND_FAILURE_KINDS.has(kind);
  const code = err instanceof ConnectError ? err.code : ConnectError.from(err).code;
  return BACKEND_FAILURE_CODES.has(code);
}
