import { ConnectError, type Code } from '@connectrpc/connect';
import { FAILURE_KIND_HEADER, RETRY_AFTER_HEADER, type UpstreamFailureKind } from '@sophia/platform/wire';

// The failure kind, `retry-after-ms` and the backend-failure rule are cross-service wire rules:
// they live in @sophia/platform/wire and are re-exported here for this library's users.
export { UpstreamFailureKind, FAILURE_KIND_HEADER, RETRY_AFTER_HEADER, upstreamFailureKind, retryAfterMs, isBackendFailure } from '@sophia/platform/wire';

/** Response header naming the serverless provider that is answering (sent with the first event). */
export const PROVIDER_HEADER = 'sophia-provider';

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
