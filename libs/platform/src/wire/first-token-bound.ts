// The mesh's "no backend started answering in time" as it crosses the mesh (#15, both backends
// silent): the router ends the search at SOPHIA_FIRST_TOKEN_BOUND_MS with DEADLINE_EXCEEDED carrying
// the bound, so the gateway can tell the API user precisely what happened (no model backend started
// answering within the bound) instead of a generic timeout, while the targets' names stay in the
// operator's log line.
import { Code, ConnectError } from '@connectrpc/connect';

/** Metadata key set on DEADLINE_EXCEEDED when the first-token bound ended the call; its value is the bound in ms. */
export const FIRST_TOKEN_BOUND_HEADER = 'sophia-first-token-bound-ms';

/** DEADLINE_EXCEEDED carrying the bound (the message stays with the operator's words: each target's state). */
export function firstTokenBoundExceeded(message: string, boundMs: number): ConnectError {
  return new ConnectError(message, Code.DeadlineExceeded, new Headers({ [FIRST_TOKEN_BOUND_HEADER]: String(boundMs) }));
}

/** The bound (ms) that ended the call, or undefined when the error is not that timeout. */
export function firstTokenBoundOf(err: unknown): number | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.DeadlineExceeded) return undefined;
  const ms = Number(err.metadata.get(FIRST_TOKEN_BOUND_HEADER) ?? Number.NaN);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}
