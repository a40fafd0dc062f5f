// How a host process reports a service that failed to start. A failure of the machine the operator
// must fix (the data directory is full, locked by another process, unreadable, or holds a damaged or
// newer file) is one line naming what and where, exit 3 — its stack says nothing the message does
// not; anything else is a bug: the whole stack, exit 1. Libraries mark their operator-facing errors
// with `operatorFacing = true` (a structural flag, so they need not depend on the platform).

/** Exit code of a start-up refused because of the machine's state (see {@link startupFailure}). */
export const EXIT_ENVIRONMENT = 3;

/** Exit code of any other start-up failure (a bug). */
export const EXIT_FAILED_TO_START = 1;

/** Whether `err` says everything the operator needs in its message. */
export function isOperatorFacing(err: unknown): err is Error {
  return err instanceof Error && (err as Error & { operatorFacing?: unknown }).operatorFacing === true;
}

/** The stderr text (ending in a newline) and exit code for a service `label` that failed to start. */
export function startupFailure(label: string, err: unknown): { text: string; exitCode: number } {
  if (isOperatorFacing(err)) return { text: `${label}: cannot start: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`, exitCode: EXIT_ENVIRONMENT };
  return { text: `${label}: failed to start: ${(err as Error).stack ?? String(err)}\n`, exitCode: EXIT_FAILED_TO_START };
}
