import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Code, ConnectError } from '@connectrpc/connect';

/**
 * The one place a handler's thrown value becomes a gRPC status. Connect `Code` numbers equal gRPC
 * status codes, so a ConnectError maps 1:1 with its message and metadata; anything else is a bug
 * and becomes INTERNAL with a generic message (the cause is logged, never sent to clients).
 */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  const ce = ConnectError.from(err);
  const metadata = new Metadata();
  ce.metadata.forEach((value, key) => {
    if (!key.startsWith('grpc-') && !key.startsWith(':')) metadata.set(key, value);
  });
  if (!(err instanceof ConnectError) && ce.code !== Code.Canceled && ce.code !== Code.DeadlineExceeded) {
    return { code: status.INTERNAL, details: 'internal error', metadata, message: 'internal error' };
  }
  return { code: ce.code as number as status, details: ce.rawMessage, metadata, message: ce.rawMessage };
}

/** Name of a gRPC status code for logs and metric labels ("OK", "UNAVAILABLE", …). */
export function statusName(code: number): string {
  return (status as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}
