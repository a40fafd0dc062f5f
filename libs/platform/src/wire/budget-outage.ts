// The ledger's "budgets cannot be checked, refuse" answer (SOPHIA_REDIS_OUTAGE=refuse) as it crosses
// the mesh: the ledger sets it on UNAVAILABLE, the router passes it on instead of serving
// unreserved, and the gateway tells the API user what happened instead of blaming the model backends.
import { Code, ConnectError } from '@connectrpc/connect';

/** Metadata key set to `refuse` on UNAVAILABLE when budgets cannot be checked and the mesh refuses to serve unbudgeted. */
export const BUDGET_OUTAGE_HEADER = 'sophia-outage';

/** UNAVAILABLE carrying the refusal (the message stays with the operator's words; callers' text is the gateway's). */
export function budgetOutageRefusal(message: string): ConnectError {
  return new ConnectError(message, Code.Unavailable, new Headers({ [BUDGET_OUTAGE_HEADER]: 'refuse' }));
}

/** Whether an error is that refusal. */
export function isBudgetOutageRefusal(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unavailable && err.metadata.get(BUDGET_OUTAGE_HEADER) === 'refuse';
}
