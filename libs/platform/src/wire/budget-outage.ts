// The mesh's "usage cannot be checked or recorded, refuse" answer as it crosses the mesh: the ledger
// sets it on UNAVAILABLE (its budget store is unreachable under SOPHIA_REDIS_OUTAGE=refuse, or its
// embedded state store is out of disk space), the router passes it on instead of serving
// unreserved or unrecorded, and the gateway tells the API user what happened instead of blaming the
// model backends.
import { Code, ConnectError } from '@connectrpc/connect';

/** Metadata key set on UNAVAILABLE when the mesh refuses to serve what it cannot budget or record; its value is the cause. */
export const BUDGET_OUTAGE_HEADER = 'sophia-outage';

/**
 * Why: `refuse` — the budget store (Redis) is unreachable and SOPHIA_REDIS_OUTAGE=refuse;
 * `store-full` — the embedded state file cannot be written (disk or quota full), so nothing could
 * be recorded or spooled whatever the policy; `store-failed` — a usage record could not be kept
 * durably for another reason (the router's commit outbox failed to write: I/O error, read-only
 * file, …), so the answer is refused rather than served unrecorded; `store-out-of-memory` — the
 * budget store (Redis) is at its maxmemory with eviction off, so new reservations cannot be written
 * (usage of requests already served is spooled by the ledger).
 */
export type BudgetOutageCause = 'refuse' | 'store-full' | 'store-failed' | 'store-out-of-memory';

const CAUSES: ReadonlySet<string> = new Set<BudgetOutageCause>(['refuse', 'store-full', 'store-failed', 'store-out-of-memory']);

/** UNAVAILABLE carrying the refusal (the message stays with the operator's words; callers' text is the gateway's). */
export function budgetOutageRefusal(message: string, cause: BudgetOutageCause = 'refuse'): ConnectError {
  return new ConnectError(message, Code.Unavailable, new Headers({ [BUDGET_OUTAGE_HEADER]: cause }));
}

/** The refusal's cause, or undefined when the error is not that refusal. */
export function budgetOutageCause(err: unknown): BudgetOutageCause | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.Unavailable) return undefined;
  const value = err.metadata.get(BUDGET_OUTAGE_HEADER);
  return value !== null && CAUSES.has(value) ? (value as BudgetOutageCause) : undefined;
}

/** Whether an error is that refusal. */
export function isBudgetOutageRefusal(err: unknown): boolean {
  return budgetOutageCause(err) !== undefined;
}
