// The gateway's one log line for a router call that failed. A refusal under a known condition (the
// state store is full or cannot be written, budgets cannot be checked) is an expected answer that
// can repeat for every request of an outage, so it is one structured line — request id, the answer's
// code and the mesh's reason — with no stack; any other server error keeps the whole error (causes,
// targets, stack) for debugging, and a client error its message.
import { ConnectError } from '@connectrpc/connect';
import type { Logger } from '@sophia/platform';
import { budgetOutageCause } from '@sophia/platform/wire';
import type { GatewayHttpError } from './status-to-http.ts';

/** Logs `err` (already mapped to `mapped`) once, at the level and detail its kind deserves. */
export function logRouterFailure(logger: Pick<Logger, 'warn' | 'info'>, err: unknown, mapped: GatewayHttpError, context: { requestId: string | undefined; failed: string }): void {
  const cause = budgetOutageCause(err);
  if (cause !== undefined && err instanceof ConnectError) {
    logger.warn({ requestId: context.requestId, status: mapped.status, code: mapped.code, cause, reason: err.rawMessage }, `request refused: ${mapped.code}`);
  } else if (mapped.status >= 500) {
    logger.warn({ err, requestId: context.requestId, status: mapped.status }, context.failed);
  } else {
    logger.info({ err: err instanceof Error ? err.message : String(err), requestId: context.requestId, status: mapped.status }, 'request refused');
  }
}
