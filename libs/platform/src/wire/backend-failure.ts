// The cross-service wire rules of a failed call, in one place: why an upstream call failed (the
// failure kind every hop forwards in metadata), how long the caller should wait (`retry-after-ms`,
// with its one parser), and whether an error counts against a backend (breakers, fallback, retries).
// The inference services write these; the router, the serverless failover and the gateway read them.
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
/** Metadata key carrying how long to wait before retrying, in milliseconds (upstream 429, budget reset). */
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

// Codes that mean "the backend failed" when an error carries no kind (a gRPC client's own failure,
// or code that does not set one). Upstream 429s count: the provider is overloaded for us.
const BACKEND_FAILURE_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Internal,
  Code.ResourceExhausted,
  Code.Unknown,
  Code.DataLoss,
  Code.Aborted,
]);

/** Reads the failure kind an error carries, if it came from an inference service (or crossed a hop with it). */
export function upstreamFailureKind(err: unknown): string | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  return err.metadata.get(FAILURE_KIND_HEADER) ?? undefined;
}

/** Parses a `retry-after-ms` value: a non-negative whole number of milliseconds, else undefined. */
export function parseRetryAfterMs(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  const trimmed = raw.trim();
  return /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The wait an error asks for (`retry-after-ms` in its metadata), in milliseconds, if any. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  return parseRetryAfterMs(err.metadata.get(RETRY_AFTER_HEADER));
}

/**
 * True when an error should count against a backend's breaker and may be retried elsewhere: 5xx,
 * timeouts, resets, stalls, malformed or truncated streams, rate limits (429), 408 and upstream auth
 * failures (our misconfiguration makes the target unusable, so traffic should move away). Client
 * errors (400/404/422…), cancellation (an AbortError included) and the caller's own deadline are not.
 * Errors without a kind are classified by code.
 */
export function isBackendFailure(err: unknown): boolean {
  if (err instanceof Error && err.name === 'AbortError') return false;
  const kind = upstreamFailureKind(err);
  if (kind !== undefined) return BACKEND_FAILURE_KINDS.has(kind);
  const code = err instanceof ConnectError ? err.code : ConnectError.from(err).code;
  return BACKEND_FAILURE_CODES.has(code);
}
