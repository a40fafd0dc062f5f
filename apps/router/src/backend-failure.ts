import { Code, ConnectError } from '@connectrpc/connect';

/**
 * Codes that mean "this backend failed", as opposed to "this request is wrong": they open
 * breakers and allow fallback before the first token. Upstream 429s count (the provider is
 * overloaded for us); client errors and cancellations never do.
 */
const BACKEND_FAILURE_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Internal,
  Code.Unknown,
  Code.ResourceExhausted,
  Code.Aborted,
  Code.DataLoss,
]);

/** True when `err` should count against a backend's breaker and may be retried elsewhere. */
export function isBackendFailure(err: unknown): boolean {
  if (err instanceof Error && err.name === 'AbortError') return false;
  const ce = ConnectError.from(err);
  return BACKEND_FAILURE_CODES.has(ce.code);
}
