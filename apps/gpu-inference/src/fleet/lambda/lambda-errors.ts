// The one place Lambda Cloud API failures become CloudErrors: HTTP status and the API's
// `{"error": {"code", "message", "suggestion"}}` body decide the kind the controller acts on.
import { CloudError, type CloudErrorKind } from '../cloud-client.ts';

/** Lambda's error codes the fleet distinguishes (others fall back to the HTTP status). */
const KIND_BY_CODE: Readonly<Record<string, CloudErrorKind>> = {
  'global/invalid-api-key': 'unauthorized',
  'global/account-inactive': 'unauthorized',
  'global/object-does-not-exist': 'not_found',
  'global/invalid-parameters': 'invalid_request',
  'global/quota-exceeded': 'quota_exceeded',
  'instance-operations/launch/insufficient-capacity': 'insufficient_capacity',
  'instance-operations/launch/file-system-in-wrong-region': 'invalid_request',
  'ssh-keys/key-in-use': 'invalid_request',
};

function kindForStatus(status: number): CloudErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'unavailable';
}

/** Parses a `Retry-After` header (seconds or HTTP date) into milliseconds from `now`. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The CloudError for a non-2xx answer; `body` is the parsed JSON or undefined. */
export function lambdaHttpError(what: string, status: number, body: unknown, retryAfter?: number): CloudError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof fields['code'] === 'string' ? fields['code'] : `http/${status}`;
  const message = typeof fields['message'] === 'string' ? fields['message'] : `HTTP ${status}`;
  const suggestion = typeof fields['suggestion'] === 'string' ? fields['suggestion'] : undefined;
  const kind = status === 429 ? 'rate_limited' : (KIND_BY_CODE[code] ?? kindForStatus(status));
  return new CloudError(kind, `${what}: ${message} (${code})${suggestion ? `; ${suggestion}` : ''}`, code, suggestion, retryAfter);
}

/** The CloudError for a request that got no HTTP answer (refused, reset, timed out). */
export function lambdaTransportError(what: string, cause: unknown): CloudError {
  const reason = cause instanceof Error ? (cause.name === 'TimeoutError' ? 'timed out' : cause.message) : String(cause);
  return new CloudError('unavailable', `${what}: ${reason}`, 'transport');
}
